package provider

import (
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// linkAttributes are the attributes every view of a connection link shares:
// the resource, the single-link data source and each item of the list.
type linkAttributes struct {
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

// fill sets every attribute from a sharing the API returned. issuedAt is when
// the token was last issued by our own create or regenerate call (zero when
// unknown); expired is judged on the API's clock when it answered. A granted
// link's token is spent: its token and link are null, so that no state keeps
// a secret that opens nothing.
func (m *linkAttributes) fill(s *albato.Sharing, pd *providerData, issuedAt time.Time) {
	m.ID = types.StringValue(strconv.FormatInt(s.ID, 10))
	m.PartnerID = types.Int64Value(s.PartnerID)
	m.Title = types.StringValue(s.Title)
	m.Token = types.StringValue(s.Token)
	m.Link = types.StringValue(pd.linkOf(s))
	if s.Status == albato.StatusGranted {
		m.forgetToken()
	}
	m.Status = types.Int64Value(int64(s.Status))
	m.StatusName = types.StringValue(s.Status.Name())
	m.CredentialID = types.Int64Null()
	if s.CredentialID != nil {
		m.CredentialID = types.Int64Value(*s.CredentialID)
	}
	m.DateCreated = types.StringNull()
	if s.DateCreated != nil {
		m.DateCreated = types.StringValue(formatTime(*s.DateCreated))
	}
	var expiry time.Time
	m.IssuedAt, m.ExpiresAt = types.Int64Null(), types.StringNull()
	if issued := tokenIssuedAt(s.DateCreated, issuedAt); !issued.IsZero() {
		expiry = issued.Add(linkLifetime)
		m.IssuedAt = types.Int64Value(issued.Unix())
		m.ExpiresAt = types.StringValue(formatTime(expiry))
	}
	m.Expired = types.BoolValue(isExpired(s.Status, expiry, pd.apiNow(s)))
}

// forgetToken nulls the two secret attributes.
func (m *linkAttributes) forgetToken() {
	m.Token = types.StringNull()
	m.Link = types.StringNull()
}

// parseTimeAttr reads back an RFC 3339 attribute; the zero time when null,
// unknown or unparsable.
func parseTimeAttr(v types.String) time.Time {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return time.Time{}
	}
	return t
}

// configuredID is the sharing id a data source or the ephemeral resource
// was given; anything else is an error against its id attribute.
func configuredID(v types.String, diags *diag.Diagnostics) (int64, bool) {
	id, ok := parseSharingID(v.ValueString())
	if !ok {
		diags.AddAttributeError(path.Root("id"), "Invalid Connection Link ID",
			fmt.Sprintf("Expected a sharing id, a positive whole number such as \"61\", got %q.", v.ValueString()))
	}
	return id, ok
}

// parseSharingID turns the decimal id attribute into the API's number.
func parseSharingID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
