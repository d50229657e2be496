package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// wholeNumberType is an Int64 that the configuration sets (partner_id,
// status). The framework's own Int64 turns 225.5 or 1e20 from a variable
// into an error that blames the provider and names no argument; this one
// reports it against the argument, under title, and reads it as unknown so
// that nothing else trips on it first.
type wholeNumberType struct {
	basetypes.Int64Type
	title string
}

// Equal also accepts the Int64Type of the values it makes (a whole number
// reads as a plain Int64), so that an object holding one is consistent.
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

// Validate reports a number that is not a whole number an int64 holds.
func (t wholeNumberType) Validate(_ context.Context, in tftypes.Value, at path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if f, ok := wholeNumber(in); !ok {
		diags.AddAttributeError(at, t.title, fmt.Sprintf(
			"%s must be a whole number from %d to %d, got %s.", at, int64(math.MinInt64), int64(math.MaxInt64), f.Text('g', -1)))
	}
	return diags
}

// wholeNumber is in as a number, and whether it is a whole number that an
// int64 holds; null and unknown values pass.
func wholeNumber(in tftypes.Value) (*big.Float, bool) {
	var f *big.Float
	if !in.IsKnown() || in.IsNull() || in.As(&f) != nil || f == nil {
		return f, true
	}
	_, acc := f.Int64()
	return f, f.IsInt() && acc == big.Exact
}
