package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ resource.Resource                = (*connectionLinkResource)(nil)
	_ resource.ResourceWithConfigure   = (*connectionLinkResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*connectionLinkResource)(nil)
	_ resource.ResourceWithImportState = (*connectionLinkResource)(nil)
	_ resource.ResourceWithIdentity    = (*connectionLinkResource)(nil)
)

// NewConnectionLinkResource returns the albato_connection_link resource.
func NewConnectionLinkResource() resource.Resource {
	return &connectionLinkResource{}
}

type connectionLinkResource struct {
	data *providerData
}

// connectionLinkResourceModel is the resource's state: the shared link
// attributes and the regeneration settings, which exist only in configuration.
type connectionLinkResourceModel struct {
	linkAttributes
	RegenerateTriggers    types.Map    `tfsdk:"regenerate_triggers"`
	RegenerateWhenExpired types.Bool   `tfsdk:"regenerate_when_expired"`
	RegenerateBefore      types.String `tfsdk:"regenerate_before"`
	StoreToken            types.Bool   `tfsdk:"store_token"`
}

// The settings' defaults: the schema's, and those of a state that lacks
// them (an import, or a state written by an older version).
const (
	defaultRegenerateWhenExpired = true
	defaultRegenerateBefore      = "0s"
	defaultStoreToken            = true
)

