package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// testAccConnectionLinkConfig is one link for partner 225 with the given
// title; extra lines go inside the resource block.
func testAccConnectionLinkConfig(e *testEnv, title string, extra ...string) string {
	body := fmt.Sprintf("  partner_id = 225\n  title      = %q\n", title)
	for _, x := range extra {
		body += "  " + x + "\n"
	}
	return e.providerConfig() + "\nresource \"albato_connection_link\" \"test\" {\n" + body + "}\n"
}

// Behaviour 1 and 7: create is one POST then one GET; the state holds what
// reads return; plans after apply and refresh are empty (the harness fails
// on any non-empty plan after a step).
func TestAccConnectionLink_basic(t *testing.T) {
	e := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "CRM for Acme"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						reqs := e.requests()
						if len(reqs) != 2 || !strings.HasPrefix(reqs[0], "POST ") || !strings.HasPrefix(reqs[1], "GET /credentials/grant-access-sharing/") {
							return fmt.Errorf("create sent %v, want exactly one POST and then one GET of the new link", reqs)
						}
						return nil
					},
					func(s *terraform.State) error {
						sh := e.onlySharing()
						rs := s.RootModule().Resources[linkAddr].Primary
						want := map[string]string{
							"id":            fmt.Sprint(sh.ID),
							"token":         sh.Token,
							"link":          fmt.Sprintf("%s?id=225&token=%s", e.connectURL(), sh.Token),
							"credential_id": "",
						}
						for k, v := range want {
							if rs.Attributes[k] != v {
								return fmt.Errorf("%s = %q, want %q", k, rs.Attributes[k], v)
							}
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("partner_id"), knownvalue.Int64Exact(225)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("title"), knownvalue.StringExact("CRM for Acme")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("date_created"), knownvalue.StringExact(rfc3339(testStart))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(48*time.Hour)))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("regenerate_when_expired"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("regenerate_before"), knownvalue.StringExact("0s")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("regenerate_triggers"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue(linkAddr, tfjsonpath.New("token")),
					statecheck.ExpectSensitiveValue(linkAddr, tfjsonpath.New("link")),
				},
			},
			// Behaviour 7: a refresh without outside change leaves an empty plan.
			{
				RefreshState: true,
				Check:        e.checkCount("PUT", 0),
			},
			{
				Config:   testAccConnectionLinkConfig(e, "CRM for Acme"),
				PlanOnly: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			sh := e.onlySharing()
			if sh.Status != 3 {
				return fmt.Errorf("after destroy the sharing has status %d, want 3 (revoked)", sh.Status)
			}
			return e.checkCount("DELETE", 1)(nil)
		},
	})
}

// Behaviour 1: a failed read-back still saves the link, never orphans it.
func TestAccConnectionLink_createReadBackFails(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					e.sandbox.AddFault(sandboxFault("GET", 503, 1))
				},
				Config: e.providerConfig(`max_retries = 0`) + `
resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "read-back fails"
}`,
				Check: resource.ComposeAggregateTestCheckFunc(
					e.checkCount("POST", 1),
					func(s *terraform.State) error {
						sh := e.onlySharing()
						if id, err := stateID(s, linkAddr); err != nil || id != sh.ID {
							return fmt.Errorf("state id %d (%w), want the created sharing %d", id, err, sh.ID)
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					// The POST answer carries no dateCreated; expiry still
					// counts from the API's Date header.
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(48*time.Hour)))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
			{
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(linkAddr, "date_created", rfc3339(testStart)),
			},
		},
	})
}

// Behaviour 2: what the end user does shows as a change outside Terraform,
// never as a diff to fix.
func TestAccConnectionLink_endUserGrants(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "granted by the end user")
	var credentialID int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					var err error
					if credentialID, err = e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					got := s.RootModule().Resources[linkAddr].Primary.Attributes["credential_id"]
					if got != fmt.Sprint(credentialID) {
						return fmt.Errorf("credential_id = %q, want %d", got, credentialID)
					}
					return e.checkCount("PUT", 0)(s)
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("granted")),
				},
			},
			// A granted link never expires into a regeneration.
			{
				PreConfig: func() { e.clock.Advance(72 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				},
				Check: e.checkCount("PUT", 0),
			},
		},
	})
}

