package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The list walks every page (the sandbox pages by 2), filters, and sorts
// by id; with include_secrets, the tokens and links of the links whose token
// is usable are in the two sensitive maps, by id, and nowhere in links.
func TestAccConnectionLinksDataSource_basic(t *testing.T) {
	e := newTestEnv(t)
	links := e.providerConfig() + `
resource "albato_connection_link" "crm" {
  count      = 3
  partner_id = 225
  title      = "crm ${count.index}"
}

resource "albato_connection_link" "mailer" {
  count      = 2
  partner_id = 226
  title      = "mailer ${count.index}"
}
`
	lists := `
data "albato_connection_links" "all" {
  include_secrets = true
  depends_on      = [albato_connection_link.crm, albato_connection_link.mailer]
}

data "albato_connection_links" "mailer" {
  partner_id = 226
  depends_on = [albato_connection_link.crm, albato_connection_link.mailer]
}

data "albato_connection_links" "granted" {
  status     = 1
  depends_on = [albato_connection_link.crm, albato_connection_link.mailer]
}

data "albato_connection_links" "secrets_off" {
  include_secrets = false
  depends_on      = [albato_connection_link.crm, albato_connection_link.mailer]
}

data "albato_connection_links" "waiting_by_name" {
  status_name = "waiting"
  depends_on  = [albato_connection_link.crm, albato_connection_link.mailer]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: links},
			{
				PreConfig: func() {
					all := e.sandbox.Sharings()
					if _, err := e.sandbox.Grant(all[1].ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: links + lists,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.albato_connection_links.all", tfjsonpath.New("links"), knownvalue.ListSizeExact(5)),
					statecheck.ExpectKnownValue("data.albato_connection_links.mailer", tfjsonpath.New("links"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.albato_connection_links.granted", tfjsonpath.New("links"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.albato_connection_links.granted", tfjsonpath.New("links").AtSliceIndex(0).AtMapKey("status_name"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue("data.albato_connection_links.waiting_by_name", tfjsonpath.New("links"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectSensitiveValue("data.albato_connection_links.all", tfjsonpath.New("link_by_id")),
					statecheck.ExpectSensitiveValue("data.albato_connection_links.all", tfjsonpath.New("token_by_id")),
					// 4 waiting links: the granted one's token is spent.
					statecheck.ExpectKnownValue("data.albato_connection_links.all", tfjsonpath.New("link_by_id"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue("data.albato_connection_links.all", tfjsonpath.New("token_by_id"), knownvalue.MapSizeExact(4)),
					// Without include_secrets no secret is read into the state.
					statecheck.ExpectKnownValue("data.albato_connection_links.mailer", tfjsonpath.New("link_by_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.albato_connection_links.mailer", tfjsonpath.New("token_by_id"), knownvalue.Null()),
					// Nor with include_secrets = false written out.
					statecheck.ExpectKnownValue("data.albato_connection_links.secrets_off", tfjsonpath.New("link_by_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.albato_connection_links.secrets_off", tfjsonpath.New("token_by_id"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources["data.albato_connection_links.all"].Primary.Attributes
					want := e.sandbox.Sharings()
					for i, sh := range want {
						got, _ := strconv.ParseInt(attrs[fmt.Sprintf("links.%d.id", i)], 10, 64)
						if got != sh.ID {
							return fmt.Errorf("links[%d].id = %d, want %d (ids ascending)", i, got, sh.ID)
						}
						// A granted link's token is spent and not kept (issue 12.3).
						wantToken, wantLink := sh.Token, buildLink(e.connectURL(), sh.PartnerID, sh.Token)
						if sh.Status == 1 {
							wantToken, wantLink = "", ""
						}
						id := strconv.FormatInt(sh.ID, 10)
						if attrs["token_by_id."+id] != wantToken || attrs["link_by_id."+id] != wantLink {
							return fmt.Errorf("token_by_id[%s] or link_by_id[%s] does not match the sandbox (status %d)", id, id, sh.Status)
						}
						for _, secret := range []string{"token", "link"} {
							if _, ok := attrs[fmt.Sprintf("links.%d.%s", i, secret)]; ok {
								return fmt.Errorf("links[%d] has a %s", i, secret)
							}
						}
						if got, want := attrs[fmt.Sprintf("links.%d.issued_at", i)], fmt.Sprint(sh.DateCreated.Unix()); got != want {
							return fmt.Errorf("links[%d].issued_at = %s, want %s (date_created)", i, got, want)
						}
					}
					// 5 links at 2 a page: pages 1, 2 and 3, each read once per list.
					pages := map[string]int{}
					for _, r := range e.sandbox.Requests() {
						if r.Method == "GET" && r.Path == "/credentials/grant-access-sharing" {
							pages[r.Query]++
						}
					}
					if len(pages) != 3 {
						return fmt.Errorf("list read pages %v, want page=1..3", pages)
					}
					return nil
				},
			},
		},
	})
}

// A wrong status name fails with the list of names; status and status_name
// together are refused.
func TestAccConnectionLinksDataSource_invalidFilter(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(filter string) string {
		return e.providerConfig() + "\ndata \"albato_connection_links\" \"bad\" {\n  " + filter + "\n}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(`status_name = "done"`),
				ExpectError: regexp.MustCompile(`(?s)status_name\s+=\s+"done".*must be one of\s+"waiting",\s+"granted",\s+"waiting_oauth",\s+"revoked",\s+got\s+"done"`),
			},
			{Config: cfg("status = 0\n  status_name = \"waiting\""), ExpectError: regexp.MustCompile(`Conflicting Status Filters`)},
		},
	})
}

// A list whose meta says less than its pages hold (page 1 holds 3 of 17
// links but counts 0 pages and 0 links) fails the data source with what
// does not add up, never a part of the list; with a true meta again, the
// same configuration lists all 17.
func TestAccConnectionLinksDataSource_metaSaysLess(t *testing.T) {
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize, o.MaxPerPage = 3, 3 })
	for i := range 17 {
		e.seed(225, fmt.Sprint("Link ", i))
	}
	cfg := e.providerConfig() + `
data "albato_connection_links" "all" {}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					e.sandbox.AddFault(sandbox.Fault{Method: "GET", PathPrefix: sharingsPath,
						ListMeta: &sandbox.ListMeta{TotalPages: 0, TotalItemsCount: 0}})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`page\s+1\s+counts\s+0\s+sharings\s+on\s+0\s+pages,\s+but\s+the\s+1\s+pages\s+read\s+hold\s+3`),
			},
			{
				PreConfig: e.sandbox.ClearFaults,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.albato_connection_links.all", tfjsonpath.New("links"), knownvalue.ListSizeExact(17)),
				},
			},
		},
	})
}

