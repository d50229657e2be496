package provider

// The one view of a link, and the one table of its attributes (DESIGN.md,
// "Which view knows what").

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

type linkView struct {
	ID           types.String `tfsdk:"id"`
	PartnerID    types.Int64  `tfsdk:"partner_id"`
	Title        types.String `tfsdk:"title"`
	Token        types.String `tfsdk:"token"`
	Link         types.String `tfsdk:"link"`
	Status       types.Int64  `tfsdk:"status"`
	StatusName   types.String `tfsdk:"status_name"`
	CredentialID types.Int64  `tfsdk:"credential_id"`
	DateCreated  types.String `tfsdk:"date_created"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	Expired      types.Bool   `tfsdk:"expired"`
	IssuedAt     types.Int64  `tfsdk:"issued_at"`
}

// fill sets every attribute from s. issuedAt is when the token was issued as
// the resource knows it; zero elsewhere, where the times count from dateCreated.
func (v *linkView) fill(s *albato.Sharing, pd *providerData, issuedAt time.Time) {
	v.ID = types.StringValue(strconv.FormatInt(s.ID, 10))
	v.PartnerID = types.Int64Value(s.PartnerID)
	v.Title = types.StringValue(s.Title)
	v.Token = types.StringValue(s.Token)
	v.Link = types.StringValue(pd.linkOf(s))
	if !tokenShown(s) {
		v.forgetToken()
	}
	v.Status = types.Int64Value(int64(s.Status))
	v.StatusName = types.StringValue(s.Status.Name())
	v.CredentialID = types.Int64PointerValue(s.CredentialID)
	v.DateCreated = types.StringNull()
	if s.DateCreated != nil {
		v.DateCreated = types.StringValue(formatTime(*s.DateCreated))
	}
	issued, expiry := tokenLifetime(s.DateCreated, issuedAt)
	v.IssuedAt, v.ExpiresAt = types.Int64Null(), types.StringNull()
	if !issued.IsZero() {
		v.IssuedAt = types.Int64Value(issued.Unix())
		v.ExpiresAt = types.StringValue(formatTime(expiry))
	}
	v.Expired = types.BoolValue(dueAt(s.Status, expiry, 0, pd.apiNow(s)))
}

func viewOf(s *albato.Sharing, pd *providerData) linkView {
	var v linkView
	v.fill(s, pd, time.Time{})
	return v
}

// deletedView is a link the API no longer knows, as a wait that wants
// revoked reports it: revoked, and null where the API no longer says.
func deletedView(id int64) linkView {
	return linkView{ID: types.StringValue(strconv.FormatInt(id, 10)), PartnerID: types.Int64Null(),
		Title: types.StringNull(), Token: types.StringNull(), Link: types.StringNull(),
		Status: types.Int64Value(int64(albato.StatusRevoked)), StatusName: types.StringValue(albato.StatusRevoked.Name()),
		CredentialID: types.Int64Null(), DateCreated: types.StringNull(), ExpiresAt: types.StringNull(),
		Expired: types.BoolValue(false), IssuedAt: types.Int64Null()}
}

// tokenShown reports whether a link's token and link are shown: only while
// they can be used (granted: spent; revoked: dead).
func tokenShown(s *albato.Sharing) bool {
	return s.Status != albato.StatusGranted && !linkGone(s, nil)
}

func (v *linkView) forgetToken() {
	v.Token, v.Link = types.StringNull(), types.StringNull()
}

func (pd *providerData) linkOf(s *albato.Sharing) string {
	id := s.PartnerID
	if pd.linkID == linkIDSharing {
		id = s.ID
	}
	return buildLink(pd.connectURL, id, s.Token)
}

// buildLink forms <connectURL>?id=<id>&token=<token>; connectURL has no
// query of its own (albato.ParseConnectURL).
func buildLink(connectURL string, id int64, token string) string {
	q := url.Values{}
	q.Set("id", strconv.FormatInt(id, 10))
	q.Set("token", token)
	return connectURL + "?" + q.Encode()
}

var statusNames = []string{
	albato.StatusWaiting.Name(), albato.StatusGranted.Name(),
	albato.StatusWaitingOAuth.Name(), albato.StatusRevoked.Name(),
}

type attrKind int

const (
	kindString attrKind = iota
	kindInt
	kindBool
)

// linkAttr is one attribute every view shares, described once; hint
// replaces desc where the view is not the resource.
type linkAttr struct {
	name, desc, hint string
	kind             attrKind
	sensitive        bool
}

const (
	usableNote = "null once the link can no longer be used (granted: the token is spent; revoked: it is dead)"
	hintNote   = " Counted from `date_created`, which the API may keep when a token is regenerated: a hint, not a " +
		"verdict (only the `albato_connection_link` resource knows when a token was issued), so no wait fails on it."
)

var linkAttrs = []linkAttr{
	{name: "id", desc: "The sharing id, in decimal."},
	{name: "partner_id", kind: kindInt, desc: "The partner (app) id whose connection the end user creates, e.g. `225`."},
	{name: "title", desc: "Title of the link, 1 to 255 characters."},
	{name: "token", sensitive: true, desc: "The one-time token; " + usableNote + "."},
	{name: "link", sensitive: true, desc: "The link to hand to the end user: `<connect_url>?id=<partner_id>&token=<token>` " +
		"(the id the provider's `link_id` chooses). Anyone holding it can create the connection until it is used, " +
		"revoked or expired; " + usableNote + "."},
	{name: "status", kind: kindInt, desc: statusNumbers + "; granted: the connection exists."},
	{name: "status_name", desc: "The status as a word: " + statusNameList("or") + "."},
	{name: "credential_id", kind: kindInt, desc: "Null until the end user completes the link (status `1`); then the " +
		"id of the connection created, to feed a solution installation. A regeneration clears it again (the " +
		"connection itself stays in the account)."},
	{name: "date_created", desc: "When the API created the link, RFC 3339 in UTC; null until the API reports it."},
	{name: "issued_at", kind: kindInt,
		desc: "When the current token was issued, in Unix seconds; `expires_at` is " + inWords(linkLifetime) + " later. It changes at " +
			"every regeneration and never otherwise, and is not secret: use it as the `*_wo_version` of a " +
			"write-only argument that receives the link. Null until known (after an import, until the API reports " +
			"`date_created`).",
		hint: "When the token was issued as far as the API tells, in Unix seconds: `date_created`; null until the " +
			"API reports it." + hintNote},
	{name: "expires_at", desc: "RFC 3339 in UTC: " + inWords(linkLifetime) + " after the token was last issued (`issued_at`).",
		hint: "RFC 3339 in UTC: " + inWords(linkLifetime) + " after `date_created`." + hintNote},
	{name: "expired", kind: kindBool,
		desc: "Whether the link is waiting and at or past `expires_at`, as of the last refresh (on the API's clock).",
		hint: "Whether the link is waiting and at or past `expires_at`, on the API's clock." + hintNote},
}

func (k attrKind) unknown() attr.Value {
	switch k {
	case kindInt:
		return types.Int64Unknown()
	case kindBool:
		return types.BoolUnknown()
	}
	return types.StringUnknown()
}

// values are v's attributes by name, for objects built without the framework's struct conversion.
func (v *linkView) values() map[string]attr.Value {
	return map[string]attr.Value{
		"id": v.ID, "partner_id": v.PartnerID, "title": v.Title, "token": v.Token, "link": v.Link,
		"status": v.Status, "status_name": v.StatusName, "credential_id": v.CredentialID,
		"date_created": v.DateCreated, "expires_at": v.ExpiresAt, "expired": v.Expired, "issued_at": v.IssuedAt,
	}
}

// resourceLinkAttributes: extra is appended to the descriptions it names.
func resourceLinkAttributes(extra map[string]string) map[string]rschema.Attribute {
	out := make(map[string]rschema.Attribute, len(linkAttrs))
	for _, a := range linkAttrs {
		d := a.desc + extra[a.name]
		switch a.kind {
		case kindInt:
			out[a.name] = rschema.Int64Attribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}}
		case kindBool:
			out[a.name] = rschema.BoolAttribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
		default:
			out[a.name] = rschema.StringAttribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
		}
	}
	return out
}

func dataSourceLinkAttributes(omit ...string) map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for _, a := range linkAttrs {
		d := cmp.Or(a.hint, a.desc)
		switch {
		case slices.Contains(omit, a.name):
		case a.kind == kindInt:
			out[a.name] = dschema.Int64Attribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive}
		case a.kind == kindBool:
			out[a.name] = dschema.BoolAttribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive}
		default:
			out[a.name] = dschema.StringAttribute{MarkdownDescription: d, Computed: true, Sensitive: a.sensitive}
		}
	}
	return out
}

// lookupLinkAttributes are those of a view that reads one link by its id.
func lookupLinkAttributes() map[string]dschema.Attribute {
	attrs := dataSourceLinkAttributes()
	attrs["id"] = dschema.StringAttribute{MarkdownDescription: "The sharing id to read, in decimal (the resource's `id`).",
		Required: true, Validators: []validator.String{sharingIDValidator}}
	return attrs
}

// ephemeralAttributes converts the data source's attributes in, field for
// field; a kind it does not know is an error.
func ephemeralAttributes(in map[string]dschema.Attribute, diags *diag.Diagnostics) map[string]eschema.Attribute {
	out := map[string]eschema.Attribute{}
	for name, a := range in {
		switch a := a.(type) {
		case dschema.Int64Attribute:
			out[name] = eschema.Int64Attribute(a)
		case dschema.BoolAttribute:
			out[name] = eschema.BoolAttribute(a)
		case dschema.StringAttribute:
			out[name] = eschema.StringAttribute(a)
		default:
			diags.Append(unconvertedAttribute("ephemeral", name, a))
		}
	}
	return out
}

// unconvertedAttribute is the error of a schema converted from the data source's.
func unconvertedAttribute(schema, name string, a dschema.Attribute) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider Schema Error", fmt.Sprintf("The %s schema has no counterpart for "+
		"attribute %q, a %T. This is a bug in the provider.", schema, name, a))
}