// Behaviour 2: waiting for OAuth (status 2) is shown and never regenerated.
func TestAccConnectionLink_waitingOAuth(t *testing.T) {
	e := newTestEnv(t)
	cfg := e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 227
  title      = "calendar"
}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := e.sandbox.StartOAuth(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
					e.clock.Advance(49 * time.Hour)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting_oauth")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				},
				Check: e.checkCount("PUT", 0),
			},
		},
	})
}

// Behaviour 2: a link revoked, or deleted, behind Terraform's back leaves the
// state, and the next plan creates it again.
func TestAccConnectionLink_goneOutsideTerraform(t *testing.T) {
	for name, remove := range map[string]func(e *testEnv, id int64) error{
		"revoked": func(e *testEnv, id int64) error { return e.sandbox.Revoke(id) },
		"deleted": func(e *testEnv, id int64) error { return e.sandbox.Remove(id) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := testAccConnectionLinkConfig(e, "gone")
			var firstID int64
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						Config: cfg,
						Check: func(s *terraform.State) (err error) {
							firstID, err = stateID(s, linkAddr)
							return err
						},
					},
					{
						PreConfig: func() {
							if err := remove(e, firstID); err != nil {
								t.Fatal(err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionCreate)},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							e.checkCount("POST", 2),
							func(s *terraform.State) error {
								if id, _ := stateID(s, linkAddr); id == firstID {
									return fmt.Errorf("state still holds the gone link %d", id)
								}
								return nil
							},
						),
					},
				},
			})
		})
	}
}

// Behaviour 3: a change of regenerate_triggers regenerates in place with one
// PUT; id, partner_id and title keep their values, every other computed
// attribute is unknown in the plan. Setting the triggers where they were
// null only records them.
func TestAccConnectionLink_regenerateTriggers(t *testing.T) {
	e := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newToken := statecheck.CompareValue(compare.ValuesDiffer())
	sameToken := statecheck.CompareValue(compare.ValuesSame())
	unknownAfterRegeneration := []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("partner_id"), knownvalue.Int64Exact(225)),
		plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("title"), knownvalue.StringExact("rotating")),
	}
	for _, a := range []string{"token", "link", "status", "status_name", "credential_id", "date_created", "expires_at", "expired", "issued_at"} {
		unknownAfterRegeneration = append(unknownAfterRegeneration, plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New(a)))
	}
	unknownAfterRegeneration = append(unknownAfterRegeneration, expectKnown(linkAddr, "id"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "rotating"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					sameToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
				},
			},
			// Adding the triggers records them: an update, no request.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccConnectionLinkConfig(e, "rotating", `regenerate_triggers = { rotation = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("PUT", 0), e.checkCount("POST", 0)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
				},
			},
			// Granted, then a trigger changes: PUT once, back to waiting.
			{
				PreConfig: func() {
					e.sandbox.ResetRequests()
					if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
					e.clock.Advance(time.Hour)
				},
				Config: testAccConnectionLinkConfig(e, "rotating", `regenerate_triggers = { rotation = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: unknownAfterRegeneration,
				},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("PUT", 1), e.checkCount("POST", 0), e.checkCount("DELETE", 0)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.Null()),
					// Expiry counts from the regeneration, not from date_created.
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(49*time.Hour)))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("date_created"), knownvalue.StringExact(rfc3339(testStart))),
				},
			},
			// Removing the triggers only records it.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccConnectionLinkConfig(e, "rotating"),
				Check:     e.checkCount("PUT", 0),
			},
		},
	})
}

// Behaviour 3: an unknown trigger value plans a possible regeneration, never
// an invalid plan.
func TestAccConnectionLink_regenerateTriggersUnknown(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(v string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "rotation" {
  input = %q
}
resource "albato_connection_link" "test" {
  partner_id          = 225
  title               = "unknown triggers"
  regenerate_triggers = { rotation = terraform_data.rotation.output }
}`, v)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
					},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}

// expectKnown asserts that a planned attribute is known, whatever its value.
func expectKnown(addr, attr string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.NotNull())
}

