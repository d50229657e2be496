package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// linksEnv is how many links noop_links returns: the benchmark sets it to
// the N of the run, so that the configuration is the same as albato's.
const linksEnv = "BENCH_NOOP_LINKS"

// links is noop_links, the floor of the albato_connection_links data
// source: the same arguments and attribute shape (links without secrets,
// two sensitive maps by id with include_secrets), the N links made up in
// memory instead of read from an API.
type links struct{}

func (links) Metadata(_ context.Context, _ datasource.MetadataRequest, r *datasource.MetadataResponse) {
	r.TypeName = "noop_links"
}

// linkItemTypes are the attributes of one item of links.
var linkItemTypes = map[string]attr.Type{
	"id": types.StringType, "partner_id": types.Int64Type, "title": types.StringType, "status": types.Int64Type,
	"status_name": types.StringType, "credential_id": types.Int64Type, "date_created": types.StringType,
	"expires_at": types.StringType, "issued_at": types.Int64Type, "expired": types.BoolType,
}

func (links) Schema(_ context.Context, _ datasource.SchemaRequest, r *datasource.SchemaResponse) {
	item := map[string]dschema.Attribute{}
	for name, t := range linkItemTypes {
		switch t {
		case types.StringType:
			item[name] = dschema.StringAttribute{Computed: true}
		case types.Int64Type:
			item[name] = dschema.Int64Attribute{Computed: true}
		case types.BoolType:
			item[name] = dschema.BoolAttribute{Computed: true}
		}
	}
	r.Schema = dschema.Schema{Attributes: map[string]dschema.Attribute{
		"partner_id":      dschema.Int64Attribute{Optional: true},
		"status":          dschema.Int64Attribute{Optional: true},
		"include_secrets": dschema.BoolAttribute{Optional: true},
		// Every link made up here is unexpired: the filter leaves none out.
		"exclude_expired_by_date": dschema.BoolAttribute{Optional: true},
		"links": dschema.ListNestedAttribute{Computed: true,
			NestedObject: dschema.NestedAttributeObject{Attributes: item}},
		"link_by_id":  dschema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: true},
		"token_by_id": dschema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: true},
	}}
}

func (links) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	n, err := strconv.Atoi(os.Getenv(linksEnv))
	if err != nil || n < 0 {
		resp.Diagnostics.AddError("noop_links", linksEnv+" must be the number of links to return")
		return
	}
	var secrets types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("include_secrets"), &secrets)...)
	objType := types.ObjectType{AttrTypes: linkItemTypes}
	items := make([]attr.Value, n)
	var byID, tokens map[string]attr.Value
	if secrets.ValueBool() {
		byID, tokens = make(map[string]attr.Value, n), make(map[string]attr.Value, n)
	}
	for i := range n {
		id := strconv.Itoa(i + 1)
		items[i] = types.ObjectValueMust(linkItemTypes, map[string]attr.Value{
			"id": types.StringValue(id), "partner_id": types.Int64Value(225),
			"title": types.StringValue(fmt.Sprintf("list bench %d", i)), "status": types.Int64Value(0),
			"status_name": types.StringValue("waiting"), "credential_id": types.Int64Null(),
			"date_created": types.StringValue("2026-03-01T09:00:00Z"), "expires_at": types.StringValue("2026-03-03T09:00:00Z"),
			"issued_at": types.Int64Value(1772355600), "expired": types.BoolValue(false),
		})
		if byID != nil {
			token := fmt.Sprintf("tok%07d", i)
			tokens[id] = types.StringValue(token)
			byID[id] = types.StringValue("http://127.0.0.1/connect?id=225&token=" + token)
		}
	}
	set := map[string]attr.Value{
		"links":      types.ListValueMust(objType, items),
		"link_by_id": types.MapNull(types.StringType), "token_by_id": types.MapNull(types.StringType),
	}
	if byID != nil {
		set["link_by_id"], set["token_by_id"] = types.MapValueMust(types.StringType, byID), types.MapValueMust(types.StringType, tokens)
	}
	resp.State.Raw = req.Config.Raw
	for name, v := range set {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}
