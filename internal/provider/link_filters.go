package provider

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// filterAttributes are the filters of a listing, as the
// albato_connection_links data source's attributes; the
// albato_connection_link list resource takes them over. extra is appended
// to the descriptions it names.
func filterAttributes(extra map[string]string) map[string]dschema.Attribute {
	return map[string]dschema.Attribute{
		"partner_id": dschema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)},
			MarkdownDescription: "Only links of this partner (app) id." + extra["partner_id"]},
		"status": dschema.Int64Attribute{Optional: true,
			MarkdownDescription: "Only links in this status, by number: `0` waiting, `1` granted, `2` waiting for OAuth, " +
				"`3` revoked. `status_name` says the same in words." + extra["status"],
			Validators: []validator.Int64{int64validator.Between(0, 3), int64validator.ConflictsWith(path.MatchRoot("status_name"))}},
		"status_name": dschema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOf(statusNames...)},
			MarkdownDescription: "Only links in this status, by name: `waiting`, `granted`, `waiting_oauth` or `revoked` " +
				"(the names `wait_for_status` takes)." + extra["status_name"]},
	}
}

// linkFilter is the filters; a null one matches all.
type linkFilter struct {
	PartnerID  types.Int64  `tfsdk:"partner_id"`
	Status     types.Int64  `tfsdk:"status"`
	StatusName types.String `tfsdk:"status_name"`
}

func (f linkFilter) matches(s albato.Sharing) bool {
	return (f.PartnerID.IsNull() || s.PartnerID == f.PartnerID.ValueInt64()) &&
		(f.Status.IsNull() || int64(s.Status) == f.Status.ValueInt64()) &&
		(f.StatusName.IsNull() || s.Status.Name() == f.StatusName.ValueString())
}

func (f linkFilter) status() (albato.Status, bool) {
	switch {
	case !f.Status.IsNull():
		return albato.Status(f.Status.ValueInt64()), true
	case !f.StatusName.IsNull():
		return albato.Status(slices.Index(statusNames, f.StatusName.ValueString())), true
	}
	return 0, false
}