// Behaviour 3: an expired waiting link is regenerated in place, once a
// refresh has seen it expired; the apply reads before it writes.
func TestAccConnectionLink_regenerateWhenExpired(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "expiring")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newToken := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				// After apply, move past the expiry: the harness's next plan
				// runs with -refresh=false and judges as of the last reading
				// (nothing to do); the one after it refreshes and sees it.
				Check: func(*terraform.State) error {
					e.clock.Advance(48 * time.Hour)
					e.sandbox.ResetRequests()
					return nil
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
						expectKnown(linkAddr, "id"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
				},
			},
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					// plan: refresh GET; apply: re-read GET, then PUT.
					got := e.requests()
					want := []string{"GET", "GET", "PUT"}
					if len(got) < 3 {
						return fmt.Errorf("requests %v, want %v first", got, want)
					}
					for i, m := range want {
						if !strings.HasPrefix(got[i], m+" ") {
							return fmt.Errorf("requests %v, want %v first", got, want)
						}
					}
					return e.checkCount("PUT", 1)(nil)
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(96*time.Hour)))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
		},
	})
}

// Behaviour 3: the end user completes the link between plan and apply: the
// apply leaves it as it is, with no PUT and no inconsistent result.
func TestAccConnectionLink_grantedBetweenPlanAndApply(t *testing.T) {
	e := newTestEnv(t)
	// Inside the regenerate_before window the link is due but still usable.
	cfg := testAccConnectionLinkConfig(e, "race", `regenerate_before = "6h"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					e.clock.Advance(43 * time.Hour)
					e.sandbox.ResetRequests()
					// The plan's refresh is the first GET, the apply's re-read the second.
					e.before("GET", 2, func() {
						if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
							t.Error(err)
						}
					})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status")),
					},
				},
				Check: e.checkCount("PUT", 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.NotNull()),
				},
			},
		},
	})
}

// Behaviour 3: the link is revoked between the plan of an expiry
// regeneration and its apply: a clear error, and the next plan creates the
// link again. With a refresh, the refresh removes it (a create); with
// -refresh=false after the refresh that saw the link expired, the state
// keeps the revoked link and the plan replaces it rather than failing again.
func TestAccConnectionLink_revokedBetweenPlanAndApply(t *testing.T) {
	for _, c := range []struct {
		name string
		// opts are the CLI options of every plan; revokeAtGET is the GET,
		// counted from the step's start, before which the link is revoked:
		// the apply's re-read (after the plan's refresh, if any).
		opts        *resource.AdditionalCLIOptions
		revokeAtGET int
		next        plancheck.ResourceActionType
	}{
		{"refresh", nil, 2, plancheck.ResourceActionCreate},
		{"no refresh", noRefresh, 1, plancheck.ResourceActionDestroyBeforeCreate},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := testAccConnectionLinkConfig(e, "race")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				AdditionalCLIOptions:     c.opts,
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig:          func() { e.clock.Advance(49 * time.Hour) },
						RefreshState:       true,
						ExpectNonEmptyPlan: true,
					},
					{
						PreConfig: func() {
							e.before("GET", c.revokeAtGET, func() {
								if err := e.sandbox.Revoke(e.onlySharing().ID); err != nil {
									t.Error(err)
								}
							})
						},
						Config:      cfg,
						ExpectError: regexp.MustCompile(`(?s)revoked or deleted outside Terraform.*next plan creates a new\s+link`),
					},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, c.next)},
						},
						Check: e.checkCount("POST", 2),
					},
				},
			})
		})
	}
}

// Behaviour 3: regenerate_before plans the regeneration that long before
// expiry; regenerate_when_expired = false plans none.
func TestAccConnectionLink_regenerateBefore(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "early", `regenerate_before = "6h"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { e.clock.Advance(42*time.Hour - time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { e.clock.Advance(time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)},
				},
				Check: e.checkCount("PUT", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(90*time.Hour)))),
				},
			},
		},
	})
}

