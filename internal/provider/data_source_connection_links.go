package provider

import (
	"context"
	"maps"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ datasource.DataSourceWithConfigure      = (*connectionLinksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*connectionLinksDataSource)(nil)
)

func NewConnectionLinksDataSource() datasource.DataSource { return &connectionLinksDataSource{} }

type connectionLinksDataSource struct{ data *providerData }

type connectionLinksDataSourceModel struct {
	linkFilter
	ExcludeExpiredByDate types.Bool        `tfsdk:"exclude_expired_by_date"`
	IncludeSecrets       types.Bool        `tfsdk:"include_secrets"`
	Links                types.List        `tfsdk:"links"`
	LinkByID             map[string]string `tfsdk:"link_by_id"`
	TokenByID            map[string]string `tfsdk:"token_by_id"`
}

// listedLinkObject is one item of links: a link without its token and
// link, which live in the two sensitive maps instead. Every CLI tracks a
// sensitive attribute inside a list element as a path of its own, at a cost
// that grows faster than the list (quadratic on Terraform 1.5.7); one
// sensitive map is one path, whatever its size.
var (
	listedLinkObject = schema.NestedAttributeObject{Attributes: dataSourceLinkAttributes("token", "link")}
	listedLinkType   = listedLinkObject.Type().(types.ObjectType) //nolint:forcetypeassert // a NestedAttributeObject without CustomType is a types.ObjectType
)

// listedLink is one item of links, built as a value: the framework's
// struct conversion costs several times more per item (BENCHMARKS.md).
func listedLink(v *linkView) attr.Value {
	values := v.values()
	delete(values, "token")
	delete(values, "link")
	return types.ObjectValueMust(listedLinkType.AttrTypes, values)
}

func (d *connectionLinksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_links"
}

func (d *connectionLinksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := filterAttributes(nil)
	maps.Copy(attrs, map[string]schema.Attribute{
		"exclude_expired_by_date": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Leave out the links whose `expired` is true: waiting links whose `date_created` is " +
				inWords(linkLifetime) + " old or more (default `false`). The date errs one way only: a link regenerated " +
				"since may keep its old date and be left out though its token works, but no link kept has a token " +
				"that expired. With `partner_id`, `status_name = \"" + albato.StatusWaiting.Name() + "\"` and " +
				"`include_secrets`, `link_by_id` then holds exactly the links to hand out, and can be output whole."},
		"include_secrets": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Fill `link_by_id` and `token_by_id` (default `false`: both null, and no token or link " +
				"in the state)."},
		"links": schema.ListNestedAttribute{Computed: true,
			NestedObject:        listedLinkObject,
			MarkdownDescription: "The links, sorted by id ascending, without their `token` and `link`."},
		"link_by_id": schema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: true,
			MarkdownDescription: "With `include_secrets = true`, the link to hand to each end user, by link id: " +
				"`<connect_url>?id=<partner_id>&token=<token>`. Anyone holding a link can create the connection until " +
				"it is used, revoked or expired. Only links whose token is still usable are in it: a granted link's " +
				"token is spent, so its id is absent. Null without `include_secrets`."},
		"token_by_id": schema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: true,
			MarkdownDescription: "With `include_secrets = true`, each link's one-time token, by link id, for the same " +
				"links as `link_by_id`. Null without `include_secrets`."},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the account's connection links (Albato *sharings*) across all pages, sorted by " +
			"id, optionally only those of one partner or in one status. `expires_at` counts " + inWords(linkLifetime) +
			" from `date_created`. Pages of up to " + strconv.Itoa(albato.ListPageSize) + " links are read up to " +
			strconv.Itoa(albato.ListConcurrency) + " at a time. Should the list change while it is read (links " +
			"created meanwhile), it is read again, up to " + strconv.Itoa(albato.ListReadings) + " times in all, and " +
			"then the read fails rather than return a mix of two lists.\n\n" +
			"The items of `links` carry no `token` or `link`. With `include_secrets = true` those are in two " +
			"sensitive maps keyed by link id, `link_by_id` and `token_by_id`: iterate over `links` (not sensitive, " +
			"so it can drive `for_each`) and look the secret up with `link_by_id[each.key]`. One sensitive map costs " +
			"Terraform the same whatever the number of links, whereas a sensitive attribute in every item of a list " +
			"made plans grow faster than the list (minutes for a few thousand links). Without `include_secrets` no " +
			"secret is read into the state at all.",
		Attributes: attrs,
	}
}

func (d *connectionLinksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectionLinksDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var model connectionLinksDataSourceModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &model)...); !resp.Diagnostics.HasError() {
		model.validate(path.Empty(), &resp.Diagnostics)
	}
}

func (d *connectionLinksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model connectionLinksDataSourceModel
	ctx, ok := d.data.decode(ctx, req.Config, &model, &resp.Diagnostics)
	if !ok {
		return
	}
	found, err := d.data.client.ListSharingsMatching(ctx, model.matches, 0)
	if err != nil {
		resp.Diagnostics.AddError(d.data.listError(err))
		return
	}
	items := make([]attr.Value, 0, len(found))
	var links, tokens map[string]string // null without include_secrets
	if model.IncludeSecrets.ValueBool() {
		links, tokens = map[string]string{}, map[string]string{}
	}
	for i := range found {
		item := viewOf(&found[i], d.data)
		if model.ExcludeExpiredByDate.ValueBool() && item.Expired.ValueBool() {
			continue
		}
		items = append(items, listedLink(&item))
		if links != nil && !item.Token.IsNull() { // fill decides whether token and link are shown
			links[item.ID.ValueString()], tokens[item.ID.ValueString()] = item.Link.ValueString(), item.Token.ValueString()
		}
	}
	model.LinkByID, model.TokenByID = links, tokens
	model.Links = types.ListValueMust(listedLinkType, items)
	tflog.Debug(ctx, "Listed connection links", map[string]any{"matching": len(items)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