// exclude_expired_by_date leaves out exactly the waiting links whose
// date_created is a lifetime old or more, over every status, old and new
// dates, and a link regenerated since its old date (left out, though its
// token works: the date errs that way only). Invariant: no link kept is
// waiting with a token past its lifetime.
func TestAccConnectionLinksDataSource_excludeExpiredByDate(t *testing.T) {
	e := newTestEnv(t)
	seedAll := func(age string) (regenerate int64) {
		for _, p := range []int64{225, 227} { // 227 is an OAuth app
			e.seed(p, age+" waiting")
			granted := e.seed(p, age+" granted")
			if _, err := e.sandbox.Grant(granted); err != nil {
				t.Fatal(err)
			}
			if err := e.sandbox.Revoke(e.seed(p, age+" revoked")); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.sandbox.StartOAuth(e.seed(227, age+" waiting_oauth")); err != nil {
			t.Fatal(err)
		}
		return e.seed(225, age+" regenerated")
	}
	regenerated := seedAll("old")
	e.clock.Advance(linkLifetime + time.Hour)
	if err := e.regenerateThroughAPI(regenerated); err != nil {
		t.Fatal(err)
	}
	seedAll("new")

	cfg := e.providerConfig() + `
data "albato_connection_links" "fresh" {
  exclude_expired_by_date = true
  include_secrets         = true
}

data "albato_connection_links" "all" {
  exclude_expired_by_date = false
  include_secrets         = true
}
`
	check := func(s *terraform.State) error {
		now := e.clock.Now()
		keptIDs := func(addr string) (ids, secrets map[string]bool) {
			ids, secrets = map[string]bool{}, map[string]bool{}
			for k, v := range s.RootModule().Resources[addr].Primary.Attributes {
				if strings.HasPrefix(k, "links.") && strings.HasSuffix(k, ".id") {
					ids[v] = true
				}
				if id, ok := strings.CutPrefix(k, "link_by_id."); ok && id != "%" {
					secrets[id] = true
				}
			}
			return ids, secrets
		}
		fresh, freshSecrets := keptIDs("data.albato_connection_links.fresh")
		all, allSecrets := keptIDs("data.albato_connection_links.all")
		for _, sh := range e.sandbox.Sharings() {
			id := strconv.FormatInt(sh.ID, 10)
			oldDate := !now.Before(sh.DateCreated.Add(linkLifetime))
			wantKept := !(sh.Status == 0 && oldDate)
			if fresh[id] != wantKept || !all[id] {
				return fmt.Errorf("link %s (%s, status %d, date_created %s): kept %v, want %v; in the unfiltered list %v",
					id, sh.Title, sh.Status, rfc3339(sh.DateCreated), fresh[id], wantKept, all[id])
			}
			if freshSecrets[id] != (wantKept && allSecrets[id]) {
				return fmt.Errorf("link %s (%s): in link_by_id %v, want %v", id, sh.Title, freshSecrets[id], wantKept && allSecrets[id])
			}
			if fresh[id] && sh.Status == 0 && !now.Before(sh.TokenIssuedAt.Add(linkLifetime)) {
				return fmt.Errorf("link %s (%s) kept, but its token expired at %s", id, sh.Title, rfc3339(sh.TokenIssuedAt.Add(linkLifetime)))
			}
		}
		if id := strconv.FormatInt(regenerated, 10); fresh[id] || !allSecrets[id] {
			return fmt.Errorf("the link regenerated since its old date: kept %v, usable token %v; want left out, usable", fresh[id], allSecrets[id])
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check:  check,
			ConfigStateChecks: []statecheck.StateCheck{
				// 8 links of each age; the old waiting ones (2) and the regenerated one left out.
				statecheck.ExpectKnownValue("data.albato_connection_links.fresh", tfjsonpath.New("links"), knownvalue.ListSizeExact(16-3)),
				statecheck.ExpectKnownValue("data.albato_connection_links.all", tfjsonpath.New("links"), knownvalue.ListSizeExact(16)),
			},
		}},
	})
}
