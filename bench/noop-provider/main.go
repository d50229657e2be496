// Command noop-provider is the benchmark's floor: a provider on the same
// terraform-plugin-framework version as terraform-provider-albato whose
// resources send nothing anywhere. What it costs is Terraform plus the plugin
// protocol. It is built by `make bench` into a temporary directory and never
// shipped.
//
// Its resources:
//
//	noop_link               albato_connection_link's schema (16 attributes,
//	                        token and link sensitive, the same defaults and
//	                        plan modifiers, identity { id }): the true floor
//	noop_minimal            an id and a triggers map: the floor of earlier
//	                        reports, kept for reference
//	noop_link_nosensitive   noop_link with nothing sensitive
//	noop_link_noderived     noop_link without status_name, expires_at, expired
//	noop_link_nulltoken     noop_link whose token and link are null, as a spent
//	                        link's would be
//
// The variants measure what each part of the schema costs Terraform.
//
// Its data source noop_links is the floor of albato_connection_links: the
// same schema, BENCH_NOOP_LINKS links made up in memory; its list resource
// noop_link is the floor of albato_connection_link's (`terraform query`).
//
// Like the provider (main.go, provider.QuietLogsUnlessAsked), it turns its
// logging off unless someone asked for logs; the benchmark's TRACE rows ask
// with TF_LOG_SDK=trace.
package main

import (
	"context"
	"log"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// shape is one resource type's schema.
type shape struct {
	name      string
	minimal   bool // only id and triggers
	sensitive bool // token and link sensitive
	derived   bool // status_name, expires_at, expired present
	nullToken bool // token and link null in state
}

var shapes = []shape{
	{name: "noop_link", sensitive: true, derived: true},
	{name: "noop_minimal", minimal: true},
	{name: "noop_link_nosensitive", derived: true},
	{name: "noop_link_noderived", sensitive: true},
	{name: "noop_link_nulltoken", sensitive: true, derived: true, nullToken: true},
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, r *provider.MetadataResponse) {
	r.TypeName = "noop"
}
func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (noopProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{func() list.ListResource { return linkList{} }}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return links{} }}
}
func (noopProvider) Resources(context.Context) []func() resource.Resource {
	var rs []func() resource.Resource
	for _, s := range shapes {
		rs = append(rs, func() resource.Resource { return link{s} })
	}
	return rs
}

type link struct{ shape shape }

var nextID atomic.Int64

func (l link) Metadata(_ context.Context, _ resource.MetadataRequest, r *resource.MetadataResponse) {
	r.TypeName = l.shape.name
}

func (l link) Schema(_ context.Context, _ resource.SchemaRequest, r *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	keepInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	computed := func(sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Sensitive: sensitive, PlanModifiers: keep}
	}
	computedInt := schema.Int64Attribute{Computed: true, PlanModifiers: keepInt}
	if l.shape.minimal {
		r.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
			"id":       computed(false),
			"triggers": schema.MapAttribute{ElementType: types.StringType, Optional: true},
		}}
		return
	}
	// As albato_connection_link's schema (internal/provider), less its
	// descriptions and validators.
	attrs := map[string]schema.Attribute{
		"id":                  computed(false),
		"partner_id":          schema.Int64Attribute{Required: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()}},
		"title":               schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"regenerate_triggers": schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"regenerate_when_expired": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}},
		"regenerate_before": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("0s"), PlanModifiers: keep},
		"store_token": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}},
		"token":         computed(l.shape.sensitive),
		"link":          computed(l.shape.sensitive),
		"issued_at":     computedInt,
		"status":        computedInt,
		"credential_id": computedInt,
		"date_created":  computed(false),
	}
	if l.shape.derived {
		attrs["status_name"] = computed(false)
		attrs["expires_at"] = computed(false)
		attrs["expired"] = schema.BoolAttribute{Computed: true, PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
	}
	r.Schema = schema.Schema{Attributes: attrs}
}

// IdentitySchema is albato_connection_link's: { id }.
func (l link) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, r *resource.IdentitySchemaResponse) {
	r.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true},
	}}
}

// setIdentity sets the identity in every operation, as the provider does
// (CLIs before 1.12 send none).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id attr.Value) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.SetAttribute(ctx, path.Root("id"), id)
}

// Create sets the computed attributes the way the provider's Create does
// after its POST and GET: a waiting link, with a token unless nullToken.
func (l link) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	set := map[string]attr.Value{"id": types.StringValue(strconv.FormatInt(nextID.Add(1), 10))}
	if !l.shape.minimal {
		set["status"], set["credential_id"] = types.Int64Value(0), types.Int64Null()
		set["issued_at"] = types.Int64Value(1767225600)
		set["date_created"] = types.StringValue("2026-01-01T00:00:00Z")
		set["token"], set["link"] = types.StringValue("noop"), types.StringValue("noop")
		if l.shape.nullToken {
			set["token"], set["link"] = types.StringNull(), types.StringNull()
		}
		if l.shape.derived {
			set["status_name"], set["expires_at"] = types.StringValue("waiting"), types.StringValue("2026-01-03T00:00:00Z")
			set["expired"] = types.BoolValue(false)
		}
	}
	for name, v := range set {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, set["id"])...)
}

// Read keeps the prior state, which the framework has already copied.
func (link) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
}

func (link) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
}

func (link) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// sdkLogLevelVariables and quietLogsUnlessAsked repeat QuietLogsUnlessAsked
// of internal/provider/provider.go (which this module cannot import): when
// none of these variables is set, every SDK and provider logger is turned off.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_NOOP"}

func quietLogsUnlessAsked() {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"}, sdkLogLevelVariables...) {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range sdkLogLevelVariables {
		_ = os.Setenv(v, "off")
	}
}

func main() {
	quietLogsUnlessAsked()
	err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/bench/noop"})
	if err != nil {
		log.Fatal(err)
	}
}
