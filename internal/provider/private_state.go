package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The resource's private state: bookkeeping the user never needs and no
// plan shows.
const (
	// privateIssuedAtKey keeps, in private state, when our own create or
	// regenerate call last got a token: the API may not move dateCreated on PUT,
	// and expiry counts from the later of the two.
	privateIssuedAtKey = "token_issued_at"

	// privateClockOffsetKey keeps how far the API's clock was ahead of ours
	// (whole seconds) at its last answer: expiry is judged on the API's
	// clock, also by a plan that sends no request (-refresh=false) and by
	// the new provider process of an apply.
	privateClockOffsetKey = "api_clock_offset"
)

// privateGetter and privateSetter are the parts of the framework's private
// state API we use, so that one helper serves every CRUD response type.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// setPrivate stores v as JSON under key.
func setPrivate(ctx context.Context, p privateSetter, key string, v any) diag.Diagnostics {
	b, err := json.Marshal(v)
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Unable to Save Private State", err.Error())
		return d
	}
	return p.SetKey(ctx, key, b)
}

// getPrivate reads the JSON under key into v; ok is false when there is
// none, or none that reads (a state written by another version).
func getPrivate(ctx context.Context, p privateGetter, key string, v any) (ok bool, diags diag.Diagnostics) {
	b, diags := p.GetKey(ctx, key)
	if diags.HasError() || len(b) == 0 {
		return false, diags
	}
	return json.Unmarshal(b, v) == nil, diags
}

func setIssuedAt(ctx context.Context, p privateSetter, t time.Time) diag.Diagnostics {
	return setPrivate(ctx, p, privateIssuedAtKey, formatTime(t))
}

// getIssuedAt returns the zero time when we never issued the token (import).
func getIssuedAt(ctx context.Context, p privateGetter) (time.Time, diag.Diagnostics) {
	var s string
	ok, diags := getPrivate(ctx, p, privateIssuedAtKey, &s)
	if !ok {
		return time.Time{}, diags
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, diags
	}
	return t, diags
}

// setClockOffset records how far ahead of ours the API's clock is.
func setClockOffset(ctx context.Context, p privateSetter, offset time.Duration) diag.Diagnostics {
	return setPrivate(ctx, p, privateClockOffsetKey, int64(offset/time.Second))
}

// getClockOffset returns the recorded offset of the API's clock; 0 when
// none was recorded (a state written before it was, or no Date header).
func getClockOffset(ctx context.Context, p privateGetter) (time.Duration, diag.Diagnostics) {
	var seconds int64
	_, diags := getPrivate(ctx, p, privateClockOffsetKey, &seconds)
	return time.Duration(seconds) * time.Second, diags
}
