package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ datasource.DataSource              = (*connectionLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*connectionLinksDataSource)(nil)
)

// NewConnectionLinksDataSource returns the albato_connection_links data source.
func NewConnectionLinksDataSource() datasource.DataSource {
	return &connectionLinksDataSource{}
}

type connectionLinksDataSource struct {
	data *providerData
}

type connectionLinksDataSourceModel struct {
	linkFilter
	Links []linkAttributes `tfsdk:"links"`
}

func (d *connectionLinksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_links"
}

func (d *connectionLinksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's connection links (Albato *sharings*) across all pages, sorted by id, " +
			"optionally only those of one partner or in one status. `expires_at` counts 48 hours from `date_created`. " +
			"Pages are read up to 8 at a time. Should the list change while it is read (links created meanwhile), it is " +
			"read again, up to three times in all, and then the read fails rather than return a mix of two lists.",
		Attributes: map[string]schema.Attribute{
			"partner_id": schema.Int64Attribute{
				MarkdownDescription: partnerIDFilterDescription,
				Optional:            true,
				Validators:          partnerIDFilterValidators(),
			},
			"status": schema.Int64Attribute{
				MarkdownDescription: statusFilterDescription,
				Optional:            true,
				Validators:          statusFilterValidators(),
			},
			"links": schema.ListNestedAttribute{
				MarkdownDescription: "The links, sorted by id ascending.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: linkDataSourceAttributes()},
			},
		},
	}
}

func (d *connectionLinksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, resp.Diagnostics.AddError); pd != nil {
		d.data = pd
	}
}

func (d *connectionLinksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, d.data)
	var model connectionLinksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	all, err := d.data.client.ListAllSharings(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Connection Links", d.data.apiErrorDetail("list connection links", err))
		return
	}
	model.Links = make([]linkAttributes, 0, len(all))
	for i := range all {
		s := &all[i]
		if !model.matches(*s) {
			continue
		}
		var item linkAttributes
		item.fill(s, d.data, time.Time{})
		model.Links = append(model.Links, item)
	}
	tflog.Debug(ctx, "Listed connection links", map[string]any{"total": len(all), "matching": len(model.Links)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
