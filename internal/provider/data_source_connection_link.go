package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var _ datasource.DataSourceWithConfigure = (*connectionLinkDataSource)(nil)

// NewConnectionLinkDataSource returns the albato_connection_link data source.
func NewConnectionLinkDataSource() datasource.DataSource { return &connectionLinkDataSource{} }

type connectionLinkDataSource struct {
	data *providerData
}

type connectionLinkDataSourceModel struct {
	linkView
	WaitForStatus types.Set      `tfsdk:"wait_for_status"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (d *connectionLinkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (d *connectionLinkDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := lookupLinkAttributes()
	attrs["wait_for_status"] = schema.SetAttribute{
		MarkdownDescription: "Wait until the link's status is one of these names (" + statusNameList("") + "), " +
			"e.g. `[\"granted\"]` to wait for the end user. The link is read again " +
			"with a growing pause, from about " + inWords(defaultPollFirst) + " up to " + inWords(defaultPollLongest) +
			", for at most `timeouts.read` (default `" + goDuration(defaultWaitTimeout) + "`). A link already in the set returns at once; one that is or becomes revoked or " +
			"deleted while waiting for another status is an error at once. Running out of time is an error too, " +
			"which says when the link's `date_created` says it expired, if it did: a wait never fails on that " +
			"date alone, since a regenerated link may keep it. " +
			"A Ctrl-C ends the wait when the CLI passes it on: during `terraform plan` always, during the plan " +
			"of an apply or a destroy on Terraform 1.16 but not on Terraform 1.5 to 1.13 or OpenTofu 1.12.",
		ElementType: types.StringType,
		Optional:    true,
		Validators:  wantedStatusesValidators,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one connection link (an Albato *sharing*) by id and, optionally, waits until " +
			"its end user has completed it. Use it in a later stage, or a later `terraform apply`, to pick up the " +
			"`credential_id` of a link created by the `albato_connection_link` resource.\n\n" +
			"`issued_at`, `expires_at` and `expired` here count " + inWords(linkLifetime) + " from `date_created`: unlike the resource, " +
			"the data source cannot know when a token was last regenerated.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{}),
		},
	}
}

func (d *connectionLinkDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectionLinkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model connectionLinkDataSourceModel
	ctx, ok := d.data.decode(ctx, req.Config, &model, &resp.Diagnostics)
	if !ok {
		return
	}
	wait := linkWait{idsAt: path.Root("id"), timeoutAt: path.Root("wait_for_status"),
		raise: "Raise it with timeouts { read = \"...\" }, or check with the end user."}
	if !model.WaitForStatus.IsNull() && !model.WaitForStatus.IsUnknown() {
		resp.Diagnostics.Append(model.WaitForStatus.ElementsAs(ctx, &wait.want, false)...)
	}
	var current *albato.Sharing
	if len(wait.want) == 0 {
		current, _ = d.data.readLink(ctx, model.ID.ValueString(), "", &resp.Diagnostics)
	} else if id, ok := sharingID(model.ID.ValueString(), path.Root("id"), &resp.Diagnostics); ok {
		var diags diag.Diagnostics
		wait.ids = []int64{id}
		wait.timeout, diags = model.Timeouts.Read(ctx, defaultWaitTimeout)
		if resp.Diagnostics.Append(diags...); !diags.HasError() {
			current = wait.run(ctx, d.data, &resp.Diagnostics)[id]
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	model.linkView = viewOf(current, d.data)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
