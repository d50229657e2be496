package provider

// A suite across types: the API requests each Terraform command sends per
// link (DESIGN.md's table of requests), for the resource and its reads.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// expectPerLink checks that each of the state's links got exactly the
// sequence want, and that no other link did.
func (e *testEnv) expectPerLink(s *terraform.State, want ...string) error {
	got := e.perLink()
	ids := linkIDs(s)
	if len(ids) != requestsN {
		return fmt.Errorf("state holds %d links, want %d", len(ids), requestsN)
	}
	for _, id := range ids {
		if !slices.Equal(got[id], want) {
			return fmt.Errorf("link %d got %v, want %v; requests: %v", id, got[id], want, e.requests())
		}
		delete(got, id)
	}
	delete(got, 0)
	if len(got) > 0 {
		return fmt.Errorf("requests to links not in the state: %v", got)
	}
	return nil
}

// Create is one POST and then one GET of the new link, per link; the plan
// before it sends nothing.
func TestAccRequests_create(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: requestsConfig(e, requestsN),
			Check: func(s *terraform.State) error {
				if err := e.expectRequests("plan and apply of a create", map[string]int{"POST": requestsN, "GET": requestsN}); err != nil {
					return err
				}
				if err := e.expectPerLink(s, "GET"); err != nil {
					return err
				}
				// Each link's GET comes after a POST: by then, at least as
				// many POSTs as GETs were answered.
				posts, gets := 0, 0
				for _, r := range e.sandbox.Requests() {
					switch r.Method {
					case "POST":
						posts++
					case "GET":
						if gets++; gets > posts {
							return fmt.Errorf("a GET came before its POST: %v", e.requests())
						}
					}
				}
				return nil
			},
		}},
	})
}

// An expiry regeneration is the re-read and the PUT per link, no more.
func TestAccRequests_regenerateExpired(t *testing.T) {
	e := newTestEnv(t)
	cfg := requestsConfig(e, requestsN)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					e.clock.Advance(48 * time.Hour)
					return nil
				},
			},
			{
				// The refresh that sees the links expired; the plans without
				// refresh after it regenerate them.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: e.sandbox.ResetRequests,
				Config:    cfg,
				Check: func(s *terraform.State) error {
					if err := e.expectRequests("an expiry regeneration", map[string]int{"GET": requestsN, "PUT": requestsN}); err != nil {
						return err
					}
					return e.expectPerLink(s, "GET", "PUT")
				},
			},
		},
	})
}

// A regeneration by regenerate_triggers of waiting links is one GET (has
// the end user completed it since the plan?) and one PUT per link.
func TestAccRequests_regenerateTriggers(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{
			{Config: requestsConfig(e, requestsN, `regenerate_triggers = { rotation = "1" }`)},
			{
				PreConfig: e.sandbox.ResetRequests,
				Config:    requestsConfig(e, requestsN, `regenerate_triggers = { rotation = "2" }`),
				Check: func(s *terraform.State) error {
					if err := e.expectRequests("a trigger regeneration", map[string]int{"GET": requestsN, "PUT": requestsN}); err != nil {
						return err
					}
					return e.expectPerLink(s, "GET", "PUT")
				},
			},
		},
	})
}

// Removing links from the configuration is one DELETE per link removed.
func TestAccRequests_deleteRemoved(t *testing.T) {
	e := newTestEnv(t)
	var before []int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{
			{
				Config: requestsConfig(e, requestsN),
				Check: func(s *terraform.State) error {
					before = linkIDs(s)
					return nil
				},
			},
			{
				PreConfig: e.sandbox.ResetRequests,
				Config:    requestsConfig(e, 2),
				Check: func(s *terraform.State) error {
					if err := e.expectRequests("deleting 3 links", map[string]int{"DELETE": requestsN - 2}); err != nil {
						return err
					}
					kept := linkIDs(s)
					got := e.perLink()
					for _, id := range before {
						want := []string{"DELETE"}
						if slices.Contains(kept, id) {
							want = nil
						}
						if !slices.Equal(got[id], want) {
							return fmt.Errorf("link %d got %v, want %v", id, got[id], want)
						}
					}
					return nil
				},
			},
		},
	})
}

// terraform destroy -refresh=false of N links is exactly N DELETEs. The
// harness's own destroy runs with -refresh=false; with every plan of the
// last step also without refresh, the log emptied in its Check holds the
// destroy's requests alone.
func TestAccRequests_destroyNoRefresh(t *testing.T) {
	e := newTestEnv(t)
	var ids []int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{{
			Config: requestsConfig(e, requestsN),
			Check: func(s *terraform.State) error {
				ids = linkIDs(s)
				e.sandbox.ResetRequests()
				return nil
			},
		}},
		CheckDestroy: func(*terraform.State) error {
			if err := e.expectRequests("destroy -refresh=false", map[string]int{"DELETE": requestsN}); err != nil {
				return err
			}
			got := e.perLink()
			for _, id := range ids {
				if !slices.Equal(got[id], []string{"DELETE"}) {
					return fmt.Errorf("link %d got %v, want one DELETE", id, got[id])
				}
				if sh, ok := e.sandbox.Sharing(id); !ok || sh.Status != sandbox.StatusRevoked {
					return fmt.Errorf("link %d not revoked after destroy", id)
				}
			}
			return nil
		},
	})
}

