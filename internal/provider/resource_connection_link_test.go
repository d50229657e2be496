package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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

// Read's warning for a link gone outside Terraform says which way it went:
// revoked (the API still shows it, status 3) or deleted (404).
func TestConnectionLinkRead_warningSaysHowTheLinkWent(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := &connectionLinkResource{data: e.configured(t)}
	revoked, deleted := e.seed(225, "Acme"), e.seed(225, "Globex")
	if err := e.sandbox.Revoke(revoked); err != nil {
		t.Fatal(err)
	}
	if err := e.sandbox.Remove(deleted); err != nil {
		t.Fatal(err)
	}
	// The facts the warning carries: the link's id and which way it went.
	for id, how := range map[int64][2]string{revoked: {"revoked", "deleted"}, deleted: {"deleted", "revoked"}} {
		m := grantedModel()
		m.ID = types.StringValue(strconv.FormatInt(id, 10))
		req, _ := planRequest(t, m, m)
		resp := fwresource.ReadResponse{State: req.State}
		r.Read(t.Context(), fwresource.ReadRequest{State: req.State}, &resp)
		if resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != 1 || !resp.State.Raw.IsNull() {
			t.Fatalf("link %d: state null %v, %v; want null and one warning", id, resp.State.Raw.IsNull(), resp.Diagnostics)
		}
		detail := resp.Diagnostics[0].Detail()
		if !strings.Contains(detail, fmt.Sprint(id)) || !strings.Contains(detail, how[0]) || strings.Contains(detail, how[1]) {
			t.Errorf("link %d: warning %q; want it to name the link and say it was %s", id, detail, how[0])
		}
	}
}

