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
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	if r.unchangedAndNotDue(ctx, req) {
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
		if r.data == nil {
			return // not configured: Terraform validates only
		}
		r.modifyUpdatePlan(ctx, state, plan, r.apiNowFrom(ctx, req.Private, &resp.Diagnostics), resp)
	}
	// Whatever else the plan says, store_token = false keeps the secrets
	// out of it.
	if !plan.storesToken() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token"), types.StringNull())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("link"), types.StringNull())...)
	}
}

// unchangedAndNotDue reports a link whose plan is its prior state, unchanged
// (the configuration did not change it), and which is not a waiting link due
// for an expiry regeneration, nor revoked: nothing modifyUpdatePlan would do.
// It reads the four attributes it needs from the raw values, because
// decoding the whole state and plan into structs for every link of every
// plan is most of what a plan of many links costs the provider
// (BENCHMARKS.md).
func (r *connectionLinkResource) unchangedAndNotDue(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if r.data == nil || req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
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
	switch n, _ := status.Int64(); albato.Status(n) {
	case albato.StatusGranted, albato.StatusWaitingOAuth:
		return true
	case albato.StatusWaiting:
	default:
		return false // revoked, or unknown to us: the full judgement
	}
	var expiresAt, before *string
	var whenExpired *bool
	if attrs["expires_at"].As(&expiresAt) != nil || attrs["regenerate_before"].As(&before) != nil ||
		attrs["regenerate_when_expired"].As(&whenExpired) != nil || before == nil || whenExpired == nil {
		return false
	}
	if !*whenExpired || expiresAt == nil {
		return true
	}
	window, err := time.ParseDuration(*before)
	expiry, perr := time.Parse(time.RFC3339, *expiresAt)
	if err != nil || perr != nil {
		return false
	}
	var diags diag.Diagnostics
	now := r.apiNowFrom(ctx, req.Private, &diags)
	return !diags.HasError() && !dueForRegeneration(albato.StatusWaiting, expiry, window, now)
}

// modifyUpdatePlan plans a change of an existing link: its replacement, a
// regeneration in place, or taking the token into the state again.
func (r *connectionLinkResource) modifyUpdatePlan(ctx context.Context, state, plan connectionLinkResourceModel, now time.Time, resp *resource.ModifyPlanResponse) {
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

	if r.regenerationPossible(ctx, state, plan, now) {
		tflog.Debug(ctx, "Planning an in-place regeneration of the connection link", map[string]any{"id": state.ID.ValueString()})
		if summary, detail := regenerationReason(state, plan, now); summary != "" {
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
// triggers reset, or a link expired (or about to) on the API's clock.
func regenerationReason(state, plan connectionLinkResourceModel, now time.Time) (summary, detail string) {
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
	case isExpired(albato.Status(state.Status.ValueInt64()), parseTimeAttr(state.ExpiresAt), now):
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
// for an expiry regeneration according to the prior state and the clock.
func (r *connectionLinkResource) regenerationPossible(ctx context.Context, state, plan connectionLinkResourceModel, now time.Time) bool {
	if plan.RegenerateTriggers.IsUnknown() {
		return true
	}
	if triggersChanged(state, plan) {
		return true
	}
	if state.Status.ValueInt64() != int64(albato.StatusWaiting) {
		return false
	}
	if plan.RegenerateWhenExpired.IsUnknown() || plan.RegenerateBefore.IsUnknown() {
		return true
	}
	return r.dueForExpiryRegeneration(ctx, state, plan, now)
}

// apiNowFrom is now on the API's clock: ours, corrected by the offset the
// API's last answer showed (kept in private state, so that a plan without
// refresh and the apply's new process judge as the refresh did).
func (r *connectionLinkResource) apiNowFrom(ctx context.Context, private privateGetter, diags *diag.Diagnostics) time.Time {
	offset, d := getClockOffset(ctx, private)
	diags.Append(d...)
	return r.data.clock.Now().Add(offset)
}

// triggersChanged reports a change of regenerate_triggers' values; setting
// or removing the whole map only records it.
func triggersChanged(state, plan connectionLinkResourceModel) bool {
	if state.RegenerateTriggers.IsNull() || plan.RegenerateTriggers.IsNull() || plan.RegenerateTriggers.IsUnknown() {
		return false
	}
	return !state.RegenerateTriggers.Equal(plan.RegenerateTriggers)
}

// dueForExpiryRegeneration judges, from the prior state and now on the
// API's clock (see apiNowFrom), whether a waiting link is past (or within
// regenerate_before of) its expiry and regenerate_when_expired allows acting
// on it.
func (r *connectionLinkResource) dueForExpiryRegeneration(ctx context.Context, state, plan connectionLinkResourceModel, now time.Time) bool {
	if !plan.RegenerateWhenExpired.ValueBool() {
		return false
	}
	before, err := time.ParseDuration(plan.RegenerateBefore.ValueString())
	if err != nil || before < 0 {
		return false // the validator reports it
	}
	expiry := parseTimeAttr(state.ExpiresAt)
	due := dueForRegeneration(albato.Status(state.Status.ValueInt64()), expiry, before, now)
	tflog.Trace(ctx, "Judged connection link expiry", map[string]any{
		"id": state.ID.ValueString(), "expires_at": state.ExpiresAt.ValueString(),
		"regenerate_before": before.String(), "now": formatTime(now), "due": due,
	})
	return due
}
