package provider

// How a plan changes an existing link: its replacement, a regeneration in
// place (triggers, or expiry judged on the API's clock), or taking the token
// back into the state. Terraform shows what ModifyPlan decides; Update then
// does what the plan said.

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// computedAttributes are the attributes a regeneration may change: all
// computed ones but id.
var computedAttributes = map[string]attr.Value{
	"token":         types.StringUnknown(),
	"link":          types.StringUnknown(),
	"status":        types.Int64Unknown(),
	"status_name":   types.StringUnknown(),
	"credential_id": types.Int64Unknown(),
	"date_created":  types.StringUnknown(),
	"expires_at":    types.StringUnknown(),
	"expired":       types.BoolUnknown(),
	"issued_at":     types.Int64Unknown(),
}

func (r *connectionLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// No plan: a destroy. Nothing to judge.
	if req.Plan.Raw.IsNull() {
		return
	}
	// Expiry is judged as of the link's last reading, never the clock of
	// the moment: Terraform plans again at apply and must find the same.
	readAt, diags := privateTime(ctx, req.Private, privateReadAtKey)
	resp.Diagnostics.Append(diags...)
	r.planChange(ctx, req, resp, readAt)
}

// planChange plans a create or a change, judging expiry as of readAt.
func (r *connectionLinkResource) planChange(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, readAt time.Time) {
	if unchangedAndNotDue(req, readAt) {
		return // the common case of a plan, decided without decoding the whole state
	}
	var plan connectionLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No prior state: a create, whose computed attributes are unknown.
	if !req.State.Raw.IsNull() {
		var state connectionLinkResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		modifyUpdatePlan(ctx, state, plan, readAt, resp)
	}
	// Whatever else the plan says, store_token = false keeps the secrets
	// out of it.
	if !plan.storesToken() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), types.StringNull())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("link"), types.StringNull())...)
	}
}

// unchangedAndNotDue reports a link whose plan is its prior state, unchanged
// (the configuration did not change it), neither revoked nor due for an
// expiry regeneration: nothing modifyUpdatePlan would do. It reads the four
// attributes it needs from the raw values: decoding the whole state and plan
// into structs for every link is most of what a plan of many links costs the
// provider (BENCHMARKS.md).
func unchangedAndNotDue(req resource.ModifyPlanRequest, readAt time.Time) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	var attrs map[string]tftypes.Value
	if err := req.State.Raw.As(&attrs); err != nil {
		return false
	}
	var status *big.Float
	if err := attrs["status"].As(&status); err != nil || status == nil {
		return false
	}
	n, _ := status.Int64()
	if albato.Status(n) == albato.StatusRevoked {
		return false // replaced: the full judgement
	}
	var expiresAt, before *string
	var whenExpired *bool
	if attrs["expires_at"].As(&expiresAt) != nil || attrs["regenerate_before"].As(&before) != nil ||
		attrs["regenerate_when_expired"].As(&whenExpired) != nil {
		return false
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return !dueForRegeneration(albato.Status(n), deref(expiresAt), whenExpired != nil && *whenExpired, deref(before), readAt)
}

// modifyUpdatePlan plans a change of an existing link: its replacement, a
// regeneration in place, or taking the token into the state again.
func modifyUpdatePlan(ctx context.Context, state, plan connectionLinkResourceModel, readAt time.Time, resp *resource.ModifyPlanResponse) {
	// Only a failed regeneration leaves a revoked link in the state (a
	// refresh removes it): replace it.
	if state.Status.ValueInt64() == int64(albato.StatusRevoked) {
		for name, unknown := range computedAttributes {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), unknown)...)
		}
		// Terraform honours a replace path only where the value changes.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		return
	}

	if !plan.PartnerID.Equal(state.PartnerID) || !plan.Title.Equal(state.Title) {
		if state.Status.ValueInt64() == int64(albato.StatusGranted) {
			resp.Diagnostics.AddWarning("Replacing a Completed Connection Link",
				fmt.Sprintf("Connection link %s was completed by its end user (credential_id %s). A change of "+
					"\"title\" or \"partner_id\" replaces it with a new link, which the end user must complete again; "+
					"the new link's credential_id is null until then. The existing connection stays in the account.",
					state.ID.ValueString(), state.CredentialID.String()))
		}
		return
	}

	if regenerationPossible(ctx, state, plan, readAt) {
		tflog.Debug(ctx, "Planning an in-place regeneration of the connection link", map[string]any{"id": state.ID.ValueString()})
		if summary, detail := regenerationReason(state, plan, readAt); summary != "" {
			resp.Diagnostics.AddWarning(summary, detail)
		}
		for name, unknown := range computedAttributes {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), unknown)...)
		}
		return
	}

	if takesTokenBack(state, plan) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("link"), types.StringUnknown())...)
	}
}

