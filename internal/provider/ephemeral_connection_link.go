package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ ephemeral.EphemeralResource              = (*connectionLinkEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*connectionLinkEphemeralResource)(nil)
)

// NewConnectionLinkEphemeralResource returns the albato_connection_link
// ephemeral resource: a read of one link whose result Terraform keeps out
// of state and plan files.
func NewConnectionLinkEphemeralResource() ephemeral.EphemeralResource {
	return &connectionLinkEphemeralResource{}
}

// connectionLinkEphemeralResource only reads. Terraform opens an ephemeral
// resource at plan and again at apply, so anything that created, regenerated
// or revoked here would act at every plan. It has no Close: there is
// nothing to give back.
type connectionLinkEphemeralResource struct {
	data *providerData
}

type connectionLinkEphemeralModel struct {
	ID           types.String `tfsdk:"id"`
	Token        types.String `tfsdk:"token"`
	Link         types.String `tfsdk:"link"`
	Status       types.Int64  `tfsdk:"status"`
	StatusName   types.String `tfsdk:"status_name"`
	CredentialID types.Int64  `tfsdk:"credential_id"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	Expired      types.Bool   `tfsdk:"expired"`
	IssuedAt     types.Int64  `tfsdk:"issued_at"`
}

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
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The sharing id to read, in decimal (the resource's `id`).",
				Required:            true,
				Validators:          []validator.String{sharingIDValidator{}},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The one-time token; null once the link can no longer be used (granted or revoked).",
				Computed:            true,
				Sensitive:           true,
			},
			"link": schema.StringAttribute{
				MarkdownDescription: "The link to hand to the end user: `<connect_url>?id=<partner_id>&token=<token>`; " +
					"null once the link can no longer be used (granted or revoked).",
				Computed:  true,
				Sensitive: true,
			},
			"status": schema.Int64Attribute{
				MarkdownDescription: "`0` waiting, `1` granted, `2` waiting for OAuth, `3` revoked.",
				Computed:            true,
			},
			"status_name": schema.StringAttribute{
				MarkdownDescription: "`waiting`, `granted`, `waiting_oauth` or `revoked`.",
				Computed:            true,
			},
			"credential_id": schema.Int64Attribute{
				MarkdownDescription: "Null until status `1`; then the id of the connection created.",
				Computed:            true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "RFC 3339 in UTC: 48 hours after `issued_at`.",
				Computed:            true,
			},
			"expired": schema.BoolAttribute{
				MarkdownDescription: "Whether the link is waiting and at or past `expires_at`.",
				Computed:            true,
			},
			"issued_at": schema.Int64Attribute{
				MarkdownDescription: "When the token was issued as far as the API tells, in Unix seconds: the link's " +
					"`date_created`. Null until the API reports it.",
				Computed: true,
			},
		},
	}
}

func (e *connectionLinkEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, resp.Diagnostics.AddError); pd != nil {
		e.data = pd
	}
}

// Open reads the link: exactly one GET.
func (e *connectionLinkEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if !e.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, e.data)
	var model connectionLinkEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := sharingID(model.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}

	current, err := e.data.client.GetSharing(ctx, id)
	if albato.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Connection Link Not Found",
			fmt.Sprintf("There is no connection link with id %d in this Albato account.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Connection Link", e.data.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err))
		return
	}
	ctx = withSecretsMasked(ctx, e.data, current.Token)
	tflog.Debug(ctx, "Opened connection link", map[string]any{"id": id, "status": current.Status.Name()})

	var link linkAttributes
	link.fill(current, e.data, time.Time{})
	model.Token, model.Link = link.Token, link.Link
	model.Status, model.StatusName, model.CredentialID = link.Status, link.StatusName, link.CredentialID
	model.ExpiresAt, model.Expired, model.IssuedAt = link.ExpiresAt, link.Expired, link.IssuedAt
	resp.Diagnostics.Append(resp.Result.Set(ctx, &model)...)
}