// withDefaults gives each setting the state lacks its default.
func (m *connectionLinkResourceModel) withDefaults() {
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

// storesToken reports whether token and link may be kept in state; a
// store_token not known yet counts as its default.
func (m connectionLinkResourceModel) storesToken() bool {
	if m.StoreToken.IsNull() || m.StoreToken.IsUnknown() {
		return defaultStoreToken
	}
	return m.StoreToken.ValueBool()
}

// fill sets the link attributes from a sharing, and keeps token and link
// out of the state when store_token says so.
func (m *connectionLinkResourceModel) fill(s *albato.Sharing, pd *providerData, issuedAt time.Time) {
	m.linkAttributes.fill(s, pd, issuedAt)
	if !m.storesToken() {
		m.forgetToken()
	}
}

func (r *connectionLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (r *connectionLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := func() []planmodifier.String { return []planmodifier.String{stringplanmodifier.UseStateForUnknown()} }
	keepInt := func() []planmodifier.Int64 { return []planmodifier.Int64{int64planmodifier.UseStateForUnknown()} }

	resp.Schema = schema.Schema{
		MarkdownDescription: "A one-time **connection link** (an Albato *sharing*): the partner hands the `link` to " +
			"its client, who follows it, signs in to the app, and so creates a connection whose id then appears " +
			"as `credential_id`.\n\n" +
			"A link is valid for 48 hours after its token was issued and works once. Terraform shows what the end " +
			"user did as changes outside Terraform; a link revoked outside Terraform is planned to be created again. " +
			"The token is regenerated in place (same `id`) when `regenerate_triggers` change, and, unless " +
			"`regenerate_when_expired` is `false`, when a waiting link has expired (or is within `regenerate_before` " +
			"of expiring).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The sharing id, in decimal.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"partner_id": schema.Int64Attribute{
				MarkdownDescription: "The partner (app) id whose connection the end user creates, e.g. `225`. " +
					"Changing it replaces the link.",
				Required:      true,
				Validators:    []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"title": schema.StringAttribute{
				MarkdownDescription: "Title of the link, 1 to 255 characters; say what the connection is for. " +
					"Changing it replaces the link, because the API cannot rename one.",
				Required:      true,
				Validators:    []validator.String{titleLength},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"regenerate_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; when any of them changes, the token is regenerated in place " +
					"(same `id`, new `token` and `link`, status back to waiting). Setting it where it was null " +
					"(newly added to the configuration, or after an import) only records it.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"regenerate_when_expired": schema.BoolAttribute{
				MarkdownDescription: "Whether a plan regenerates the token in place once a waiting link has expired, " +
					"or is within `regenerate_before` of expiring (default: `true`). Judged as of the link's last " +
					"refresh (or create, update, import), never the clock of the moment, so that a saved plan applies " +
					"as planned however much later; a `-refresh=false` plan judges as of the last refresh.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(defaultRegenerateWhenExpired),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"regenerate_before": schema.StringAttribute{
				MarkdownDescription: "How long before `expires_at` to plan that regeneration already, as a Go duration " +
					"such as `\"6h\"` or `\"90m\"` (default: `\"0s\"`, i.e. at expiry), so that a link handed out today " +
					"is not about to die. A window of `\"48h\"` or more regenerates a waiting link on every plan.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(defaultRegenerateBefore),
				Validators:    []validator.String{durationValidator{}},
				PlanModifiers: keep(),
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The one-time token. Null once the link is granted or revoked (the token is " +
					"spent or dead) and whenever `store_token` is `false`.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep(),
			},
			"link": schema.StringAttribute{
				MarkdownDescription: "The link to hand to the end user: `<connect_url>?id=<partner_id>&token=<token>`. " +
					"Anyone holding it can create the connection until it is used, revoked or expired. Null once the " +
					"link is granted or revoked and whenever `store_token` is `false`.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep(),
			},
			"store_token": schema.BoolAttribute{
				MarkdownDescription: "Whether `token` and `link` are kept in the state (default: `true`). With `false` " +
					"they are null in state and plan, always; read the link with the `albato_connection_link` " +
					"ephemeral resource (Terraform 1.10+, OpenTofu 1.11+) and pass it to a write-only argument, " +
					"with `issued_at` as its version. Turning it back on reads the link once at apply.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(defaultStoreToken),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"issued_at": schema.Int64Attribute{
				MarkdownDescription: "When the current token was issued, in Unix seconds; `expires_at` is 48 hours " +
					"later. It changes at every regeneration and never otherwise, and is not secret: use it as the " +
					"`*_wo_version` of a write-only argument that receives the link. Null until known (after an " +
					"import, until the API reports `date_created`).",
				Computed:      true,
				PlanModifiers: keepInt(),
			},
			"status": schema.Int64Attribute{
				MarkdownDescription: "`0` waiting, `1` granted (the connection exists), `2` waiting for OAuth, `3` revoked.",
				Computed:            true,
				PlanModifiers:       keepInt(),
			},
			"status_name": schema.StringAttribute{
				MarkdownDescription: "The status as a word: `waiting`, `granted`, `waiting_oauth` or `revoked`.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"credential_id": schema.Int64Attribute{
				MarkdownDescription: "Null until the end user completes the link (status `1`); then the id of the " +
					"connection created, to feed a solution installation. A regeneration clears it again (the " +
					"connection itself stays in the account).",
				Computed:      true,
				PlanModifiers: keepInt(),
			},
			"date_created": schema.StringAttribute{
				MarkdownDescription: "When the API created the link, RFC 3339 in UTC; null until the API reports it.",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "RFC 3339 in UTC: 48 hours after the token was last issued (`issued_at`).",
				Computed:            true,
				PlanModifiers:       keep(),
			},
			"expired": schema.BoolAttribute{
				MarkdownDescription: "Whether the link is waiting and at or past `expires_at`, as of the last refresh (on the API's clock).",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *connectionLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, resp.Diagnostics.AddError); pd != nil {
		r.data = pd
	}
}

func (r *connectionLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, r.data)
	var plan connectionLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	result, err := r.data.client.CreateSharing(ctx, plan.PartnerID.ValueInt64(), plan.Title.ValueString())
	if err != nil {
		resp.Diagnostics.AddError(r.data.createErrorDiagnostic(plan, err))
		return
	}
	created := result.Sharing
	issuedAt := r.data.apiNow(created)
	if result.Adopted {
		resp.Diagnostics.AddWarning(adoptedWarning(plan, created.ID, result.Cause))
		if created.DateCreated != nil {
			issuedAt = *created.DateCreated // the token was issued then, not now
		}
	}
	ctx = withSecretsMasked(ctx, r.data, created.Token)
	tflog.Info(ctx, "Created connection link", map[string]any{"id": created.ID, "partner_id": created.PartnerID})

	// The POST answer has no dateCreated yet; one GET brings the state to
	// what later reads return, so that the next plan is empty.
	current, err := r.data.client.GetSharing(ctx, created.ID)
	if err != nil {
		resp.Diagnostics.AddWarning("Connection Link Created but Not Read Back",
			fmt.Sprintf("Connection link %d was created and is saved in the state, but reading it back failed: %s "+
				"The next refresh fills in date_created.", created.ID, r.data.apiErrorDetail("read the new link", err)))
		current = created
	}

	resp.Diagnostics.Append(r.saveReading(ctx, &resp.State, resp.Private, &plan, current, issuedAt)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.ID.ValueString())...)
	resp.Diagnostics.Append(setPrivateTime(ctx, resp.Private, privateIssuedAtKey, issuedAt)...)
}

func (r *connectionLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx, state, ok := r.priorState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}
	// The framework wants the identity even from a read that removes the
	// resource, and older CLIs send none: set it first.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID.ValueString())...)

	current, err := r.data.reads.Get(ctx, id)
	if albato.IsNotFound(err) {
		tflog.Warn(ctx, "Connection link no longer exists; removing it from the state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddWarning(goneOutsideTerraform(id, "was deleted"))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Connection Link", r.data.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err))
		return
	}
	ctx = withSecretsMasked(ctx, r.data, current.Token)
	if current.Status == albato.StatusRevoked {
		tflog.Warn(ctx, "Connection link was revoked; removing it from the state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddWarning(goneOutsideTerraform(id, "was revoked"))
		return
	}

	issuedAt, diags := privateTime(ctx, req.Private, privateIssuedAtKey)
	resp.Diagnostics.Append(diags...)
	seen, diags := privateString(ctx, req.Private, privateTokenSeenKey)
	resp.Diagnostics.Append(diags...)
	if seen != "" && current.Token != "" && seen != tokenFingerprint(current.Token) {
		// Regenerated outside this resource since its last reading: the
		// token is at most as old as this reading, so its 48 hours count
		// from here (late by at most the time between the two readings).
		issuedAt = r.data.apiNow(current)
		tflog.Debug(ctx, "Connection link's token was regenerated outside this resource", map[string]any{"id": id})
		resp.Diagnostics.Append(setPrivateTime(ctx, resp.Private, privateIssuedAtKey, issuedAt)...)
	}
	state.withDefaults()
	resp.Diagnostics.Append(r.saveReading(ctx, &resp.State, resp.Private, &state, current, issuedAt)...)
}

// saveReading saves m, filled from the API's answer s, as the state, and the
// moment of that answer as the one every plan judges expiry as of.
func (r *connectionLinkResource) saveReading(ctx context.Context, state *tfsdk.State, private privateSetter,
	m *connectionLinkResourceModel, s *albato.Sharing, issuedAt time.Time,
) diag.Diagnostics {
	m.fill(s, r.data, issuedAt)
	diags := state.Set(ctx, m)
	diags.Append(setPrivateTime(ctx, private, privateReadAtKey, r.data.apiNow(s))...)
	if s.Token != "" {
		diags.Append(setPrivateString(ctx, private, privateTokenSeenKey, tokenFingerprint(s.Token))...)
	}
	return diags
}

// goneOutsideTerraform is the warning of a refresh that finds a link revoked
// or deleted: without it the plan only says "will be created".
func goneOutsideTerraform(id int64, what string) (summary, detail string) {
	return "Connection Link Revoked Outside Terraform",
		fmt.Sprintf("Connection link %d %s outside Terraform, so it is no longer in the state. While the "+
			"configuration declares it, the plan creates a new link in its place, with a new id and token: hand "+
			"the new link out again.", id, what)
}

// saveAsRead stores the link as the API last described it, keeping the
// issue time recorded in the private state, when Update finds that no
// regeneration should happen after all.
func (r *connectionLinkResource) saveAsRead(ctx context.Context, private privateGetter, resp *resource.UpdateResponse,
	result *connectionLinkResourceModel, current *albato.Sharing,
) {
	issuedAt, diags := privateTime(ctx, private, privateIssuedAtKey)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(r.saveReading(ctx, &resp.State, resp.Private, result, current, issuedAt)...)
}

func (r *connectionLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, r.data)
	var state, plan connectionLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}
	// Nothing in an update changes the id, and so the identity; older CLIs
	// send none, so it is set every time.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ID.ValueString())...)

	// Update does what the plan said, never judging the clock again: only a
	// plan that regenerates leaves status unknown. Otherwise only the
	// settings changed: keep what the API last said and send nothing.
	result := plan
	result.linkAttributes = state.linkAttributes
	readAt, diags := privateTime(ctx, req.Private, privateReadAtKey)
	resp.Diagnostics.Append(diags...)

	switch regenerating := plan.Status.IsUnknown(); {
	case regenerating && triggersChanged(state, plan):
		r.regenerate(ctx, resp, &result, id)
		return

	case regenerating && dueForExpiryRegeneration(ctx, state, plan, readAt):
		r.regenerateExpired(ctx, req.Private, resp, &result, id)
		return

	case takesTokenBack(state, plan):
		// store_token turned on: the state has no token to keep. Only the
		// token is taken from the reading, the rest is what the plan showed.
		current, err := r.data.client.GetSharing(ctx, id)
		if err != nil {
			r.handleReadBackError(ctx, resp, id, err)
			return
		}
		ctx = withSecretsMasked(ctx, r.data, current.Token)
		var read linkAttributes
		read.fill(current, r.data, time.Time{})
		result.Token, result.Link = read.Token, read.Link
	}

	if !result.storesToken() {
		result.forgetToken()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &result)...)
}

