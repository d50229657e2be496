package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The resource's private state: bookkeeping the user never needs and no
// plan shows. Both keys hold an RFC 3339 time as a JSON string.
const (
	// privateIssuedAtKey is when our own create or regenerate call last got
	// a token: the API may not move dateCreated on PUT, and expiry counts
	// from the later of the two.
	privateIssuedAtKey = "token_issued_at"

	// privateReadAtKey is when the provider last read or wrote the link, on
	// the API's clock: the moment as of which every plan judges its expiry
	// (DESIGN.md, "How expiry is judged").
	privateReadAtKey = "read_at"
)

// privateGetter and privateSetter are the parts of the framework's private
// state API we use, so that one helper serves every response type.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// setPrivateTime stores t under key.
func setPrivateTime(ctx context.Context, p privateSetter, key string, t time.Time) diag.Diagnostics {
	b, _ := json.Marshal(formatTime(t)) // a string always marshals
	return p.SetKey(ctx, key, b)
}

// privateTime reads the time under key; the zero time when there is none,
// or none that reads (a state written by another version).
func privateTime(ctx context.Context, p privateGetter, key string) (time.Time, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, key)
	var s string
	if diags.HasError() || len(b) == 0 || json.Unmarshal(b, &s) != nil {
		return time.Time{}, diags
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, diags
	}
	return t, diags
}
