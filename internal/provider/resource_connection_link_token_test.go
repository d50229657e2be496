package provider

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

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

// Issue 12.3: issued_at is the issue time of the current token, in Unix
// seconds, expires_at 48 hours later; a refresh leaves it, a regeneration
// changes it (unknown in the plan), even within the same second.
func TestAccConnectionLink_issuedAt(t *testing.T) {
	e := newTestEnv(t)
	same := statecheck.CompareValue(compare.ValuesSame())
	changes := statecheck.CompareValue(compare.ValuesDiffer())
	withTrigger := func(v string) string {
		return testAccConnectionLinkConfig(e, "versioned", fmt.Sprintf(`regenerate_triggers = { v = %q }`, v))
	}
	issued := func(t time.Time) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("issued_at"), knownvalue.Int64Exact(t.Unix())),
			statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(t.Add(48*time.Hour)))),
		}
	}
	regeneration := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("issued_at")),
	}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: withTrigger("1"),
				ConfigStateChecks: append(issued(testStart),
					same.AddStateValue(linkAddr, tfjsonpath.New("issued_at")),
					changes.AddStateValue(linkAddr, tfjsonpath.New("issued_at"))),
			},
			// An hour later, a refresh keeps issued_at.
			{
				PreConfig:         func() { e.clock.Advance(time.Hour) },
				Config:            withTrigger("1"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: append(issued(testStart), same.AddStateValue(linkAddr, tfjsonpath.New("issued_at"))),
			},
			// A regeneration an hour later.
			{
				Config:            withTrigger("2"),
				ConfigPlanChecks:  regeneration,
				ConfigStateChecks: append(issued(testStart.Add(time.Hour)), changes.AddStateValue(linkAddr, tfjsonpath.New("issued_at"))),
			},
			// Another within the same second: still a new issued_at.
			{
				Config:            withTrigger("3"),
				ConfigPlanChecks:  regeneration,
				ConfigStateChecks: append(issued(testStart.Add(time.Hour+time.Second)), changes.AddStateValue(linkAddr, tfjsonpath.New("issued_at"))),
			},
			// After an import (no record of the regenerations) it counts
			// from date_created.
			{
				ResourceName:       linkAddr,
				ImportState:        true,
				ImportStatePersist: false,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances", len(states))
					}
					if got, want := states[0].Attributes["issued_at"], fmt.Sprint(testStart.Unix()); got != want {
						return fmt.Errorf("issued_at after import = %s, want %s (date_created)", got, want)
					}
					return nil
				},
			},
		},
	})
}