// regenerate sends the PUT and saves its answer.
func (r *connectionLinkResource) regenerate(ctx context.Context, resp *resource.UpdateResponse, result *connectionLinkResourceModel, id int64) {
	regenerated, err := r.data.client.RegenerateSharing(ctx, id)
	if err != nil {
		r.handleUpdateError(ctx, resp, id, err)
		return
	}
	r.applyRegenerated(ctx, resp, result, regenerated)
}

// regenerateExpired regenerates a link the plan found expired, unless the
// end user acted since the plan: it looks before resetting. A link taken up
// meanwhile is saved as read; one revoked meanwhile is an error.
func (r *connectionLinkResource) regenerateExpired(ctx context.Context, private privateGetter, resp *resource.UpdateResponse,
	result *connectionLinkResourceModel, id int64,
) {
	current, err := r.data.client.GetSharing(ctx, id)
	if err != nil {
		r.handleUpdateError(ctx, resp, id, err)
		return
	}
	ctx = withSecretsMasked(ctx, r.data, current.Token)
	switch current.Status {
	case albato.StatusRevoked:
		// Keep the revoked record, not nothing: Terraform keeps the prior
		// state when an update fails with none, and a revoked record makes
		// even a -refresh=false plan replace it.
		r.saveAsRead(ctx, private, resp, result, current)
		r.revokedMeanwhile(resp, id)
	case albato.StatusWaiting:
		r.regenerate(ctx, resp, result, id)
	default:
		tflog.Info(ctx, "Connection link was taken up by its end user since the plan; not regenerating it",
			map[string]any{"id": id, "status": current.Status.Name()})
		r.saveAsRead(ctx, private, resp, result, current)
	}
}

