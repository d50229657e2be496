package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var _ action.ActionWithConfigure = (*regenerateAction)(nil)

func NewConnectionLinkRegenerateAction() action.Action { return &regenerateAction{} }

type regenerateAction struct{ data *providerData }

type regenerateActionModel struct {
	ID           types.String `tfsdk:"id"`
	AllowGranted types.Bool   `tfsdk:"allow_granted"`
}

func (a *regenerateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link_regenerate"
}

func (a *regenerateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Regenerates one connection link's token now, as Albato's *Refresh credentials* button " +
			"does (Terraform 1.14 and later; OpenTofu 1.12 has no actions): one read of the link, then one `PUT`. " +
			"The link keeps its id; the old token stops working and the link must be handed out again. The next " +
			"refresh of an `albato_connection_link` resource that manages the link shows the new `token` and `link`.\n\n" +
			"A waiting link (status `0` or `2`) is regenerated; a revoked or deleted one is an error naming it. " +
			"A **granted** link is refused unless `allow_granted = true`: the API's regeneration resets it to " +
			"waiting and takes its `credential_id` off the link (the connection itself stays in the account), so " +
			"anything that reads `credential_id` from the link would lose it until the end user completes the new " +
			"link.\n\n" +
			"The action says a link was regenerated (a progress event, and for a granted link a warning that it is " +
			"waiting again) only once the API has confirmed it. When the `PUT` fails, the error says what is known: " +
			"nothing changed (the API refused it, or the link is gone), or, when the request got no usable answer (a " +
			"server error, a dropped connection), that the link may have been regenerated all the same, so read it " +
			"before handing it out.\n\n" +
			"Use it for links this configuration does not manage, or as a one-off " +
			"(`terraform apply -invoke=action.albato_connection_link_regenerate.<name>`, or an `action_trigger`). " +
			"For a link an `albato_connection_link` resource manages, a change of its `regenerate_triggers` does the " +
			"same through a plan. After this action the resource's next refresh shows the new token; since the API " +
			"does not say when a token was issued, the resource counts the new token's " + inWords(linkLifetime) + " from that refresh " +
			"(late by at most the time since the refresh before it), so it never regenerates the new link when the " +
			"old one would have expired.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Required: true,
				Validators: []validator.String{sharingIDValidator},
				MarkdownDescription: "The sharing id of the link to regenerate, in decimal, e.g. " +
					"`albato_connection_link.acme.id`."},
			"allow_granted": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Regenerate the link even if its end user has already completed it, which resets " +
					"it to waiting and clears its `credential_id` (the connection stays in the account). Defaults to " +
					"`false`: a granted link is an error."},
		},
	}
}

func (a *regenerateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *regenerateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg regenerateActionModel
	ctx, ok := a.data.decode(ctx, req.Config, &cfg, &resp.Diagnostics)
	if !ok {
		return
	}
	// Look before resetting: a granted link would lose its credential.
	// readLink checks an id that was unknown at validation, as its validator.
	current, id := a.data.readLink(ctx, cfg.ID.ValueString(), " "+recreateRemedy, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withSecretsMasked(ctx, a.data, current.Token)
	granted, credential := current.Status == albato.StatusGranted, "unknown"
	if current.CredentialID != nil {
		credential = fmt.Sprint(*current.CredentialID)
	}
	switch {
	case linkGone(current, nil):
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Cannot Regenerate a Revoked Connection Link",
			fmt.Sprintf("Connection link %d is revoked, so it can never be used again. %s", id, recreateRemedy))
		return
	case granted && !cfg.AllowGranted.ValueBool():
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Connection Link Already Granted",
			fmt.Sprintf("The end user has already completed connection link %d (credential %s). Regenerating it "+
				"would reset it to waiting and take the credential id off the link (the connection stays in the "+
				"account). Set allow_granted = true to do it anyway, or leave the link as it is.", id, credential))
		return
	}
	regenerated, err := a.data.client.RegenerateSharing(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(a.regenerateFailed(id, granted, credential, err))
		return
	}
	// Said only now that the API confirmed it.
	if granted {
		resp.Diagnostics.AddWarning("Granted Connection Link Reset to Waiting",
			fmt.Sprintf("Connection link %d was granted (credential %s); it is now waiting again, with a new token, "+
				"and its credential_id is null until the end user completes the new link. The connection itself "+
				"stays in the Albato account.", id, credential))
	}
	tflog.Info(withSecretsMasked(ctx, a.data, regenerated.Token), "Regenerated connection link token",
		map[string]any{"id": id, "prior_status": current.Status.Name()})
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(
			"Regenerated connection link %d (%s): hand the new link out; the old one no longer works.", id, regenerated.Title)})
	}
}

// regenerateFailed says what is known after a PUT that failed: nothing
// changed, or, when the PUT got no usable answer, that it may have.
func (a *regenerateAction) regenerateFailed(id int64, granted bool, credential string, err error) diag.Diagnostic {
	if linkGone(nil, err) {
		return linkNotFound(path.Root("id"), id, " Nothing was regenerated. "+recreateRemedy)
	}
	known := fmt.Sprintf(" Nothing was changed: connection link %d keeps its token", id)
	if granted {
		known += fmt.Sprintf(" and stays granted (credential %s)", credential)
	}
	if albato.MayHaveBeenApplied(err) {
		known = fmt.Sprintf(" The request got no usable answer, so Albato may have regenerated connection link %d all "+
			"the same. Read it (a refresh of the resource that manages it, or the albato_connection_link data source) "+
			"before handing it out: a new token means the old link no longer works", id)
		if granted {
			known += ", and that the granted link is waiting again, its credential_id null"
		}
	}
	return diag.NewErrorDiagnostic("Unable to Regenerate Connection Link",
		a.data.apiErrorDetail(fmt.Sprintf("regenerate connection link %d", id), err)+known+".")
}
