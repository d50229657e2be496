package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// filterAttributes are the filters of a listing, for the links data source
// and the list resource (validated by linkFilter.validate, so that each error
// points at its line). extra is appended to the descriptions it names.
func filterAttributes(extra map[string]string) map[string]dschema.Attribute {
	return map[string]dschema.Attribute{
		"partner_id": dschema.Int64Attribute{Optional: true, CustomType: wholeNumberType{title: "Invalid Partner ID"},
			MarkdownDescription: "Only links of this partner (app) id." + extra["partner_id"]},
		"status": dschema.Int64Attribute{Optional: true, CustomType: wholeNumberType{title: "Invalid Status"},
			MarkdownDescription: "Only links in this status, by number: " + statusNumbers + ". `status_name` says the " +
				"same in words." + extra["status"]},
		"status_name": dschema.StringAttribute{Optional: true,
			MarkdownDescription: "Only links in this status, by name: " + statusNameList("or") + " (the names " +
				"`wait_for_status` takes)." + extra["status_name"]},
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

// onlyRevoked reports filters that match revoked links only.
func (f linkFilter) onlyRevoked() bool {
	return (!f.Status.IsNull() && f.Status.ValueInt64() == int64(albato.StatusRevoked)) ||
		f.StatusName.ValueString() == albato.StatusRevoked.Name()
}

// validate checks the filters' known values, each against its attribute
// under at: the list resource's filters sit in its config block, and
// Terraform shows an error's line only from the path it is given.
func (f linkFilter) validate(at path.Path, diags *diag.Diagnostics) {
	known := func(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }
	if known(f.PartnerID) && f.PartnerID.ValueInt64() < 1 {
		diags.AddAttributeError(at.AtName("partner_id"), "Invalid Partner ID",
			fmt.Sprintf("partner_id must be a partner (app) id, 1 or more, got %d.", f.PartnerID.ValueInt64()))
	}
	if n := f.Status.ValueInt64(); known(f.Status) && (n < int64(albato.StatusWaiting) || n > int64(albato.StatusRevoked)) {
		diags.AddAttributeError(at.AtName("status"), "Invalid Status",
			fmt.Sprintf("status must be between %d and %d (%s), got %d; status_name takes the names.",
				albato.StatusWaiting, albato.StatusRevoked, strings.ReplaceAll(statusNumbers, "`", ""), n))
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
