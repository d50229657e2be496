package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/action"
	aschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stringCheck is a validator made of the function that checks the same
// value where it comes from elsewhere (state, import, the environment).
type stringCheck struct {
	description string
	check       func(raw string, at path.Path, diags *diag.Diagnostics)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.check(req.ConfigValue.ValueString(), req.Path, &resp.Diagnostics)
	}
}

var (
	durationValidator = stringCheck{"value must be a non-negative Go duration such as \"6h\" or \"90m\"",
		func(raw string, at path.Path, diags *diag.Diagnostics) { parseDuration(raw, at, diags) }}
	sharingIDValidator = stringCheck{"value must be a sharing id, a positive whole number such as \"61\"",
		func(raw string, at path.Path, diags *diag.Diagnostics) { sharingID(raw, at, diags) }}
	// In Unicode characters, as the API counts, not bytes as LengthBetween does.
	titleLength = stringCheck{"value must be 1 to 255 characters long", checkTitle}
)

// The titles of a bad URL, from the configuration (urlValidator) or the environment (settings.check).
const (
	invalidAPIURL     = "Invalid Albato API URL"
	invalidConnectURL = "Invalid Albato Connect URL"
)

// urlValidator checks a URL with the client's own parse, so that both accept the same.
func urlValidator(parse func(string) (*url.URL, error), title string) stringCheck {
	return stringCheck{"value must be an absolute http or https URL", func(raw string, at path.Path, diags *diag.Diagnostics) {
		if _, err := parse(raw); err != nil {
			diags.Append(atURL(at, raw, diag.NewErrorDiagnostic(title, fmt.Sprintf("The URL of %q is not usable: %s.",
				at, err))))
		}
	}}
}

// parseDuration reads a non-negative Go duration.
func parseDuration(raw string, at path.Path, diags *diag.Diagnostics) time.Duration {
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		diags.AddAttributeError(at, "Invalid Duration",
			fmt.Sprintf("%q is not a Go duration. Use a number with a unit, such as \"6h\", \"90m\" or \"0s\".", raw))
	case d < 0:
		diags.AddAttributeError(at, "Invalid Duration", fmt.Sprintf("%q is negative: use \"0s\" or a positive duration.", raw))
	}
	return d
}

// sharingID reads a sharing id, wherever it comes from.
func sharingID(raw string, at path.Path, diags *diag.Diagnostics) (int64, bool) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		diags.AddAttributeError(at, "Invalid Connection Link ID",
			fmt.Sprintf("Expected a sharing id, a positive whole number such as \"61\", got %q.", raw))
		return 0, false
	}
	return n, true
}

func checkTitle(raw string, at path.Path, diags *diag.Diagnostics) {
	if !utf8.ValidString(raw) {
		diags.AddAttributeError(at, "Invalid Text", "The value is not valid UTF-8 text.")
	} else if n := utf8.RuneCountInString(raw); n < 1 || n > 255 {
		diags.AddAttributeError(at, "Invalid Length", fmt.Sprintf("The value must be 1 to 255 characters long, "+
			"counted in Unicode characters (code points), not bytes; got %d characters.", n))
	} else if raw != strings.TrimSpace(raw) {
		// An API that tidies titles answers it trimmed; a create that gets
		// no usable answer looks its link up by title (DESIGN.md).
		diags.AddAttributeError(at, "Title Begins or Ends With White Space",
			fmt.Sprintf("The %s %q begins or ends with white space (a space, a tab or a line break), which the API "+
				"may trim. Remove it, for example with trimspace().", at, raw))
	}
}

// validateAtInvoke runs an action's list and set validators again on the
// values Invoke gets, and reports whether they pass: Terraform validates an
// action's configuration while values from variables or other resources are
// unknown, skips those, and never validates it again. A string's validator
// is a stringCheck, the very parse Invoke calls, so it needs no second run.
func validateAtInvoke(ctx context.Context, act action.Action, cfg tfsdk.Config, diags *diag.Diagnostics) bool {
	var s action.SchemaResponse
	act.Schema(ctx, action.SchemaRequest{}, &s)
	for name, a := range s.Schema.Attributes {
		at := path.Root(name)
		switch a := a.(type) {
		case aschema.ListAttribute:
			var v types.List
			diags.Append(cfg.GetAttribute(ctx, at, &v)...)
			for _, c := range a.Validators {
				var r validator.ListResponse
				c.ValidateList(ctx, validator.ListRequest{Path: at, PathExpression: at.Expression(), ConfigValue: v, Config: cfg}, &r)
				diags.Append(r.Diagnostics...)
			}
		case aschema.SetAttribute:
			var v types.Set
			diags.Append(cfg.GetAttribute(ctx, at, &v)...)
			for _, c := range a.Validators {
				var r validator.SetResponse
				c.ValidateSet(ctx, validator.SetRequest{Path: at, PathExpression: at.Expression(), ConfigValue: v, Config: cfg}, &r)
				diags.Append(r.Diagnostics...)
			}
		}
	}
	return !diags.HasError()
}

// wholeNumberType is the Int64 of partner_id and status in configuration.
// The framework's own Int64 turns 225.5 or 1e20 from a variable into an
// error that blames the provider and names no argument; this one reports it
// against the argument, under title, and reads it as unknown so that nothing
// else trips on it first.
type wholeNumberType struct {
	basetypes.Int64Type
	title string
}

// Equal also accepts the plain Int64Type of the values it makes, so that an
// object holding one is consistent.
func (t wholeNumberType) Equal(o attr.Type) bool {
	if other, ok := o.(wholeNumberType); ok {
		return other.title == t.title
	}
	return basetypes.Int64Type{}.Equal(o)
}
func (t wholeNumberType) String() string { return "wholeNumberType" }

func (t wholeNumberType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	if _, ok := wholeNumber(in); !ok {
		return basetypes.NewInt64Unknown(), nil
	}
	return t.Int64Type.ValueFromTerraform(ctx, in)
}

func (t wholeNumberType) Validate(_ context.Context, in tftypes.Value, at path.Path) diag.Diagnostics {
	if f, ok := wholeNumber(in); !ok {
		return diag.Diagnostics{diag.NewAttributeErrorDiagnostic(at, t.title, fmt.Sprintf(
			"%s must be a whole number from %d to %d, got %s.", at, int64(math.MinInt64), int64(math.MaxInt64), f.Text('g', -1)))}
	}
	return nil
}

// wholeNumber is in as a number, and whether an int64 holds it (Int64 is
// exact only for an integer in range); null and unknown pass.
func wholeNumber(in tftypes.Value) (*big.Float, bool) {
	var f *big.Float
	if !in.IsKnown() || in.IsNull() || in.As(&f) != nil || f == nil {
		return f, true
	}
	_, acc := f.Int64()
	return f, acc == big.Exact
}
