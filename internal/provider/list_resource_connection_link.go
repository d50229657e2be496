package provider

import (
	"context"
	"fmt"
	"math"
	"strconv"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ list.ListResourceWithConfigure      = (*connectionLinkListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*connectionLinkListResource)(nil)
)

func NewConnectionLinkListResource() list.ListResource { return &connectionLinkListResource{} }

type connectionLinkListResource struct{ data *providerData }

func (l *connectionLinkListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

func (l *connectionLinkListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attrs := listAttributes(filterAttributes(map[string]string{
		"status":      " `3` finds nothing: revoked links are never results.",
		"status_name": " `revoked` finds nothing: revoked links are never results.",
	}), &resp.Diagnostics)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the account's connection links, for `terraform query` (Terraform 1.14 and later; " +
			"OpenTofu 1.12 has no list resources). Each result is one link: its identity `{ id }`, a display name " +
			"made of its title, partner and status, and, with `include_resource = true` or `-generate-config-out`, " +
			"the `albato_connection_link` resource as a refresh right after an import would save it (" +
			fmt.Sprintf("`regenerate_when_expired = %t`, `regenerate_before = %q`, `store_token = %t`",
				defaultRegenerateWhenExpired, defaultRegenerateBefore, defaultStoreToken) +
			"), except that `token` and `link` are null: Terraform prints results in full, sensitive values " +
			"included (`terraform query -json`), and the import reads them. Results come sorted by id. Revoked " +
			"links are never results: they can be neither imported nor used again.\n\n" +
			"The links are read from one paged listing of the account (" + strconv.Itoa(albato.ListPageSize) +
			" a page), never one request per link; the listing stops at the page that completes the block's " +
			"`limit` (Terraform's default is 100), so `limit = 10` reads one page. Should the list change while it " +
			"is read, it is read again, up to " + strconv.Itoa(albato.ListReadings) + " times in all, and then the " +
			"query fails rather than return a mix of two lists.",
		Attributes: attrs,
	}
}

// listAttributes are the data source's filters in, as the list schema's; a
// kind it does not know is an error.
func listAttributes(in map[string]dschema.Attribute, diags *diag.Diagnostics) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for name, a := range in {
		switch a := a.(type) {
		case dschema.Int64Attribute:
			out[name] = schema.Int64Attribute{MarkdownDescription: a.MarkdownDescription, Optional: true, CustomType: a.CustomType, Validators: a.Validators}
		case dschema.StringAttribute:
			out[name] = schema.StringAttribute{MarkdownDescription: a.MarkdownDescription, Optional: true, Validators: a.Validators}
		default:
			diags.Append(unconvertedAttribute("list", name, a))
		}
	}
	return out
}

func (l *connectionLinkListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateListResourceConfig checks the filters, each against its line in
// the config block.
func (l *connectionLinkListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var filter linkFilter
	if resp.Diagnostics.Append(req.Config.Get(ctx, &filter)...); !resp.Diagnostics.HasError() {
		filter.validate(path.Root("config"), &resp.Diagnostics)
	}
}

func (l *connectionLinkListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var filter linkFilter
	ctx, ok := l.data.decode(ctx, req.Config, &filter, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if filter.onlyRevoked() {
		at := path.Root("status")
		if filter.Status.IsNull() {
			at = path.Root("status_name")
		}
		diags.AddAttributeWarning(at, "Revoked Connection Links Are Not Listed",
			"A revoked link can never be used again, and Terraform cannot import it, so the query lists none. "+
				"To see revoked links, use the albato_connection_links data source with status_name = \"revoked\".")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// Revoked links are left out before the limit counts them.
	importable := func(s albato.Sharing) bool { return !linkGone(&s, nil) && filter.matches(s) }
	found, err := l.data.client.ListSharingsMatching(ctx, importable, int(min(max(req.Limit, 0), math.MaxInt)))
	if err != nil {
		diags.AddError(l.data.listError(err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	tflog.Debug(ctx, "Listed connection links for a query", map[string]any{"results": len(found), "limit": req.Limit})
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range found {
			s := &found[i]
			result := req.NewListResult(ctx)
			result.DisplayName = fmt.Sprintf("%s (partner %d, %s)", s.Title, s.PartnerID, s.Status.Name())
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, strconv.FormatInt(s.ID, 10))...)
			if req.IncludeResource {
				// Without token and link: Terraform prints a result in full,
				// sensitive values included, and the import reads them anyway.
				m := importedState(s, l.data)
				m.forgetToken()
				result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