// handleReadBackError reports a failed read of the token after store_token
// was turned on; a link that is gone leaves the state for the next plan to
// create it again.
func (r *connectionLinkResource) handleReadBackError(ctx context.Context, resp *resource.UpdateResponse, id int64, err error) {
	if albato.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddError("Connection Link Revoked Outside Terraform",
			fmt.Sprintf("Connection link %d was revoked or deleted outside Terraform. The next plan creates a new "+
				"link in its place.", id))
		return
	}
	resp.Diagnostics.AddError("Unable to Read Connection Link",
		r.data.apiErrorDetail(fmt.Sprintf("read connection link %d to store its token", id), err))
}

// applyRegenerated saves the answer of a PUT and when its token was issued.
func (r *connectionLinkResource) applyRegenerated(ctx context.Context, resp *resource.UpdateResponse, result *connectionLinkResourceModel, s *albato.Sharing) {
	ctx = withSecretsMasked(ctx, r.data, s.Token)
	issuedAt := r.data.apiNow(s)
	// issued_at versions the token for write-only consumers: a new token
	// must get a new one, even within the second of the last (the API's
	// Date header counts whole seconds).
	if prior := result.IssuedAt; !prior.IsNull() && !prior.IsUnknown() && issuedAt.Unix() <= prior.ValueInt64() {
		issuedAt = time.Unix(prior.ValueInt64()+1, 0).UTC()
	}
	tflog.Info(ctx, "Regenerated connection link token", map[string]any{"id": s.ID})
	resp.Diagnostics.Append(r.saveReading(ctx, &resp.State, resp.Private, result, s, issuedAt)...)
	resp.Diagnostics.Append(setPrivateTime(ctx, resp.Private, privateIssuedAtKey, issuedAt)...)
}