func TestAccConnectionLink_regenerateWhenExpiredFalse(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "keep expired", `regenerate_when_expired = false`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { e.clock.Advance(49 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.checkCount("PUT", 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
			// Turning it back on regenerates.
			{
				Config: testAccConnectionLinkConfig(e, "keep expired"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
					},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}

// Behaviour 5: title and partner_id changes replace the link.
func TestAccConnectionLink_replace(t *testing.T) {
	e := newTestEnv(t)
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:            testAccConnectionLinkConfig(e, "first title"),
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(linkAddr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: func() {
					if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccConnectionLinkConfig(e, "second title"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("POST", 2), e.checkCount("DELETE", 1)),
			},
			{
				Config: e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 226
  title      = "second title"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{newID.AddStateValue(linkAddr, tfjsonpath.New("id"))},
			},
		},
	})
}

// Behaviour 6: import by id with the CLI and with an import block; no diff
// afterwards; a revoked or unknown link cannot be imported.
func TestAccConnectionLink_import(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "imported", `regenerate_triggers = { a = "1" }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				ResourceName:      linkAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// regenerate_triggers lives only in configuration; the API
				// has nothing to import it from.
				ImportStateVerifyIgnore: []string{"regenerate_triggers"},
			},
			{
				ResourceName:    linkAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				Config:          testAccConnectionLinkConfig(e, "imported"),
			},
			{
				ResourceName:  linkAddr,
				ImportState:   true,
				ImportStateId: "not-a-number",
				ExpectError:   regexp.MustCompile(`Expected a sharing id, a positive whole number`),
			},
			{
				ResourceName:  linkAddr,
				ImportState:   true,
				ImportStateId: "999999",
				ExpectError:   regexp.MustCompile(`no connection link with id 999999`),
			},
		},
	})
}

func TestAccConnectionLink_importRevoked(t *testing.T) {
	e := newTestEnv(t)
	var id int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "revoked then imported"),
				Check: func(s *terraform.State) (err error) {
					id, err = stateID(s, linkAddr)
					return err
				},
			},
			{
				PreConfig:         func() { _ = e.sandbox.Revoke(id) },
				ResourceName:      linkAddr,
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return fmt.Sprint(id), nil },
				ExpectError:       regexp.MustCompile(`(?s)is revoked.*Create a new\s+albato_connection_link`),
			},
		},
	})
}

// Behaviour 4: delete is one DELETE; a 404 counts as deleted.
func TestAccConnectionLink_deleteNotFound(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "already gone"),
				Check: func(*terraform.State) error {
					e.sandbox.AddFault(sandboxFaultBody("DELETE", 404, `{"success":false,"message":"Sharing not found"}`, 1))
					return nil
				},
			},
		},
		CheckDestroy: e.checkCount("DELETE", 1),
	})
}

// Bad input is a clear diagnostic at validate or plan time, naming the
// attribute, with no request sent.
func TestAccConnectionLink_validation(t *testing.T) {
	e := newTestEnv(t)
	cases := []struct {
		extra string
		title string
		want  string
	}{
		{title: "", want: `(?s)Invalid Length.*title.*must be 1 to 255 characters\s+long.*got\s+0\s+characters`},
		{title: strings.Repeat("x", 256), want: `(?s)Invalid Length.*title.*must be 1 to 255 characters\s+long.*got\s+256\s+characters`},
		{title: strings.Repeat("я", 256), want: `(?s)Invalid Length.*title.*not\s+bytes;\s+got\s+256\s+characters`},
		{title: "ok", extra: `regenerate_before = "soon"`, want: `(?s)"soon" is not a Go duration`},
		{title: "ok", extra: `regenerate_before = "-1h"`, want: `(?s)"-1h" is negative`},
	}
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      testAccConnectionLinkConfig(e, c.title, c.extra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 0
  title      = "zero"
}`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`Attribute partner_id value must be at least 1`),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps:                    steps,
		CheckDestroy:             e.checkCount("", 0),
	})
}

