package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	lschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// linkList is the list resource noop_link, the floor of the
// albato_connection_link list resource (`terraform query`): the same
// filters, identity and display name, and with include_resource each
// result's noop_link as albato's results carry the resource; the
// BENCH_NOOP_LINKS links made up in memory.
type linkList struct{}

func (linkList) Metadata(_ context.Context, _ resource.MetadataRequest, r *resource.MetadataResponse) {
	r.TypeName = "noop_link"
}

func (linkList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, r *list.ListResourceSchemaResponse) {
	r.Schema = lschema.Schema{Attributes: map[string]lschema.Attribute{
		"partner_id": lschema.Int64Attribute{Optional: true},
		"status":     lschema.Int64Attribute{Optional: true},
	}}
}

func (linkList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	n, err := strconv.Atoi(os.Getenv(linksEnv))
	if err != nil || n < 0 {
		var diags diag.Diagnostics
		diags.AddError("noop_link", linksEnv+" must be the number of links to list")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if req.Limit > 0 && int64(n) > req.Limit {
		n = int(req.Limit)
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range n {
			id := types.StringValue(strconv.Itoa(i + 1))
			title := fmt.Sprintf("list bench %d", i)
			result := req.NewListResult(ctx)
			result.DisplayName = title + " (partner 225, waiting)"
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, id)...)
			if req.IncludeResource {
				for name, v := range map[string]attr.Value{
					"id": id, "partner_id": types.Int64Value(225), "title": types.StringValue(title),
					"regenerate_triggers": types.MapNull(types.StringType), "regenerate_when_expired": types.BoolValue(true),
					"regenerate_before": types.StringValue("0s"), "store_token": types.BoolValue(true),
					"token": types.StringValue("noop"), "link": types.StringValue("noop"),
					"issued_at": types.Int64Value(1772355600), "status": types.Int64Value(0), "credential_id": types.Int64Null(),
					"date_created": types.StringValue("2026-03-01T09:00:00Z"), "status_name": types.StringValue("waiting"),
					"expires_at": types.StringValue("2026-03-03T09:00:00Z"), "expired": types.BoolValue(false),
				} {
					result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(name), v)...)
				}
			}
			if !push(result) {
				return
			}
		}
	}
}
