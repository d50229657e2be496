package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	// privateTokenSeenKey is a fingerprint of the token the provider last
	// read or wrote, never the token: a token that changed since is one that
	// was regenerated outside this resource (the regenerate action, Albato's
	// "Refresh credentials"), whose 48 hours count from then, not from the
	// issue time the state knew.
	privateTokenSeenKey = "token_seen"
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
	return setPrivateString(ctx, p, key, formatTime(t))
}

// tokenFingerprint is a short, one-way digest of a token: enough to tell
// two tokens apart, useless to anyone who reads the state.
func tokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}

// setPrivateString stores v under key.
func setPrivateString(ctx context.Context, p privateSetter, key, v string) diag.Diagnostics {
	b, _ := json.Marshal(v) // a string always marshals
	return p.SetKey(ctx, key, b)
}

// privateString reads the string under key; "" when there is none.
func privateString(ctx context.Context, p privateGetter, key string) (string, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, key)
	var s string
	if diags.HasError() || len(b) == 0 || json.Unmarshal(b, &s) != nil {
		return "", diags
	}
	return s, diags
}

// privateTime reads the time under key; the zero time when there is none,
// or none that reads (a state written by another version).
func privateTime(ctx context.Context, p privateGetter, key string) (time.Time, diag.Diagnostics) {
	s, diags := privateString(ctx, p, key)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, diags
	}
	return t, diags
}