// An API error is one clear diagnostic with the status and the API's own
// message, and nothing half-made in the state.
func TestAccConnectionLink_apiErrors(t *testing.T) {
	cases := map[string]struct {
		partner int
		fault   func(e *testEnv)
		want    string
	}{
		"unknown partner": {partner: 999, want: `(?s)Unable to Create Connection Link.*HTTP\s+400.*999`},
		// A 5xx or an unreadable answer at 200 may hide a create that
		// happened: the provider looks for the link, finds none, and sends
		// the POST once more (see the ambiguous create tests). The faults
		// here answer every POST, so that the error shows what came back.
		"html from a proxy": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 503, "<html><body><h1>503 Service Unavailable</h1></body></html>", 0))
		}, want: `(?s)Unable to Create Connection Link.*HTTP\s+503.*non-JSON`},
		"success false at 200": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 200, `{"success":false,"errors":[{"message":"quota exceeded"}]}`, 1))
		}, want: `(?s)HTTP\s+200.*quota exceeded`},
		"empty body": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandbox.Fault{Method: "POST", Status: 500, EmptyBody: true})
		}, want: `(?s)HTTP\s+500.*empty response body`},
		"truncated JSON": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 200, `{"success":true,"data":{"id":`, 0))
		}, want: `(?s)HTTP\s+200.*malformed JSON`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if c.fault != nil {
							c.fault(e)
						}
					},
					Config: e.providerConfig() + fmt.Sprintf(`
resource "albato_connection_link" "test" {
  partner_id = %d
  title      = "errors"
}`, c.partner),
					ExpectError: regexp.MustCompile(c.want),
				}},
				CheckDestroy: e.checkCount("DELETE", 0),
			})
		})
	}
}

// Titles count Unicode characters, not bytes (issue 12.5): 255 Cyrillic
// letters (510 bytes), accented letters and emoji are created and read back
// unchanged; 256 characters are refused (TestAccConnectionLink_validation).
func TestAccConnectionLink_titleCharacters(t *testing.T) {
	e := newTestEnv(t)
	titles := map[string]string{
		"cyrillic": strings.Repeat("я", 255),
		"accented": strings.Repeat("ação é ñ ", 28) + "ção", // 255 characters, Portuguese and Spanish
		"emoji":    strings.Repeat("🔗", 255),                // 4 bytes each
	}
	var body string
	for name, title := range titles {
		if n := utf8.RuneCountInString(title); n != 255 {
			t.Fatalf("%s title has %d characters, want 255", name, n)
		}
		body += fmt.Sprintf("resource \"albato_connection_link\" %q {\n  partner_id = 225\n  title      = %q\n}\n", name, title)
	}
	checks := make([]statecheck.StateCheck, 0, len(titles))
	for name, title := range titles {
		checks = append(checks, statecheck.ExpectKnownValue("albato_connection_link."+name, tfjsonpath.New("title"), knownvalue.StringExact(title)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:            e.providerConfig() + body,
			ConfigStateChecks: checks,
			Check:             e.checkCount("POST", len(titles)),
		}},
	})
}

// Behaviour 3: a trigger regeneration planned on a waiting link never resets
// a link whose end user acted after the plan (completed it, or began an
// OAuth sign-in): the apply fails naming the link and changes nothing; the
// next plan shows what the end user did and the regeneration again, and its
// apply goes ahead.
func TestAccConnectionLink_staleTriggerPlanNeverResetsACompletedLink(t *testing.T) {
	for _, status := range []int{sandbox.StatusGranted, sandbox.StatusWaitingOAuth} {
		t.Run(fmt.Sprint("status ", status), func(t *testing.T) {
			e := newTestEnv(t)
			act := func() {
				var err error
				if status == sandbox.StatusGranted {
					_, err = e.sandbox.Grant(e.onlySharing().ID)
				} else {
					err = e.sandbox.StartOAuth(e.onlySharing().ID)
				}
				if err != nil {
					t.Error(err)
				}
			}
			cfg := func(v string) string { // partner 227 signs in with OAuth
				return e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id          = 227
  title               = "stale plan"
  regenerate_triggers = { rotation = "` + v + `" }
}`
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{Config: cfg("1")},
					{
						PreConfig: func() { e.sandbox.ResetRequests() },
						Config:    cfg("2"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status")),
								atPlanCheck(act),
							},
						},
						ExpectError: regexp.MustCompile(`(?s)Connection Link Completed After the Plan.*link\s+\d+\s+completed\s+it.*Nothing\s+was\s+changed`),
					},
					{
						PreConfig: func() {
							if sh := e.onlySharing(); sh.Status != status || e.sandbox.Count("PUT") != 0 {
								t.Errorf("after the failed apply: status %d, %d PUTs; want status %d, none", sh.Status, e.sandbox.Count("PUT"), status)
							}
						},
						Config: cfg("2"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status"))},
						},
						Check: e.checkCount("PUT", 1),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
						},
					},
				},
			})
		})
	}
}
