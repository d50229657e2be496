package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// TestLinkFilterBounds: the filters' limits, each side of them.
func TestLinkFilterBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		filter linkFilter
		errors int
	}{
		{linkFilter{PartnerID: types.Int64Value(1), Status: types.Int64Value(0), StatusName: types.StringNull()}, 0},
		{linkFilter{PartnerID: types.Int64Value(0), Status: types.Int64Value(3), StatusName: types.StringNull()}, 1},
		{linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Value(-1), StatusName: types.StringNull()}, 1},
		{linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Value(4), StatusName: types.StringNull()}, 1},
	} {
		var diags diag.Diagnostics
		tc.filter.validate(path.Empty(), &diags)
		if diags.ErrorsCount() != tc.errors {
			t.Errorf("%+v: %d errors, want %d: %v", tc.filter, diags.ErrorsCount(), tc.errors, diags)
		}
	}
}

// A filter keeps the links that match every filter set; onlyRevoked tells
// the filters that can match revoked links only.
func TestLinkFilterMatches(t *testing.T) {
	t.Parallel()
	s := albato.Sharing{ID: 61, PartnerID: 225, Status: albato.StatusGranted}
	none := linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Null(), StatusName: types.StringNull()}
	for _, c := range []struct {
		name                 string
		set                  func(*linkFilter)
		matches, onlyRevoked bool
	}{
		{"no filter", func(*linkFilter) {}, true, false},
		{"the partner", func(f *linkFilter) { f.PartnerID = types.Int64Value(225) }, true, false},
		{"another partner", func(f *linkFilter) { f.PartnerID = types.Int64Value(7) }, false, false},
		{"the status", func(f *linkFilter) { f.Status = types.Int64Value(1) }, true, false},
		{"another status", func(f *linkFilter) { f.Status = types.Int64Value(0) }, false, false},
		{"the status name", func(f *linkFilter) { f.StatusName = types.StringValue("granted") }, true, false},
		{"another status name", func(f *linkFilter) { f.StatusName = types.StringValue("waiting") }, false, false},
		{"revoked", func(f *linkFilter) { f.Status = types.Int64Value(3) }, false, true},
		{"revoked by name", func(f *linkFilter) { f.StatusName = types.StringValue("revoked") }, false, true},
	} {
		f := none
		c.set(&f)
		if got := f.matches(s); got != c.matches {
			t.Errorf("%s: matches = %v, want %v", c.name, got, c.matches)
		}
		if got := f.onlyRevoked(); got != c.onlyRevoked {
			t.Errorf("%s: onlyRevoked = %v, want %v", c.name, got, c.onlyRevoked)
		}
	}
}
