package provider

// What the resource's state holds, shared with the types that build one:
// the plan, an import and the list resource's results.

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// connectionLinkResourceModel is the link's view and the settings.
type connectionLinkResourceModel struct {
	linkView
	RegenerateTriggers    types.Map    `tfsdk:"regenerate_triggers"`
	RegenerateWhenExpired types.Bool   `tfsdk:"regenerate_when_expired"`
	RegenerateBefore      types.String `tfsdk:"regenerate_before"`
	StoreToken            types.Bool   `tfsdk:"store_token"`
}

// The settings' defaults, also for a state that lacks them (an import, a
// query's result, an older version's state).
const (
	defaultRegenerateWhenExpired = true
	defaultRegenerateBefore      = "0s"
	defaultStoreToken            = true
)

func (m *connectionLinkResourceModel) withDefaults() {
	if m.RegenerateTriggers.IsNull() {
		m.RegenerateTriggers = types.MapNull(types.StringType)
	}
	if m.RegenerateWhenExpired.IsNull() {
		m.RegenerateWhenExpired = types.BoolValue(defaultRegenerateWhenExpired)
	}
	if m.RegenerateBefore.IsNull() {
		m.RegenerateBefore = types.StringValue(defaultRegenerateBefore)
	}
	if m.StoreToken.IsNull() {
		m.StoreToken = types.BoolValue(defaultStoreToken)
	}
}

func (m connectionLinkResourceModel) storesToken() bool {
	if m.StoreToken.IsNull() || m.StoreToken.IsUnknown() {
		return defaultStoreToken
	}
	return m.StoreToken.ValueBool()
}

// importedState is the state an import of s saves, as its refresh does.
func importedState(s *albato.Sharing, pd *providerData) connectionLinkResourceModel {
	var m connectionLinkResourceModel
	m.withDefaults()
	m.fill(s, pd, time.Time{})
	return m
}

// connectionLinkIdentityModel is the resource's identity: the link's id.
type connectionLinkIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// setIdentity records the identity, as every operation must: CLIs before
// Terraform 1.12 send none.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, connectionLinkIdentityModel{ID: types.StringValue(id)})
}

// keepHeld keeps the partner and title that held had (as configured, or as
// imported): Terraform requires an apply's result to hold the configured
// values (DESIGN.md, "A partner or title answered otherwise").
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
