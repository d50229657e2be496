package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// The filters of a listing of links, shared by the albato_connection_links
// data source and the albato_connection_link list resource so that both
// accept and mean the same thing.
const (
	partnerIDFilterDescription = "Only links of this partner (app) id."
	statusFilterDescription    = "Only links in this status: `0` waiting, `1` granted, `2` waiting for OAuth, `3` revoked."
)

// partnerIDFilterValidators validate the partner_id filter.
func partnerIDFilterValidators() []validator.Int64 {
	return []validator.Int64{int64validator.AtLeast(1)}
}

// statusFilterValidators validate the status filter.
func statusFilterValidators() []validator.Int64 {
	return []validator.Int64{int64validator.Between(0, 3)}
}

// linkFilter is the partner_id and status filters; a null one matches all.
type linkFilter struct {
	PartnerID types.Int64 `tfsdk:"partner_id"`
	Status    types.Int64 `tfsdk:"status"`
}

// matches reports whether s passes both filters.
func (f linkFilter) matches(s albato.Sharing) bool {
	if !f.PartnerID.IsNull() && s.PartnerID != f.PartnerID.ValueInt64() {
		return false
	}
	return f.Status.IsNull() || int64(s.Status) == f.Status.ValueInt64()
}
