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

func NewConnectionLinkDataSource() datasource.DataSource { return &connectionLinkDataSource{} }

type connectionLinkDataSource struct{ data *providerData }

type connectionLinkDataSourceModel struct {
	linkView
	WaitForStatus []string       `tfsdk:"wait_for_status"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (d *connectionLinkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (d *connectionLinkDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := lookupLinkAttributes()
	attrs["wait_for_status"] = schema.SetAttribute{ElementType: types.StringType, Optional: true,
		Validators: wantedStatusesValidators,
		MarkdownDescription: "Wait until the link's status is one of these names (" + statusNameList("") + "), e.g. " +
			"`[\"granted\"]` to wait for the end user. The link is read at once, then again with a growing pause, " +
			"from about " + inWords(defaultPollFirst) + " up to " + inWords(defaultPollLongest) + ", until " +
			"`timeouts.read` (default `" + goDuration(defaultWaitTimeout) + "`) has passed. It is always read at " +
			"least once, whatever the timeout: `read = \"0s\"` checks once. A link already in the set returns after " +
			"that single read. Only a revoked or deleted link ends the wait early: with `revoked` in the set it ends " +
			"it successfully (a link the API no longer knows, answering 404, counts as revoked and is shown so, with " +
			"the attributes the API no longer gives null); without, it is an error at once. Any other link is waited " +
			"for until the timeout, even one whose `expires_at` (counted from `date_created`) has passed, since a " +
			"regenerated link may keep that date; the timeout's error says so. A Ctrl-C ends the wait when the CLI " +
			"passes it on: during `terraform plan` always, during the plan of an apply or a destroy on Terraform " +
			"1.16 but not on Terraform 1.5 to 1.13 or OpenTofu 1.12."}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one connection link (an Albato *sharing*) by id and, optionally, waits until its " +
			"end user has completed it. Use it in a later stage, or a later `terraform apply`, to pick up the " +
			"`credential_id` of a link created by the `albato_connection_link` resource.\n\n" +
			"`issued_at`, `expires_at` and `expired` here count " + inWords(linkLifetime) + " from `date_created`: " +
			"unlike the resource, the data source cannot know when a token was last regenerated.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{})},
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
	wait := linkWait{want: model.WaitForStatus, idsAt: path.Root("id"), timeoutAt: path.Root("wait_for_status"),
		raise: "To wait longer, raise read in the data source's timeouts block (for example timeouts { read = \"30m\" }), " +
			"or check with the end user."}
	var current *albato.Sharing
	if len(wait.want) == 0 {
		current, _ = d.data.readLink(ctx, model.ID.ValueString(), "", &resp.Diagnostics)
	} else if id, ok := sharingID(model.ID.ValueString(), path.Root("id"), &resp.Diagnostics); ok {
		var diags diag.Diagnostics
		wait.ids = []int64{id}
		wait.timeout, diags = model.Timeouts.Read(ctx, defaultWaitTimeout)
		if resp.Diagnostics.Append(diags...); !diags.HasError() && wait.run(ctx, d.data, &resp.Diagnostics) {
			current = wait.read[id]
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	model.linkView = viewOf(current, d.data)
	if wait.deleted[current.ID] {
		model.linkView = deletedView(current.ID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
