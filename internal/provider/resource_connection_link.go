package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ resource.ResourceWithConfigure   = (*connectionLinkResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*connectionLinkResource)(nil)
	_ resource.ResourceWithImportState = (*connectionLinkResource)(nil)
	_ resource.ResourceWithIdentity    = (*connectionLinkResource)(nil)
)

// NewConnectionLinkResource returns the albato_connection_link resource.
func NewConnectionLinkResource() resource.Resource { return &connectionLinkResource{} }

type connectionLinkResource struct {
	data *providerData
}

func (r *connectionLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (r *connectionLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// save saves m, filled from the answer s, as the state, and mem as the private state.
func (r *connectionLinkResource) save(ctx context.Context, state *tfsdk.State, private privateState,
	m *connectionLinkResourceModel, s *albato.Sharing, mem linkMemory, kind answerSource,
) diag.Diagnostics {
	mem.record(s, r.data.apiNow(s), kind, m.IssuedAt.ValueInt64())
	mem.account = r.data.account()
	held := *m
	m.fill(s, r.data, mem.issuedAt)
	m.keepHeld(held)
	if !m.storesToken() {
		m.forgetToken()
	}
	diags := state.Set(ctx, m)
	diags.Append(mem.save(ctx, private)...)
	return diags
}

func (r *connectionLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectionLinkResourceModel
	ctx, ok := r.data.decode(ctx, req.Plan, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	partnerID, title := plan.PartnerID.ValueInt64(), plan.Title.ValueString()
	result, err := r.data.client.CreateSharing(ctx, partnerID, title)
	if err != nil {
		resp.Diagnostics.AddError(r.data.createErrorDiagnostic(partnerID, title, err))
		return
	}
	created, kind := result.Sharing, answerCreated
	if result.Adopted {
		resp.Diagnostics.AddWarning(adoptedWarning(partnerID, title, created.ID, result.Cause))
		kind = answerAdopted
	}
	ctx = withSecretsMasked(ctx, r.data, created.Token)
	tflog.Info(ctx, "Created connection link", map[string]any{"id": created.ID, "partner_id": created.PartnerID})
	var mem linkMemory
	mem.record(created, r.data.apiNow(created), kind, 0)

	// The POST answer has no dateCreated: one GET makes the next plan empty.
	current, err := r.data.getLink(ctx, created.ID)
	if err != nil {
		_, detail := r.data.readError(created.ID, err)
		resp.Diagnostics.AddWarning("Connection Link Created but Not Read Back",
			fmt.Sprintf("Connection link %d was created and is saved in the state, but reading it back failed: %s "+
				"The next refresh fills in date_created.", created.ID, detail))
		current = created
	}
	if summary, detail := answeredOtherwise(plan, current); summary != "" {
		resp.Diagnostics.AddWarning(summary, detail)
	}
	resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, &plan, current, mem, answerRead)...)
	resp.Diagnostics.Append(r.identify(ctx, resp.Identity, current.ID)...)
}

func (r *connectionLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectionLinkResourceModel
	ctx, ok := r.data.decode(ctx, req.State, &state, &resp.Diagnostics)
	if !ok {
		return
	}
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}
	mem, diags := loadMemory(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if !r.data.checkAccount(mem.account, state.ID.ValueString(), &resp.Diagnostics) {
		// Set the identity, but hold no link: in this account the id is another link.
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID.ValueString())...)
		return
	}
	resp.Diagnostics.Append(r.identify(ctx, resp.Identity, id)...)

	current, err := r.data.reads.Get(ctx, id)
	if err != nil && !linkGone(nil, err) {
		resp.Diagnostics.AddError(r.data.readError(id, err))
		return
	}
	if linkGone(current, err) {
		what := "was deleted"
		if err == nil {
			what = "was revoked"
		}
		tflog.Warn(ctx, "Connection link "+what+"; removing it from the state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddWarning("Connection Link Revoked Outside Terraform",
			fmt.Sprintf("Connection link %d %s outside Terraform, so it is no longer in the state. %s", id, what, goneRemedy))
		return
	}
	ctx = withSecretsMasked(ctx, r.data, current.Token)
	state.withDefaults()
	resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, &state, current, mem, answerRead)...)
}

