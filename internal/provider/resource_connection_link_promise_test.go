package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The plan is a promise: the harness plans to a saved plan file, runs the
// PreApply checks, then applies that file, and Terraform plans each changed
// resource again at apply. A PreApply check that moves the clocks is a
// "plan -out, wait, apply the plan".

// atPlanCheck runs f between the plan and its apply.
type atPlanCheck func()

func (f atPlanCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// A settings-only plan made before the link falls due applies as planned
// after it fell due: no "inconsistent final plan", no request; the next plan
// regenerates it.
func TestAccConnectionLink_savedPlanCrossesExpiry(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "a promise"),
				// 30 seconds before expiry, on both clocks.
				Check: func(*terraform.State) error { e.clock.Advance(48*time.Hour - 30*time.Second); return nil },
			},
			{
				Config: testAccConnectionLinkConfig(e, "a promise", `regenerate_before = "1s"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(0)),
						atPlanCheck(func() { e.clock.Advance(time.Minute) }), // now past expiry
					},
				},
				Check: e.checkCount("PUT", 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("regenerate_before"), knownvalue.StringExact("1s")),
				},
				ExpectNonEmptyPlan: true, // the refreshed plan after it regenerates the link
			},
			{
				Config: testAccConnectionLinkConfig(e, "a promise", `regenerate_before = "1s"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status"))},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}

// A plan that regenerates applies a regeneration, once, even when the clock
// at apply says the link is not due (here it was set back between plan and
// apply): the apply does not judge the clock again.
func TestAccConnectionLink_savedRegenerationApplies(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "a promise kept")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { e.clock.Advance(48*time.Hour + time.Minute) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status")),
						atPlanCheck(func() { e.clock.Set(testStart.Add(time.Hour)) }),
					},
				},
				Check: resource.ComposeTestCheckFunc(e.checkCount("PUT", 1), resource.TestCheckResourceAttr(linkAddr, "expired", "false")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"),
						knownvalue.StringExact(rfc3339(testStart.Add(49*time.Hour)))),
				},
			},
		},
	})
}

// A plan without refresh shows expiry as of the last refresh, whatever the
// clock says now; the refresh that sees the link expired makes the next plan
// regenerate it, also without refresh.
func TestAccConnectionLink_noRefreshPlanJudgesTheLastRefresh(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "as last read")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  func(*terraform.State) error { e.clock.Advance(49 * time.Hour); return nil },
			},
			{Config: cfg, PlanOnly: true}, // expired now, but not as of the last read: an empty plan
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(linkAddr, "expired", "true"),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token"))},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
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

// Create records its reading as well: with a regenerate_before as long as
// the lifetime the link is due at once, and the plan without refresh right
// after the create already regenerates it.
func TestAccConnectionLink_createRecordsItsReading(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:             testAccConnectionLinkConfig(e, "due at once", `regenerate_before = "48h"`),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token"))},
			},
		}},
	})
}

// A token regenerated outside this resource (the regenerate action,
// Albato's "Refresh credentials") lives 48 hours from the refresh that
// first sees it, not from the token the state knew: the resource must not
// regenerate the new link when the old one would have expired.
func TestAccConnectionLink_tokenRegeneratedOutside(t *testing.T) {
	e := newTestEnv(t)
	var regeneratedAt time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: testAccConnectionLinkConfig(e, "regenerated outside")},
			{
				// 47 hours on, someone regenerates the token through the API;
				// the refresh sees the new token and counts from then.
				PreConfig: func() {
					e.clock.Advance(47 * time.Hour)
					if err := e.regenerateThroughAPI(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
					regeneratedAt = e.clock.Now()
				},
				RefreshState: true,
				Check: func(s *terraform.State) error {
					return resource.TestCheckResourceAttr(linkAddr, "expires_at", rfc3339(regeneratedAt.Add(48*time.Hour)))(s)
				},
			},
			{
				// Past the old token's expiry, within the new one's: no change.
				PreConfig: func() { e.clock.Advance(2 * time.Hour) },
				Config:    testAccConnectionLinkConfig(e, "regenerated outside"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.checkCount("PUT", 1), // the outside one only
			},
		},
	})
}
