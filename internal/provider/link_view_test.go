package provider

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestBuildLink(t *testing.T) {
	t.Parallel()
	cases := []struct {
		connect string
		partner int64
		token   string
		want    string
	}{
		{"https://connect.integrations-hub.com", 225, "aZeZWFwAQQ", "https://connect.integrations-hub.com?id=225&token=aZeZWFwAQQ"},
		{"https://connect.example.com/", 1, "t", "https://connect.example.com/?id=1&token=t"},
		{"http://a&", 7, "abc", "http://a&?id=7&token=abc"}, // "&" in the host, no query (fuzz)
		// Tokens are query-encoded, whatever they hold.
		{"http://localhost:8080/connect", 225, "a+b/c=d&e", "http://localhost:8080/connect?id=225&token=a%2Bb%2Fc%3Dd%26e"},
	}
	for _, c := range cases {
		if got := buildLink(c.connect, c.partner, c.token); got != c.want {
			t.Errorf("buildLink(%q, %d, %q) = %q, want %q", c.connect, c.partner, c.token, got, c.want)
		}
	}
}

// link_id picks which id the link carries: the partner's (the connect
// page's default) or the sharing's.
func TestLinkOfCarriesTheChosenID(t *testing.T) {
	t.Parallel()
	s := &albato.Sharing{ID: 61, PartnerID: 225, Token: "tok"}
	for linkID, want := range map[string]string{
		linkIDPartner: "https://c?id=225&token=tok",
		linkIDSharing: "https://c?id=61&token=tok",
	} {
		pd := &providerData{settings: settings{connectURL: "https://c", linkID: linkID}}
		if got := pd.linkOf(s); got != want {
			t.Errorf("link_id = %q: link %q, want %q", linkID, got, want)
		}
	}
}

// Every view shows a link's token and link only while they can be used: a
// granted link's token is spent, a revoked link's dead.
func TestFillShowsTheTokenOnlyWhileUsable(t *testing.T) {
	t.Parallel()
	pd := &providerData{now: clocktest.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Now, settings: settings{connectURL: "https://c"}}
	for status, shown := range map[albato.Status]bool{
		albato.StatusWaiting: true, albato.StatusWaitingOAuth: true, albato.StatusGranted: false, albato.StatusRevoked: false,
	} {
		var m linkView
		m.fill(&albato.Sharing{ID: 61, PartnerID: 225, Token: "tok", Status: status}, pd, time.Time{})
		if m.Token.IsNull() == shown || m.Link.IsNull() == shown {
			t.Errorf("status %s: token %v, link %v; want shown = %v", status.Name(), m.Token, m.Link, shown)
		}
	}
}

// FuzzBuildLink: whatever the connect URL the provider accepts and the
// token, the link starts with the connect URL and its query carries the
// partner id and the token exactly once, so an end user always lands on the
// right sharing.
func FuzzBuildLink(f *testing.F) {
	f.Add("https://connect.integrations-hub.com", int64(225), "aZeZWFwAQQ")
	f.Add("https://white.label/connect/acme", int64(1), "a+b/c=d&e")
	f.Add("http://127.0.0.1:8080/connect", int64(7), "#frag?x")
	f.Fuzz(func(t *testing.T, connect string, partner int64, token string) {
		if _, err := albato.ParseConnectURL(connect); err != nil || connect != strings.TrimSpace(connect) {
			t.Skip("the provider refuses such a connect_url, or trims it first")
		}
		link := buildLink(connect, partner, token)
		if !strings.HasPrefix(link, connect) {
			t.Fatalf("link %q does not start with %q", link, connect)
		}
		parsed, err := url.Parse(link)
		if err != nil {
			t.Fatalf("link %q does not parse: %v", link, err)
		}
		q := parsed.Query()
		if got := q["token"]; len(got) != 1 || got[0] != token {
			t.Fatalf("link %q carries token %q, want %q", link, got, token)
		}
		if got := q["id"]; len(got) != 1 || got[0] != strconv.FormatInt(partner, 10) {
			t.Fatalf("link %q carries id %q, want %d", link, got, partner)
		}
	})
}

// TestLinkFilterBounds: the filters' limits, each side of them.
func TestLinkFilterBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		filter linkFilter
		errors int
	}{
		{linkFilter{PartnerID: types.Int64Value(1), Status: types.Int64Value(0), StatusName: types.StringNull()}, 0},
		{linkFilter{PartnerID: types.Int64Value(0), Status: types.Int64Value(3), StatusName: types.StringNull()}, 1},
		{linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Value(-1), StatusName: types.StringNull()}, 1},
		{linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Value(4), StatusName: types.StringNull()}, 1},
	} {
		var diags diag.Diagnostics
		tc.filter.validate(path.Empty(), &diags)
		if diags.ErrorsCount() != tc.errors {
			t.Errorf("%+v: %d errors, want %d: %v", tc.filter, diags.ErrorsCount(), tc.errors, diags)
		}
	}
}

