package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*connectionLinkEphemeralResource)(nil)

func NewConnectionLinkEphemeralResource() ephemeral.EphemeralResource {
	return &connectionLinkEphemeralResource{}
}

// connectionLinkEphemeralResource only reads: Terraform opens an ephemeral
// resource at every plan and apply.
type connectionLinkEphemeralResource struct{ data *providerData }

func (e *connectionLinkEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (e *connectionLinkEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one connection link by id **without storing anything in state or plan files** " +
			"(Terraform 1.10 and later, OpenTofu 1.11 and later). With `store_token = false` on the " +
			"`albato_connection_link` resource, this is how a link reaches a write-only argument (a secret store) " +
			"or a provider, and never the state.\n\n" +
			"Opening it is one read of the link; it never creates, regenerates or revokes one (Terraform opens an " +
			"ephemeral resource at plan and again at apply), and closing it does nothing.\n\n" +
			"`issued_at` and `expires_at` count from the link's `date_created`: without the resource's state, a " +
			"regeneration that the API does not show in `date_created` cannot be seen here. For a write-only " +
			"argument's version, use the resource's `issued_at`, which counts regenerations.",
		Attributes: ephemeralAttributes(lookupLinkAttributes(), &resp.Diagnostics),
	}
}

func (e *connectionLinkEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *connectionLinkEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var model linkView
	ctx, ok := e.data.decode(ctx, req.Config, &model, &resp.Diagnostics)
	if !ok {
		return
	}
	current, id := e.data.readLink(ctx, model.ID.ValueString(), "", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withSecretsMasked(ctx, e.data, current.Token)
	tflog.Debug(ctx, "Opened connection link", map[string]any{"id": id, "status": current.Status.Name()})
	model = viewOf(current, e.data)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &model)...)
}
