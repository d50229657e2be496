package provider

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

func partnerIDFilterValidators() []validator.Int64 {
	return []validator.Int64{int64validator.AtLeast(1)}
}

func statusFilterValidators() []validator.Int64 {
	return []validator.Int64{int64validator.Between(0, 3), int64validator.ConflictsWith(path.MatchRoot("status_name"))}
}

func statusNameFilterValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(statusNames...)}
}

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