// The identity schema describes its id as linkAttrs[0].
func TestLinkAttrDescription(t *testing.T) {
	t.Parallel()
	if a := linkAttrs[0]; a.name != "id" || a.desc != "The sharing id, in decimal." {
		t.Errorf("linkAttrs[0]: %+v", a)
	}
}

func TestSharingIDIsPositive(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{"1": true, "61": true, "0": false, "-1": false, "x": false} {
		var diags diag.Diagnostics
		if _, got := sharingID(raw, path.Root("id"), &diags); got != ok || diags.HasError() == ok {
			t.Errorf("sharingID(%q): %v, %v; want ok %v", raw, got, diags, ok)
		}
	}
}

// A filter keeps the links that match every filter set; onlyRevoked tells
// the filters that can match revoked links only.
func TestLinkFilterMatches(t *testing.T) {
	t.Parallel()
	s := albato.Sharing{ID: 61, PartnerID: 225, Status: albato.StatusGranted}
	none := linkFilter{PartnerID: types.Int64Null(), Status: types.Int64Null(), StatusName: types.StringNull()}
	for _, c := range []struct {
		name                 string
		set                  func(*linkFilter)
		matches, onlyRevoked bool
	}{
		{"no filter", func(*linkFilter) {}, true, false},
		{"the partner", func(f *linkFilter) { f.PartnerID = types.Int64Value(225) }, true, false},
		{"another partner", func(f *linkFilter) { f.PartnerID = types.Int64Value(7) }, false, false},
		{"the status", func(f *linkFilter) { f.Status = types.Int64Value(1) }, true, false},
		{"another status", func(f *linkFilter) { f.Status = types.Int64Value(0) }, false, false},
		{"the status name", func(f *linkFilter) { f.StatusName = types.StringValue("granted") }, true, false},
		{"another status name", func(f *linkFilter) { f.StatusName = types.StringValue("waiting") }, false, false},
		{"revoked", func(f *linkFilter) { f.Status = types.Int64Value(3) }, false, true},
		{"revoked by name", func(f *linkFilter) { f.StatusName = types.StringValue("revoked") }, false, true},
	} {
		f := none
		c.set(&f)
		if got := f.matches(s); got != c.matches {
			t.Errorf("%s: matches = %v, want %v", c.name, got, c.matches)
		}
		if got := f.onlyRevoked(); got != c.onlyRevoked {
			t.Errorf("%s: onlyRevoked = %v, want %v", c.name, got, c.onlyRevoked)
		}
	}
}

// Every view gives each shared attribute the resource's type.
func TestLinkAttributeTypesAgree(t *testing.T) {
	t.Parallel()
	resourceAttrs, ephemeralAttrs := resourceLinkAttributes(nil), ephemeralAttributes(lookupLinkAttributes(), new(diag.Diagnostics))
	for name, a := range dataSourceLinkAttributes() {
		want := resourceAttrs[name].GetType()
		if !a.GetType().Equal(want) || !ephemeralAttrs[name].GetType().Equal(want) {
			t.Errorf("%s: data source %s, ephemeral %s, resource %s", name, a.GetType().String(),
				ephemeralAttrs[name].GetType().String(), want.String())
		}
	}
}

// TestSchemaConvertersRefuseUnknownKinds: the ephemeral and list schemas
// convert every attribute they are given, and refuse, with an error naming
// it, one of a kind they have no counterpart for.
func TestSchemaConvertersRefuseUnknownKinds(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	if got := ephemeralAttributes(lookupLinkAttributes(), &diags); len(got) != len(lookupLinkAttributes()) || diags.HasError() {
		t.Errorf("ephemeral: %d of %d attributes, %v", len(got), len(lookupLinkAttributes()), diags)
	}
	if got := listAttributes(filterAttributes(nil), &diags); len(got) != len(filterAttributes(nil)) || diags.HasError() {
		t.Errorf("list: %d of %d attributes, %v", len(got), len(filterAttributes(nil)), diags)
	}
	odd := map[string]dschema.Attribute{"tags": dschema.ListAttribute{ElementType: types.StringType, Computed: true}}
	for name, convert := range map[string]func(*diag.Diagnostics){
		"ephemeral": func(d *diag.Diagnostics) { ephemeralAttributes(odd, d) },
		"list":      func(d *diag.Diagnostics) { listAttributes(odd, d) },
	} {
		var d diag.Diagnostics
		convert(&d)
		if !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), `"tags"`) {
			t.Errorf("%s: a list attribute gave %v, want an error naming it", name, d)
		}
	}
}
