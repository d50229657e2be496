package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// The filters of a listing of links, shared by the albato_connection_links
// data source and the albato_connection_link list resource so that both
// accept and mean the same thing.
const (
	partnerIDFilterDescription  = "Only links of this partner (app) id."
	statusFilterDescription     = "Only links in this status, by number: `0` waiting, `1` granted, `2` waiting for OAuth, `3` revoked. `status_name` says the same in words."
	statusNameFilterDescription = "Only links in this status, by name: `waiting`, `granted`, `waiting_oauth` or `revoked` (the names `wait_for_status` takes)."
)

// linkFilter is the filters; a null one matches all.
type linkFilter struct {
	PartnerID  types.Int64  `tfsdk:"partner_id"`
	Status     types.Int64  `tfsdk:"status"`
	StatusName types.String `tfsdk:"status_name"`
}

// matches reports whether s passes every filter.
func (f linkFilter) matches(s albato.Sharing) bool {
	return (f.PartnerID.IsNull() || s.PartnerID == f.PartnerID.ValueInt64()) &&
		(f.Status.IsNull() || int64(s.Status) == f.Status.ValueInt64()) &&
		(f.StatusName.IsNull() || s.Status.Name() == f.StatusName.ValueString())
}

// status is the status the filters ask for, if any.
func (f linkFilter) status() (albato.Status, bool) {
	switch {
	case !f.Status.IsNull():
		return albato.Status(f.Status.ValueInt64()), true
	case !f.StatusName.IsNull():
		return albato.Status(slices.Index(statusNames, f.StatusName.ValueString())), true
	}
	return 0, false
}

// validate checks the filters' known values, each against its attribute
// under at: the list resource's filters sit in its config block, and
// Terraform shows an error's line only from the path it is given.
func (f linkFilter) validate(at path.Path, diags *diag.Diagnostics) {
	known := func(v interface {
		IsNull() bool
		IsUnknown() bool
	}) bool {
		return !v.IsNull() && !v.IsUnknown()
	}
	if known(f.PartnerID) && f.PartnerID.ValueInt64() < 1 {
		diags.AddAttributeError(at.AtName("partner_id"), "Invalid Partner ID",
			fmt.Sprintf("partner_id must be a partner (app) id, 1 or more, got %d.", f.PartnerID.ValueInt64()))
	}
	if n := f.Status.ValueInt64(); known(f.Status) && (n < 0 || n > 3) {
		diags.AddAttributeError(at.AtName("status"), "Invalid Status",
			fmt.Sprintf("status must be between 0 and 3 (0 waiting, 1 granted, 2 waiting for OAuth, 3 revoked), got %d; "+
				"status_name takes the names.", n))
	}
	if known(f.StatusName) && !slices.Contains(statusNames, f.StatusName.ValueString()) {
		diags.AddAttributeError(at.AtName("status_name"), "Invalid Status Name",
			fmt.Sprintf("status_name must be one of \"%s\", got %q.", strings.Join(statusNames, `", "`), f.StatusName.ValueString()))
	}
	if !f.Status.IsNull() && !f.StatusName.IsNull() {
		diags.AddAttributeError(at.AtName("status_name"), "Conflicting Status Filters",
			"Set status or status_name, not both: they filter on the same thing.")
	}
}
