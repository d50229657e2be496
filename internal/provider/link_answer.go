package provider

// A partner or title that the API answers otherwise than it was sent
// (DESIGN.md, "A partner or title answered otherwise").

import (
	"fmt"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// keepHeld keeps the partner and title that held had (as configured, or as
// imported) where the API answers them otherwise. The API cannot rename a
// link, so a difference is its tidying of what was sent, and Terraform
// requires an apply's result to hold the configuration's values.
func (m *connectionLinkResourceModel) keepHeld(held connectionLinkResourceModel) {
	if !held.PartnerID.IsNull() && !held.PartnerID.IsUnknown() {
		m.PartnerID = held.PartnerID
	}
	if !held.Title.IsNull() && !held.Title.IsUnknown() {
		m.Title = held.Title
	}
}

// answeredOtherwise words a created link whose partner or title the API
// answers otherwise than the plan sent them.
func answeredOtherwise(plan connectionLinkResourceModel, s *albato.Sharing) (summary, detail string) {
	if s.PartnerID == plan.PartnerID.ValueInt64() && s.Title == plan.Title.ValueString() {
		return "", ""
	}
	return "Connection Link Created With Another Partner or Title",
		fmt.Sprintf("The API created connection link %d with partner_id %d and title %q, for the partner_id %d and "+
			"title %q sent. The state keeps the configured values, so that later plans stay empty; the link itself "+
			"is as the API answered.", s.ID, s.PartnerID, s.Title, plan.PartnerID.ValueInt64(), plan.Title.ValueString())
}