// onePageEnv is a sandbox whose list fits on one page.
func onePageEnv(t *testing.T) *testEnv {
	return newTestEnv(t, func(o *sandbox.Options) { o.PageSize, o.MaxPerPage = 50, 50 })
}

// expectOneListing checks what a refresh of requestsN links in an account
// of one list page costs ("Reading many links"): the first link's GET, then
// page 1, which tells that it is the only page and so is the listing that
// serves every other link. Nothing else.
func (e *testEnv) expectOneListing(what string, s *terraform.State) error {
	if err := e.expectRequests(what, map[string]int{"GET": 2}); err != nil {
		return err
	}
	perLink := e.perLink()
	if got := perLink[0]; len(got) != 1 {
		return fmt.Errorf("%s listed the account %d times, want once; requests: %v", what, len(got), e.requests())
	}
	own := 0
	for _, id := range linkIDs(s) {
		own += len(perLink[id])
	}
	if own != 1 {
		return fmt.Errorf("%s sent %d GETs of single links, want 1; requests: %v", what, own, e.requests())
	}
	return nil
}

// A refresh of many links reads them from one listing of the account.
func TestAccRequests_refresh(t *testing.T) {
	e := onePageEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: requestsConfig(e, requestsN)},
			{
				PreConfig:    e.sandbox.ResetRequests,
				RefreshState: true,
				Check: func(s *terraform.State) error {
					return e.expectOneListing("terraform refresh", s)
				},
			},
		},
	})
}

// A plan with no changes of N links reads them as a refresh does, and sends
// nothing else.
func TestAccRequests_planNoChanges(t *testing.T) {
	e := onePageEnv(t)
	cfg := requestsConfig(e, requestsN)
	var state *terraform.State
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				// After this, the harness plans with -refresh=false (no
				// request) and then with refresh: the plan measured here.
				Check: func(s *terraform.State) error {
					state = s
					e.sandbox.ResetRequests()
					return nil
				},
			},
			{
				// A plan-only step plans with -refresh=false and then with
				// refresh, and fails on any change.
				PreConfig: func() {
					if err := e.expectOneListing("a plan with no changes (after apply)", state); err != nil {
						t.Error(err)
					}
					e.sandbox.ResetRequests()
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					if err := e.expectOneListing("a plan with no changes (plan only)", state); err != nil {
						t.Error(err)
					}
				},
				RefreshState: true,
			},
		},
	})
}

// Reading many links from a listing of many pages costs far fewer requests
// than a GET each, and still shows every change made outside Terraform: a
// grant, a revoke and a link gone from the account.
func TestAccRequests_planManyLinks(t *testing.T) {
	const links, pageSize = 60, 5 // 12 pages
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize, o.MaxPerPage = pageSize, pageSize })
	cfg := requestsConfig(e, links)
	var granted, revoked, removed string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					ids := linkIDs(s)
					if _, err := e.sandbox.Grant(ids[7]); err != nil {
						return err
					}
					if err := e.sandbox.Revoke(ids[31]); err != nil {
						return err
					}
					if err := e.sandbox.Remove(ids[59]); err != nil {
						return err
					}
					granted, revoked, removed = fmt.Sprint(ids[7]), fmt.Sprint(ids[31]), fmt.Sprint(ids[59])
					e.sandbox.ResetRequests()
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig:          e.sandbox.ResetRequests,
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the revoked and the removed link are created again
				Check: func(s *terraform.State) error {
					// GETs until they reach the 12 pages, page 1, the listing's
					// other 11 pages, and a GET of the removed link, which the
					// listing lacks: 25 instead of 60.
					if n, most := len(e.sandbox.Requests()), 2*(links/pageSize)+1; n > most {
						return fmt.Errorf("refreshing %d links sent %d requests, want at most %d: %v", links, n, most, e.requests())
					}
					seen := map[string]map[string]string{}
					for _, rs := range s.RootModule().Resources {
						seen[rs.Primary.ID] = rs.Primary.Attributes
					}
					if a := seen[granted]; a == nil || a["status_name"] != "granted" || a["credential_id"] == "" {
						return fmt.Errorf("the granted link reads as %v", a)
					}
					if a := seen[revoked]; a != nil {
						return fmt.Errorf("the revoked link is still in the state")
					}
					if a := seen[removed]; a != nil {
						return fmt.Errorf("the removed link is still in the state")
					}
					if len(seen) != links-2 {
						return fmt.Errorf("the state holds %d links, want %d", len(seen), links-2)
					}
					return nil
				},
			},
		},
	})
}