// handleUpdateError reports a failed regeneration; a link that is gone is
// taken out of the state so that the next plan creates it again.
func (r *connectionLinkResource) handleUpdateError(ctx context.Context, resp *resource.UpdateResponse, id int64, err error) {
	if albato.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		r.revokedMeanwhile(resp, id)
		return
	}
	resp.Diagnostics.AddError("Unable to Regenerate Connection Link",
		r.data.apiErrorDetail(fmt.Sprintf("regenerate connection link %d", id), err))
}

func (r *connectionLinkResource) revokedMeanwhile(resp *resource.UpdateResponse, id int64) {
	resp.Diagnostics.AddError("Connection Link Revoked Outside Terraform",
		fmt.Sprintf("Connection link %d was revoked or deleted outside Terraform after the plan was made, so it "+
			"cannot be regenerated. The next plan creates a new link in its place.", id))
}

func (r *connectionLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx, state, ok := r.priorState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	id, ok := sharingID(state.ID.ValueString(), path.Root("id"), new(diag.Diagnostics))
	if !ok {
		return // nothing the API could know; dropping it from the state is all there is to do
	}
	_, err := r.data.client.RevokeSharing(ctx, id)
	if err == nil || albato.IsNotFound(err) {
		tflog.Info(ctx, "Revoked connection link", map[string]any{"id": id})
		return
	}
	// An API that refuses to revoke what is already revoked still means
	// the link is gone; only then is a read worth its request.
	var apiErr *albato.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode < 500 && !albato.IsUnauthorized(err) {
		if current, gerr := r.data.client.GetSharing(ctx, id); albato.IsNotFound(gerr) || (gerr == nil && current.Status == albato.StatusRevoked) {
			return
		}
	}
	resp.Diagnostics.AddError("Unable to Revoke Connection Link", r.data.apiErrorDetail(fmt.Sprintf("revoke connection link %d", id), err))
}

func (r *connectionLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, r.data)
	// An import block with identity = { id = "..." } (Terraform and
	// OpenTofu 1.12+) sends no import id.
	rawID := req.ID
	if rawID == "" && req.Identity != nil {
		var identity connectionLinkIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		rawID = identity.ID.ValueString()
	}
	id, ok := sharingID(rawID, path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}
	current, err := r.data.client.GetSharing(ctx, id)
	if albato.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot Import Connection Link",
			fmt.Sprintf("There is no connection link with id %d in this Albato account.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import Connection Link", r.data.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err))
		return
	}
	if current.Status == albato.StatusRevoked {
		resp.Diagnostics.AddError("Cannot Import a Revoked Connection Link",
			fmt.Sprintf("Connection link %d is revoked, so it can never be used again and cannot be managed. "+
				"Create a new albato_connection_link instead.", id))
		return
	}
	imported := connectionLinkResourceModel{RegenerateTriggers: types.MapNull(types.StringType)}
	imported.withDefaults()
	resp.Diagnostics.Append(r.saveReading(ctx, &resp.State, resp.Private, &imported, current, time.Time{})...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, imported.ID.ValueString())...)
}

// connectionLinkIdentityModel is the resource identity: the sharing id,
// which no in-place change (a regeneration included) ever alters.
type connectionLinkIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (r *connectionLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "The sharing id, in decimal.",
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity records the identity. Every operation sets it explicitly:
// CLIs before Terraform 1.12 send none, and the framework then expects the
// provider to fill it in.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, connectionLinkIdentityModel{ID: types.StringValue(id)})
}

// priorState decodes the prior state of a Read or Delete, with the API token
// masked in every log line of the returned context.
func (r *connectionLinkResource) priorState(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics,
) (context.Context, connectionLinkResourceModel, bool) {
	ctx = withSecretsMasked(ctx, r.data)
	var m connectionLinkResourceModel
	diags.Append(state.Get(ctx, &m)...)
	return ctx, m, !diags.HasError()
}

// configured guards the CRUD methods against a provider that was never
// configured (a nil dereference otherwise) or whose arguments are unknown.
func (r *connectionLinkResource) configured(diags *diag.Diagnostics) bool {
	return r.data.ready(diags)
}