// regenerationReason words why a plan regenerates a link, for the plan's
// output, where an in-place update alone says nothing: a completed link that
// triggers reset, or a link expired (or about to) as of its last reading.
func regenerationReason(state, plan connectionLinkResourceModel, readAt time.Time) (summary, detail string) {
	id := state.ID.ValueString()
	switch {
	case triggersChanged(state, plan) && state.Status.ValueInt64() == int64(albato.StatusGranted):
		return "Regenerating a Completed Connection Link",
			fmt.Sprintf("Connection link %s was completed by its end user (credential_id %s). The change of "+
				"\"regenerate_triggers\" regenerates its token, which resets it to waiting and clears credential_id: "+
				"the end user must complete the new link again. The existing connection stays in the account.",
				id, state.CredentialID.String())
	case triggersChanged(state, plan):
		return "", ""
	case dueForRegeneration(albato.Status(state.Status.ValueInt64()), state.ExpiresAt.ValueString(), true, "0s", readAt):
		return "Regenerating an Expired Connection Link",
			fmt.Sprintf("Connection link %s expired at %s without being used, so its token is regenerated in place "+
				"(regenerate_when_expired). The old link stops working: hand out the new one.", id, state.ExpiresAt.ValueString())
	case !state.ExpiresAt.IsNull():
		return "Regenerating a Connection Link Before It Expires",
			fmt.Sprintf("Connection link %s expires at %s, within regenerate_before (%s), so its token is regenerated "+
				"in place. The old link stops working: hand out the new one.", id, state.ExpiresAt.ValueString(),
				plan.RegenerateBefore.ValueString())
	}
	return "", ""
}

// takesTokenBack reports a store_token turned from false to true on a link
// whose token is not spent: the apply reads the token into the state.
func takesTokenBack(state, plan connectionLinkResourceModel) bool {
	return !state.storesToken() && plan.storesToken() && !plan.StoreToken.IsUnknown() &&
		state.Status.ValueInt64() != int64(albato.StatusGranted)
}

// regenerationPossible decides at plan time whether apply may regenerate the
// token: triggers changed (or are not known yet), or the waiting link is due
// for an expiry regeneration as of its last reading.
func regenerationPossible(ctx context.Context, state, plan connectionLinkResourceModel, readAt time.Time) bool {
	if plan.RegenerateTriggers.IsUnknown() || triggersChanged(state, plan) {
		return true
	}
	if plan.RegenerateWhenExpired.IsUnknown() || plan.RegenerateBefore.IsUnknown() {
		return state.Status.ValueInt64() == int64(albato.StatusWaiting)
	}
	return dueForExpiryRegeneration(ctx, state, plan, readAt)
}

// triggersChanged reports a change of regenerate_triggers' values; setting
// or removing the whole map only records it.
func triggersChanged(state, plan connectionLinkResourceModel) bool {
	if state.RegenerateTriggers.IsNull() || plan.RegenerateTriggers.IsNull() || plan.RegenerateTriggers.IsUnknown() {
		return false
	}
	return !state.RegenerateTriggers.Equal(plan.RegenerateTriggers)
}

// dueForExpiryRegeneration judges, from the prior state and the planned
// settings, whether a link is due for an expiry regeneration as of readAt,
// its last reading.
func dueForExpiryRegeneration(ctx context.Context, state, plan connectionLinkResourceModel, readAt time.Time) bool {
	due := dueForRegeneration(albato.Status(state.Status.ValueInt64()), state.ExpiresAt.ValueString(),
		plan.RegenerateWhenExpired.ValueBool(), plan.RegenerateBefore.ValueString(), readAt)
	tflog.Trace(ctx, "Judged connection link expiry", map[string]any{
		"id": state.ID.ValueString(), "expires_at": state.ExpiresAt.ValueString(),
		"regenerate_before": plan.RegenerateBefore.ValueString(), "read_at": formatTime(readAt), "due": due,
	})
	return due
}