// An API that refuses to revoke a link it has already revoked (a 409 for a
// DELETE that in fact went through) still ends in a clean destroy: the
// provider reads the link, finds it revoked and takes that as done. A
// refusal for a link still live is an error.
func TestAccConnectionLink_deleteRefusedButRevoked(t *testing.T) {
	for name, c := range map[string]struct {
		applied bool
		err     *regexp.Regexp
		deletes int // the refused one, then the test's own destroy if the first failed
	}{
		"revoked anyway": {true, nil, 1},
		"still live":     {false, regexp.MustCompile(`Unable to Revoke Connection Link`), 2},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := testAccConnectionLinkConfig(e, "refused")
			refuse := func() {
				e.sandbox.AddFault(sandbox.Fault{Method: "DELETE", Status: http.StatusConflict, AfterHandling: c.applied, Times: 1,
					Body: `{"success":false,"message":"sharing is revoked"}`})
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{Config: cfg},
					{PreConfig: refuse, Config: cfg, Destroy: true, ExpectError: c.err},
				},
				CheckDestroy: func(*terraform.State) error {
					if sh := e.onlySharing(); sh.Status != sandbox.StatusRevoked {
						return fmt.Errorf("link %d left with status %d", sh.ID, sh.Status)
					}
					return e.checkCount("DELETE", c.deletes)(nil)
				},
			})
		})
	}
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
// A link deleted (the API answers 404) fails the apply alike.
func TestAccConnectionLink_revokedBetweenPlanAndApply(t *testing.T) {
	for _, c := range []struct {
		name string
		// opts are the CLI options of every plan; revokeAtGET is the GET,
		// counted from the step's start, before which the link is revoked:
		// the apply's re-read (after the plan's refresh, if any).
		opts        *resource.AdditionalCLIOptions
		revokeAtGET int
		next        plancheck.ResourceActionType
		deleted     bool // the link is deleted (the API answers 404), not revoked
	}{
		{"refresh", nil, 2, plancheck.ResourceActionCreate, false},
		{"no refresh", noRefresh, 1, plancheck.ResourceActionDestroyBeforeCreate, false},
		{"deleted", nil, 2, plancheck.ResourceActionCreate, true},
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
								gone := e.sandbox.Revoke
								if c.deleted {
									gone = e.sandbox.Remove
								}
								if err := gone(e.onlySharing().ID); err != nil {
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

// A create whose answer is lost is never sent blind again: the provider
// looks for what the POST may have made, adopts exactly one, sends the POST
// once more when there is none, and refuses to guess between several.
func TestAccConnectionLink_ambiguousCreate(t *testing.T) {
	cases := map[string]struct {
		setup       func(t *testing.T, e *testEnv)
		fault       sandbox.Fault
		wantPOSTs   int
		wantLinks   int
		wantError   string
		wantInState bool
	}{
		"created, then the connection dropped": {
			fault:     sandbox.Fault{Method: "POST", Drop: true, AfterHandling: true, Times: 1},
			wantPOSTs: 1, wantLinks: 1, wantInState: true,
		},
		"created, then a gateway timeout": {
			fault:     sandbox.Fault{Method: "POST", Status: 504, Body: "<html>504 Gateway Time-out</html>", AfterHandling: true, Times: 1},
			wantPOSTs: 1, wantLinks: 1, wantInState: true,
		},
		"dropped before it was handled": {
			fault:     sandbox.Fault{Method: "POST", Drop: true, Times: 1},
			wantPOSTs: 2, wantLinks: 1, wantInState: true,
		},
		"several candidates": {
			setup: func(t *testing.T, e *testEnv) {
				e.createSharing(t, 225, "ambiguous")
				e.createSharing(t, 225, "ambiguous")
				e.createSharing(t, 225, "another title")
			},
			fault:     sandbox.Fault{Method: "POST", Drop: true, AfterHandling: true, Times: 1},
			wantPOSTs: 4, wantLinks: 4,
			wantError: `(?s)May Have Been Created More Than Once.*3 links.*ids\s+61,\s+62,\s+64.*terraform\s+import`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			step := resource.TestStep{
				PreConfig: func() {
					if c.setup != nil {
						c.setup(t, e)
					}
					e.sandbox.AddFault(c.fault)
				},
				Config: testAccConnectionLinkConfig(e, "ambiguous"),
				Check: func(s *terraform.State) error {
					id, err := stateID(s, linkAddr)
					if err != nil {
						return err
					}
					all := e.sandbox.Sharings()
					if all[len(all)-1].ID != id {
						return fmt.Errorf("state holds %d, want the link the POST made, %d", id, all[len(all)-1].ID)
					}
					return nil
				},
			}
			if c.wantError != "" {
				step.Check = nil
				step.ExpectError = regexp.MustCompile(c.wantError)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps:                    []resource.TestStep{step},
				CheckDestroy: func(*terraform.State) error {
					if got := e.sandbox.Count("POST"); got != c.wantPOSTs {
						return fmt.Errorf("sandbox saw %d POSTs, want %d: %v", got, c.wantPOSTs, e.requests())
					}
					if got := len(e.sandbox.Sharings()); got != c.wantLinks {
						return fmt.Errorf("sandbox holds %d links, want %d (none duplicated)", got, c.wantLinks)
					}
					return nil
				},
			})
		})
	}
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

// sandboxFault answers the next n API requests of method with status.
func sandboxFault(method string, status, n int) sandbox.Fault {
	return sandbox.Fault{Method: method, Status: status, Times: n}
}

// Two links of one partner and title (count = 2), no retries, and one of
// the two POSTs answered with a 500: the failed create never takes its
// sibling's link. Whether the API acted or not, the state ends with two
// distinct live links, the only ones the sandbox holds, and the next plan
// (checked by the harness) is empty.
func TestAccConnectionLink_siblingsOfOneTitle(t *testing.T) {
	cases := map[string]struct {
		fault     sandbox.Fault
		wantPOSTs int
	}{
		"500 before the API acted": {fault: sandbox.Fault{Method: "POST", Status: 500, Times: 1}, wantPOSTs: 3},
		"500 after the API acted": {
			fault: sandbox.Fault{Method: "POST", Status: 500, AfterHandling: true, Times: 1}, wantPOSTs: 2,
		},
		"dropped before the API acted": {fault: sandbox.Fault{Method: "POST", Drop: true, Times: 1}, wantPOSTs: 3},
	}
	for name, c := range cases {
		for _, retries := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/max_retries=%d", name, retries), func(t *testing.T) {
				e := newTestEnv(t)
				cfg := e.providerConfig(fmt.Sprintf("max_retries = %d", retries)) + `
resource "albato_connection_link" "c" {
  count      = 2
  partner_id = 225
  title      = "Same title"
}
`
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: e.factories(),
					Steps: []resource.TestStep{{
						PreConfig: func() { e.sandbox.AddFault(c.fault) },
						Config:    cfg,
						Check: resource.ComposeTestCheckFunc(
							func(s *terraform.State) error { return e.distinctLiveLinks(s, 2) },
							e.checkCount("POST", c.wantPOSTs),
						),
					}},
				})
			})
		}
	}
}