func (r *connectionLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var state, plan connectionLinkResourceModel
	ctx, ok := r.data.decode(ctx, req.Plan, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	mem, diags := loadMemory(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if !r.data.checkAccount(mem.account, state.ID.ValueString(), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(r.identify(ctx, resp.Identity, id)...)

	// Only a plan that regenerates leaves status unknown (DESIGN.md, "What a plan shows").
	result := plan
	result.linkView = state.linkView
	f := readPlanFacts(state, plan, mem.readAt)
	switch {
	case plan.Status.IsUnknown() && f.regeneration() == surely:
		r.regenerate(ctx, req, resp, &result, id, mem, f.triggers == surely)
		return
	case f.takesTokenBack():
		current := r.readForUpdate(ctx, resp, id)
		if current == nil {
			return
		}
		read := viewOf(current, r.data)
		result.Token, result.Link = read.Token, read.Link
	}
	if !result.storesToken() {
		result.forgetToken()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &result)...)
}

// regenerate regenerates the link as the plan said, unless the end user
// acted since (DESIGN.md's second table).
func (r *connectionLinkResource) regenerate(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse,
	result *connectionLinkResourceModel, id int64, mem linkMemory, byTriggers bool,
) {
	planned := albato.Status(result.Status.ValueInt64()) // the status the plan was made on
	if !byTriggers || planned != albato.StatusGranted {
		current := r.readForUpdate(ctx, resp, id)
		if current == nil {
			return
		}
		ctx = withSecretsMasked(ctx, r.data, current.Token)
		completed := current.Status != planned && (current.Status == albato.StatusGranted || current.Status == albato.StatusWaitingOAuth)
		switch {
		case linkGone(current, nil):
			// Saved as revoked, so that the next plan replaces it, even with -refresh=false.
			resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, result, current, mem, answerRead)...)
			resp.Diagnostics.AddError(goneSincePlan(id))
			return
		case byTriggers && completed:
			resp.State.Raw = req.State.Raw
			resp.Diagnostics.AddError("Connection Link Completed After the Plan",
				fmt.Sprintf("The end user of connection link %d completed it after the plan was made (status %s now), so "+
					"it was not regenerated: that would reset it to waiting and clear its credential_id. Nothing "+
					"was changed. The next plan shows the completed link and, if regenerate_triggers still differ, "+
					"its regeneration again, with a warning.", id, current.Status.Name()))
			return
		case !byTriggers && current.Status != albato.StatusWaiting:
			tflog.Info(ctx, "Connection link was taken up by its end user since the plan; not regenerating it",
				map[string]any{"id": id, "status": current.Status.Name()})
			resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, result, current, mem, answerRead)...)
			return
		}
	}
	regenerated, err := r.data.client.RegenerateSharing(ctx, id)
	if err != nil {
		if !deletedSincePlan(ctx, resp, id, err) {
			resp.Diagnostics.AddError("Unable to Regenerate Connection Link",
				r.data.apiErrorDetail(fmt.Sprintf("regenerate connection link %d", id), err))
		}
		return
	}
	ctx = withSecretsMasked(ctx, r.data, regenerated.Token)
	tflog.Info(ctx, "Regenerated connection link token", map[string]any{"id": id})
	resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, result, regenerated, mem, answerRegenerated)...)
}

// readForUpdate reads the link before an update acts on it; nil when the
// read failed, which it has reported.
func (r *connectionLinkResource) readForUpdate(ctx context.Context, resp *resource.UpdateResponse, id int64) *albato.Sharing {
	current, err := r.data.getLink(ctx, id)
	switch {
	case err == nil:
		return current
	case !deletedSincePlan(ctx, resp, id, err):
		resp.Diagnostics.AddError(r.data.readError(id, err))
	}
	return nil
}

// deletedSincePlan reports an update whose request found its link deleted
// (err is a 404), and drops it from the state (Terraform 1.16 keeps the
// prior state of a failed update all the same: the next refresh drops it).
func deletedSincePlan(ctx context.Context, resp *resource.UpdateResponse, id int64, err error) bool {
	if linkGone(nil, err) {
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddError(goneSincePlan(id))
	}
	return linkGone(nil, err)
}

// goneSincePlan is the error of an update whose link was revoked or deleted after the plan.
func goneSincePlan(id int64) (summary, detail string) {
	return "Connection Link Revoked Outside Terraform",
		fmt.Sprintf("Connection link %d was revoked or deleted outside Terraform after the plan was made, so it "+
			"cannot be updated. %s", id, goneRemedy)
}

func (r *connectionLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectionLinkResourceModel
	ctx, ok := r.data.decode(ctx, req.State, &state, &resp.Diagnostics)
	if !ok {
		return
	}
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), new(diag.Diagnostics))
	if !ok {
		return // nothing the API could know; dropping it from the state is all there is to do
	}
	if mem, diags := loadMemory(ctx, req.Private); !r.data.checkAccount(mem.account, state.ID.ValueString(), &diags) {
		resp.Diagnostics.Append(diags...)
		return
	}
	_, err := r.data.client.RevokeSharing(ctx, id)
	if err == nil || linkGone(nil, err) {
		tflog.Info(ctx, "Revoked connection link", map[string]any{"id": id})
		return
	}
	// An API that refuses to revoke a revoked link: only then is a read worth it.
	var apiErr *albato.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode < 500 && !albato.IsUnauthorized(err) {
		if current, gerr := r.data.getLink(ctx, id); linkGone(current, gerr) {
			return
		}
	}
	resp.Diagnostics.AddError("Unable to Revoke Connection Link", r.data.apiErrorDetail(fmt.Sprintf("revoke connection link %d", id), err))
}

func (r *connectionLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, r.data)
	// An import block with an identity sends no import id.
	rawID := req.ID
	if rawID == "" && req.Identity != nil {
		var identity connectionLinkIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		rawID = identity.ID.ValueString()
	}
	current, id := r.data.readLink(ctx, rawID, "", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if linkGone(current, nil) {
		resp.Diagnostics.AddError("Cannot Import a Revoked Connection Link",
			fmt.Sprintf("Connection link %d is revoked, so it can never be used again and cannot be managed. "+
				"Create a new albato_connection_link instead.", id))
		return
	}
	imported := importedState(current, r.data)
	resp.Diagnostics.Append(r.save(ctx, &resp.State, resp.Private, &imported, current, linkMemory{}, answerRead)...)
	resp.Diagnostics.Append(r.identify(ctx, resp.Identity, current.ID)...)
}

// identify is how every operation that writes an instance's state names its
// link: the client then knows the link is held, so that a create without a
// usable answer never takes it, and the identity is set.
func (r *connectionLinkResource) identify(ctx context.Context, identity *tfsdk.ResourceIdentity, id int64) diag.Diagnostics {
	r.data.client.HoldSharing(id)
	return setIdentity(ctx, identity, strconv.FormatInt(id, 10))
}
