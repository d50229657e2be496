// Command noop-provider is the benchmark's floor: a provider on the same
// terraform-plugin-framework version as terraform-provider-albato, with one
// resource, noop_link, of the same attribute shape as albato_connection_link,
// whose Create, Read, Update and Delete send nothing anywhere and only set
// ids. What it costs is Terraform plus the plugin protocol. It is built by
// `make bench` into a temporary directory and never shipped.
package main

import (
	"context"
	"log"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, r *provider.MetadataResponse) {
	r.TypeName = "noop"
}
func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return link{} }}
}

type link struct{}

// model mirrors albato_connection_link's attributes.
type model struct {
	ID                    types.String `tfsdk:"id"`
	PartnerID             types.Int64  `tfsdk:"partner_id"`
	Title                 types.String `tfsdk:"title"`
	RegenerateTriggers    types.Map    `tfsdk:"regenerate_triggers"`
	RegenerateWhenExpired types.Bool   `tfsdk:"regenerate_when_expired"`
	RegenerateBefore      types.String `tfsdk:"regenerate_before"`
	Token                 types.String `tfsdk:"token"`
	Link                  types.String `tfsdk:"link"`
	Status                types.Int64  `tfsdk:"status"`
	StatusName            types.String `tfsdk:"status_name"`
	CredentialID          types.Int64  `tfsdk:"credential_id"`
	DateCreated           types.String `tfsdk:"date_created"`
	ExpiresAt             types.String `tfsdk:"expires_at"`
	Expired               types.Bool   `tfsdk:"expired"`
}

var nextID atomic.Int64

func (link) Metadata(_ context.Context, _ resource.MetadataRequest, r *resource.MetadataResponse) {
	r.TypeName = "noop_link"
}

func (link) Schema(_ context.Context, _ resource.SchemaRequest, r *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	computed := func(sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Sensitive: sensitive, PlanModifiers: keep}
	}
	r.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                      computed(false),
		"partner_id":              schema.Int64Attribute{Required: true},
		"title":                   schema.StringAttribute{Required: true},
		"regenerate_triggers":     schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"regenerate_when_expired": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true)},
		"regenerate_before":       schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("0s")},
		"token":                   computed(true),
		"link":                    computed(true),
		"status":                  schema.Int64Attribute{Computed: true},
		"status_name":             computed(false),
		"credential_id":           schema.Int64Attribute{Computed: true},
		"date_created":            computed(false),
		"expires_at":              computed(false),
		"expired":                 schema.BoolAttribute{Computed: true},
	}}
}

func (link) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	id := strconv.FormatInt(nextID.Add(1), 10)
	m.ID, m.Token, m.Link = types.StringValue(id), types.StringValue("noop"), types.StringValue("noop")
	m.Status, m.StatusName, m.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	m.DateCreated, m.ExpiresAt = types.StringValue("2026-01-01T00:00:00Z"), types.StringValue("2026-01-03T00:00:00Z")
	m.Expired = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read keeps the prior state, which the framework has already copied.
func (link) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (link) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (link) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/bench/noop"})
	if err != nil {
		log.Fatal(err)
	}
}