// A create_before_destroy replacement (here by replace_triggered_by) whose
// POST gets no usable answer never adopts the link it replaces, made a
// minute earlier on the API's clock: after the apply the state's link is
// the new one, live, the old one is revoked, and the next plan is empty.
func TestAccConnectionLink_replacementWithoutAnswer(t *testing.T) {
	cases := map[string]sandbox.Fault{
		"500 after the API acted":      {Method: "POST", Status: 500, AfterHandling: true, Times: 1},
		"dropped before the API acted": {Method: "POST", Drop: true, Times: 1},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := func(trigger string) string {
				return e.providerConfig("max_retries = 0") + fmt.Sprintf(`
resource "terraform_data" "trigger" {
  input = %q
}

resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "replaced"
  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.trigger]
  }
}
`, trigger)
			}
			var old int64
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						Config: cfg("a"),
						Check: func(s *terraform.State) (err error) {
							old, err = stateID(s, linkAddr)
							return err
						},
					},
					{
						PreConfig: func() {
							e.sandbox.Advance(time.Minute) // the old link is a minute old
							e.sandbox.AddFault(fault)
						},
						Config: cfg("b"),
						Check: func(s *terraform.State) error {
							id, err := stateID(s, linkAddr)
							if err != nil {
								return err
							}
							if id == old {
								return fmt.Errorf("the state holds the replaced link %d", old)
							}
							return e.distinctLiveLinks(s, 1)
						},
					},
				},
			})
		})
	}
}

// A link that a resource instance has in its state in this process (here
// through an update, which sends nothing for a change of settings) is never
// the candidate of a create without a usable answer, though it has the same
// partner and title and was made the same second: the resource holds it.
func TestConnectionLinkUpdate_holdsTheLink(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	pd := e.configured(t)
	r := &connectionLinkResource{data: pd}
	held := e.seed(225, "CRM")
	m := grantedModel()
	m.ID = types.StringValue(strconv.FormatInt(held, 10))
	req, _ := planRequest(t, m, m)
	resp := fwresource.UpdateResponse{State: req.State}
	r.Update(t.Context(), fwresource.UpdateRequest{Plan: req.Plan, State: req.State}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	e.sandbox.AddFault(sandbox.Fault{Method: "POST", Drop: true, AfterHandling: true, Times: 1})
	got, err := pd.client.CreateSharing(t.Context(), 225, "CRM")
	if err != nil || !got.Adopted || got.Sharing.ID == held {
		t.Fatalf("got %+v, %v; want the new link adopted, never the held %d", got, err, held)
	}
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

// Issue 12.4 and behaviour 8: the resource identity is { id }, in state
// after create, unchanged by an in-place regeneration and a grant, and
// import blocks accept identity = { id = "..." }. Older CLIs send no
// identity; the rest of the suite runs on them unchanged.
func TestAccConnectionLink_identity(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(rotation string) string {
		return testAccConnectionLinkConfig(e, "identified", fmt.Sprintf(`regenerate_triggers = { rotation = %q }`, rotation))
	}
	identity := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectIdentity(linkAddr, map[string]knownvalue.Check{"id": sharingIDOfOnlySharing(e)}),
			statecheck.ExpectIdentityValueMatchesState(linkAddr, tfjsonpath.New("id")),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1"), ConfigStateChecks: identity()},
			{
				Config: cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: identity(),
				Check:             e.checkCount("PUT", 1),
			},
			{
				PreConfig: func() {
					if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg("2"),
				ConfigStateChecks: identity(),
			},
			{
				ResourceName:    linkAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				// An import records no regenerate_triggers (see the import
				// test): without them, the import block is all the plan does.
				Config: testAccConnectionLinkConfig(e, "identified"),
			},
		},
	})
}

// sharingIDOfOnlySharing matches the decimal id of the sandbox's only link.
func sharingIDOfOnlySharing(e *testEnv) knownvalue.Check {
	return knownValueFunc{desc: "the sandbox's sharing id", f: func(v any) error {
		if want := fmt.Sprint(e.onlySharing().ID); v != want {
			return fmt.Errorf("identity id = %v, want %s", v, want)
		}
		return nil
	}}
}
