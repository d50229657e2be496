package provider

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
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

// link_id chooses the id in the link: the partner's (default) or the
// link's own.
func TestAccConnectionLink_linkID(t *testing.T) {
	for _, c := range []struct {
		linkID   string
		idOfLink func(partnerID, sharingID int64) int64
	}{
		{"partner_id", func(p, _ int64) int64 { return p }},
		{"sharing_id", func(_, s int64) int64 { return s }},
	} {
		t.Run(c.linkID, func(t *testing.T) {
			e := newTestEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: e.providerConfig(fmt.Sprintf("link_id = %q", c.linkID)) + `
resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "link id"
}`,
					Check: func(s *terraform.State) error {
						sh := e.onlySharing()
						link := s.RootModule().Resources[linkAddr].Primary.Attributes["link"]
						want := fmt.Sprintf("%s?id=%d&token=%s", e.connectURL(), c.idOfLink(sh.PartnerID, sh.ID), sh.Token)
						if link != want {
							return fmt.Errorf("link = %q, want %q", link, want)
						}
						return nil
					},
				}},
			})
		})
	}
}

// Issue 12.3: a granted link's token is spent; token and link become null
// in the resource, the data source and the list, shown once as a change
// outside Terraform, and the plans stay empty. A waiting link keeps its own.
func TestAccConnectionLink_grantedTokenLeavesState(t *testing.T) {
	e := newTestEnv(t)
	cfg := e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "granted, then forgotten"
}

resource "albato_connection_link" "waiting" {
  partner_id = 225
  title      = "still waiting"
}

data "albato_connection_link" "test" {
  id = albato_connection_link.test.id
}

