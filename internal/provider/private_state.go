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

func setIssuedAt(ctx context.Context, p privateSetter, t time.Time) diag.Diagnostics {
	b, err := json.Marshal(formatTime(t))
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Unable to Save Private State", err.Error())
		return d
	}
	return p.SetKey(ctx, privateIssuedAtKey, b)
}

// getIssuedAt returns the zero time when we never issued the token (import).
func getIssuedAt(ctx context.Context, p privateGetter) (time.Time, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, privateIssuedAtKey)
	if diags.HasError() || len(b) == 0 {
		return time.Time{}, diags
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
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
	b, err := json.Marshal(int64(offset / time.Second))
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Unable to Save Private State", err.Error())
		return d
	}
	return p.SetKey(ctx, privateClockOffsetKey, b)
}

// getClockOffset returns the recorded offset of the API's clock; 0 when
// none was recorded (a state written before it was, or no Date header).
func getClockOffset(ctx context.Context, p privateGetter) (time.Duration, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, privateClockOffsetKey)
	if diags.HasError() || len(b) == 0 {
		return 0, diags
	}
	var seconds int64
	if err := json.Unmarshal(b, &seconds); err != nil {
		return 0, diags
	}
	return time.Duration(seconds) * time.Second, diags
}
