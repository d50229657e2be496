package provider

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
// unknown); expired is judged as of the API's answer.
func (m *linkAttributes) fill(s *albato.Sharing, pd *providerData, issuedAt time.Time) {
	m.ID = types.StringValue(strconv.FormatInt(s.ID, 10))
	m.PartnerID = types.Int64Value(s.PartnerID)
	m.Title = types.StringValue(s.Title)
	m.Token = types.StringValue(s.Token)
	m.Link = types.StringValue(pd.linkOf(s))
	if !tokenShown(s.Status) {
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
	issued, expiry := tokenLifetime(s.DateCreated, issuedAt)
	m.IssuedAt, m.ExpiresAt = types.Int64Null(), types.StringNull()
	if !issued.IsZero() {
		m.IssuedAt = types.Int64Value(issued.Unix())
		m.ExpiresAt = types.StringValue(formatTime(expiry))
	}
	m.Expired = types.BoolValue(isExpired(s.Status, expiry, pd.apiNow(s)))
}

// tokenShown reports whether a link's token and link are shown, by every
// resource and data source alike: only while they can still be used. A
// granted link's token is spent and a revoked link's is dead, so no state or
// output keeps a secret that opens nothing.
func tokenShown(status albato.Status) bool {
	return status != albato.StatusGranted && status != albato.StatusRevoked
}

// forgetToken nulls the two secret attributes.
func (m *linkAttributes) forgetToken() {
	m.Token = types.StringNull()
	m.Link = types.StringNull()
}

// linkOf is the end user's link to s, with the id that link_id chose.
func (pd *providerData) linkOf(s *albato.Sharing) string {
	id := s.PartnerID
	if pd.linkID == linkIDSharing {
		id = s.ID
	}
	return buildLink(pd.connectURL, id, s.Token)
}

// buildLink forms the end user's link: <connectURL>?id=<id>&token=<token>,
// with "&" instead of "?" when connectURL already carries a query.
func buildLink(connectURL string, id int64, token string) string {
	q := url.Values{}
	q.Set("id", strconv.FormatInt(id, 10))
	q.Set("token", token)
	// Join the parameters to the connect URL's own query, if it has one:
	// after "?" or a trailing "&" directly, otherwise after "&". Only the
	// query counts: in "https://a&" the "&" is part of the host, and in
	// "https://a??" the query is "?" (both found by FuzzBuildLink).
	sep := "?"
	if i := strings.IndexByte(connectURL, '?'); i >= 0 {
		switch query := connectURL[i+1:]; {
		case query == "" || strings.HasSuffix(query, "&"):
			sep = ""
		default:
			sep = "&"
		}
	}
	return connectURL + sep + q.Encode()
}

// sharingID turns a decimal sharing id (configured, imported or in the
// state) into the API's number; anything else is an error against at.
func sharingID(raw string, at path.Path, diags *diag.Diagnostics) (int64, bool) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		diags.AddAttributeError(at, "Invalid Connection Link ID",
			fmt.Sprintf("Expected a sharing id, a positive whole number such as \"61\", got %q.", raw))
		return 0, false
	}
	return n, true
}
