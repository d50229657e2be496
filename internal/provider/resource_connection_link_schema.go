package provider

// The albato_connection_link resource's schema and identity schema.

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func (r *connectionLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	noStore := " Also null whenever `store_token` is `false`."
	attrs := resourceLinkAttributes(map[string]string{"token": noStore, "link": noStore})
	attrs["partner_id"] = schema.Int64Attribute{
		MarkdownDescription: attrs["partner_id"].GetMarkdownDescription() + " Changing it replaces the link.",
		Required:            true,
		CustomType:          wholeNumberType{title: "Invalid Partner ID"},
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
		PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
	}
	attrs["title"] = schema.StringAttribute{
		MarkdownDescription: attrs["title"].GetMarkdownDescription() + " Say what the connection is for; give each " +
			"link its own title. No white space around it (the API may trim it). Changing it replaces the link, " +
			"because the API cannot rename one.",
		Required:      true,
		Validators:    []validator.String{titleLength},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	attrs["regenerate_triggers"] = schema.MapAttribute{
		MarkdownDescription: "Arbitrary values; when any of them changes, the token is regenerated in place " +
			"(same `id`, new `token` and `link`, status back to waiting). Setting it where it was null " +
			"(newly added to the configuration, or after an import) only records it. Should the end user complete " +
			"the link between the plan and the apply, the apply fails and changes nothing.",
		ElementType: types.StringType,
		Optional:    true,
	}
	attrs["regenerate_when_expired"] = boolSetting(defaultRegenerateWhenExpired,
		"Whether a plan regenerates the token in place once a waiting link has expired, "+
			"or is within `regenerate_before` of expiring (default: `"+strconv.FormatBool(defaultRegenerateWhenExpired)+"`). Judged as of the link's last "+
			"refresh (or create, update, import), never the clock of the moment, so that a saved plan applies "+
			"as planned however much later; a `-refresh=false` plan judges as of the last refresh.")
	attrs["regenerate_before"] = schema.StringAttribute{
		MarkdownDescription: "How long before `expires_at` to plan that regeneration already, as a Go duration " +
			"such as `\"6h\"` or `\"90m\"` (default: `\"" + defaultRegenerateBefore + "\"`, i.e. at expiry), so that a link " +
			"handed out today is not about to die. A window of `\"" + goDuration(linkLifetime) + "\"` or more regenerates a waiting link on every plan.",
		Optional:      true,
		Computed:      true,
		Default:       stringdefault.StaticString(defaultRegenerateBefore),
		Validators:    []validator.String{durationValidator},
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["store_token"] = boolSetting(defaultStoreToken,
		"Whether `token` and `link` are kept in the state (default: `"+strconv.FormatBool(defaultStoreToken)+"`). With `false` "+
			"they are null in state and plan, always; read the link with the `albato_connection_link` "+
			"ephemeral resource (Terraform 1.10+, OpenTofu 1.11+) and pass it to a write-only argument, "+
			"with `issued_at` as its version. Turning it back on reads the link once at apply.")
	resp.Schema = schema.Schema{
		MarkdownDescription: "A one-time **connection link** (an Albato *sharing*): the partner hands the `link` to " +
			"its client, who follows it, signs in to the app, and so creates a connection whose id then appears " +
			"as `credential_id`.\n\n" +
			"A link is valid for " + inWords(linkLifetime) + " after its token was issued and works once. Terraform shows what the end " +
			"user did as changes outside Terraform; a link revoked outside Terraform is planned to be created again. " +
			"The token is regenerated in place (same `id`) when `regenerate_triggers` change, and, unless " +
			"`regenerate_when_expired` is `false`, when a waiting link has expired (or is within `regenerate_before` " +
			"of expiring).",
		Attributes: attrs,
	}
}

func boolSetting(def bool, desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc, Optional: true, Computed: true,
		Default: booldefault.StaticBool(def), PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
}

func (r *connectionLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{Description: linkAttrs[0].desc, RequiredForImport: true}, // linkAttrs[0] is id
		},
	}
}