data "albato_connection_links" "all" {
  include_secrets = true
  depends_on      = [albato_connection_link.test, albato_connection_link.waiting]
}
`
	const waitingAddr = "albato_connection_link.waiting"
	var grantedID int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("link"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("token"), knownvalue.NotNull()),
				},
			},
			{
				PreConfig: func() {
					var err error
					for _, sh := range e.sandbox.Sharings() {
						if sh.Title == "granted, then forgotten" {
							grantedID = sh.ID
						}
					}
					if _, err = e.sandbox.Grant(grantedID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				// The refresh shows the change; nothing is left to apply.
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), knownvalue.Null()),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("link"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("link"), knownvalue.Null()),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("link"), knownvalue.Null()),
					statecheck.ExpectKnownValue(waitingAddr, tfjsonpath.New("token"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(waitingAddr, tfjsonpath.New("link"), knownvalue.NotNull()),
					listItemToken(e, &grantedID),
				},
				Check: e.checkCount("PUT", 0),
			},
			{RefreshState: true},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// listItemToken checks the list data source: no token or link for the
// granted link, the sandbox's for every other.
func listItemToken(e *testEnv, grantedID *int64) statecheck.StateCheck {
	const addr = "data.albato_connection_links.all"
	return statecheckFunc(func(get func(tfjsonpath.Path) (any, error)) error {
		tokens, err := get(tfjsonpath.New("token_by_id"))
		if err != nil {
			return err
		}
		links, err := get(tfjsonpath.New("link_by_id"))
		if err != nil {
			return err
		}
		tokenOf, _ := tokens.(map[string]any)
		linkOf, _ := links.(map[string]any)
		for _, sh := range e.sandbox.Sharings() {
			id := strconv.FormatInt(sh.ID, 10)
			token, hasToken := tokenOf[id]
			_, hasLink := linkOf[id]
			switch {
			case sh.ID == *grantedID && (hasToken || hasLink):
				return fmt.Errorf("link %s (granted) has a token or link", id)
			case sh.ID != *grantedID && token != sh.Token:
				return fmt.Errorf("link %s (waiting) lost its token", id)
			}
		}
		return nil
	}, addr)
}

// statecheckFunc runs f with a getter of values of the resource at addr.
func statecheckFunc(f func(get func(tfjsonpath.Path) (any, error)) error, addr string) statecheck.StateCheck {
	return stateCheckFunc{addr: addr, f: f}
}

type stateCheckFunc struct {
	addr string
	f    func(get func(tfjsonpath.Path) (any, error)) error
}

func (c stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == c.addr {
			resp.Error = c.f(func(p tfjsonpath.Path) (any, error) { return tfjsonpath.Traverse(r.AttributeValues, p) })
			return
		}
	}
	resp.Error = fmt.Errorf("%s not in state", c.addr)
}

// Turning store_token on plans only token and link as unknown: when the end
// user completes the link between plan and apply, the apply takes the (now
// null) token and keeps the rest as planned, rather than an "inconsistent
// result after apply"; the next refresh shows the completion.
func TestAccConnectionLink_storeTokenOnWhileCompleted(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: testAccConnectionLinkConfig(e, "taken back", "store_token = false")},
			{
				PreConfig: func() {
					// The plan's refresh is the first GET, the apply's read the second.
					e.before("GET", 2, func() {
						if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
							t.Error(err)
						}
					})
				},
				Config: testAccConnectionLinkConfig(e, "taken back", "store_token = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(0)),
					},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr(linkAddr, "token"),
					resource.TestCheckNoResourceAttr(linkAddr, "link"),
				),
			},
			{
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(linkAddr, "status_name", "granted"),
			},
		},
	})
}

// Issue 12.3: store_token = false keeps token and link out of state and
// plan, at create, at regeneration and after a grant; turning it on reads
// the link once; turning it off again forgets it without a request.
func TestAccConnectionLink_storeTokenFalse(t *testing.T) {
	e := newTestEnv(t)
	w := newTokenWatch(e)
	nullSecrets := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), knownvalue.Null()),
			statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("link"), knownvalue.Null()),
			statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("store_token"), knownvalue.Bool(false)),
			w.absentFromState(),
		}
	}
	nullPlan := func(extra ...plancheck.PlanCheck) []plancheck.PlanCheck {
		return append([]plancheck.PlanCheck{
			plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), knownvalue.Null()),
			plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("link"), knownvalue.Null()),
		}, extra...)
	}
	off := func(rotation string) string {
		return testAccConnectionLinkConfig(e, "kept out of state", `store_token = false`,
			fmt.Sprintf(`regenerate_triggers = { rotation = %q }`, rotation))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: off("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             nullPlan(plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionCreate)),
					PostApplyPostRefresh: []plancheck.PlanCheck{w.absentFromPlan()},
				},
				ConfigStateChecks: append(nullSecrets(),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting"))),
			},
			// A regeneration: a new token, still not in state or plan.
			{
				PreConfig: func() { e.clock.Advance(time.Hour) },
				Config:    off("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: nullPlan(
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("issued_at")),
						w.absentFromPlan(),
					),
					PostApplyPostRefresh: []plancheck.PlanCheck{w.absentFromPlan()},
				},
				ConfigStateChecks: nullSecrets(),
				Check:             e.checkCount("PUT", 1),
			},
			// store_token turned on: one GET brings the token in.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccConnectionLinkConfig(e, "kept out of state", `regenerate_triggers = { rotation = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("link")),
						expectKnown(linkAddr, "issued_at"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("token"), tokenOfOnlySharing(e)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("store_token"), knownvalue.Bool(true)),
				},
				// The plan's refresh and the update's one read.
				Check: func(*terraform.State) error {
					return e.expectRequests("turning store_token on", map[string]int{"GET": 2})
				},
			},
			// Off again: forgotten without a request.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    off("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: nullPlan(plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)),
				},
				ConfigStateChecks: nullSecrets(),
				Check:             e.checkCount("PUT", 0),
			},
			// Granted while off: still nothing, and an empty plan.
			{
				PreConfig: func() {
					if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: off("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), w.absentFromPlan()},
				},
				ConfigStateChecks: nullSecrets(),
			},
		},
	})
}
