package provider

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator accepts a non-negative Go duration such as "6h" or "90m".
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (durationValidator) Description(_ context.Context) string {
	return "value must be a non-negative Go duration such as \"6h\" or \"90m\""
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a Go duration. Use a number with a unit, such as \"6h\", \"90m\" or \"0s\".", raw))
		return
	}
	if d < 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is negative. Use \"0s\" to regenerate at expiry, or a positive duration to regenerate that long before it.", raw))
	}
}

// urlValidator accepts the URLs that check accepts: the same check the
// provider applies to a value from the environment.
type urlValidator struct {
	check func(string) error
}

var _ validator.String = urlValidator{}

func (urlValidator) Description(_ context.Context) string {
	return "value must be an absolute http or https URL"
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if err := v.check(raw); err != nil {
		resp.Diagnostics.Append(urlDiagnostic(diag.SeverityError, req.Path, raw, "Invalid URL",
			fmt.Sprintf("The URL of %q is not usable: %s.", req.Path, err)))
	}
}

// sharingIDValidator accepts a decimal sharing id, a positive whole number.
type sharingIDValidator struct{}

var _ validator.String = sharingIDValidator{}

func (sharingIDValidator) Description(_ context.Context) string {
	return "value must be a sharing id, a positive whole number such as \"61\""
}

func (v sharingIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (sharingIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	sharingID(req.ConfigValue.ValueString(), req.Path, &resp.Diagnostics)
}

// titleLength bounds a link's title as the API does: in Unicode characters,
// not bytes, so that 255 Cyrillic letters (510 bytes) pass.
var titleLength = characterLengthValidator{min: 1, max: 255}

// characterLengthValidator accepts strings of min to max Unicode characters
// (code points). The framework's stringvalidator.LengthBetween counts bytes.
type characterLengthValidator struct{ min, max int }

var _ validator.String = characterLengthValidator{}

func (v characterLengthValidator) Description(_ context.Context) string {
	return fmt.Sprintf("value must be %d to %d characters long", v.min, v.max)
}

func (v characterLengthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v characterLengthValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	if !utf8.ValidString(value) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Text", "The value is not valid UTF-8 text.")
		return
	}
	if n := utf8.RuneCountInString(value); n < v.min || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Length",
			fmt.Sprintf("The value must be %d to %d characters long, counted in Unicode characters (code points), "+
				"not bytes; got %d characters.", v.min, v.max, n))
	}
}
