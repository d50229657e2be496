package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/albato/terraform-provider-albato/internal/albato"
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
	for id, want := range map[int64]string{revoked: "was revoked outside Terraform", deleted: "was deleted outside Terraform"} {
		m := grantedModel()
		m.ID = types.StringValue(strconv.FormatInt(id, 10))
		req, _ := planRequest(t, m, m)
		resp := fwresource.ReadResponse{State: req.State}
		r.Read(t.Context(), fwresource.ReadRequest{State: req.State}, &resp)
		if resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != 1 || !resp.State.Raw.IsNull() ||
			!strings.Contains(resp.Diagnostics[0].Detail(), fmt.Sprintf("link %d %s", id, want)) {
			t.Errorf("link %d: state null %v, %v; want one warning that it %s", id, resp.State.Raw.IsNull(), resp.Diagnostics, want)
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

// Expiry is judged on the API's clock: the sandbox's clock moves 49 hours
// while this machine's does not, as when a machine's clock is off. A refresh
// sees the link expired; the moment of that reading is kept in private
// state, so that plans without refresh, and the apply's new provider
// process, regenerate it as well.
func TestAccConnectionLink_expiryOnTheAPIClock(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "the API's clock")
	apiNow := testStart.Add(49 * time.Hour)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		// Every plan of this case runs with -refresh=false: only the
		// refresh step talks to the API before an apply.
		AdditionalCLIOptions: noRefresh,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					e.sandbox.Advance(49 * time.Hour)
					return nil
				},
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the plan after it regenerates the link
				Check:              resource.TestCheckResourceAttr(linkAddr, "expired", "true"),
			},
			{
				// A plan without refresh: the machine's clock alone says
				// the link is valid for another 47 hours.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)},
				},
				Check: e.checkCount("PUT", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"),
						knownvalue.StringExact(rfc3339(apiNow.Add(48*time.Hour)))),
				},
			},
		},
	})
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

// planFor runs ModifyPlan on a prior state and a planned state built from
// models, as Terraform would, as of a link last read at readAt, and returns
// the response.
func planFor(t *testing.T, readAt time.Time, prior, planned connectionLinkResourceModel) *fwresource.ModifyPlanResponse {
	t.Helper()
	req, resp := planRequest(t, prior, planned)
	(&connectionLinkResource{}).planChange(context.Background(), req, resp, readAt)
	return resp
}

// planRequest is the ModifyPlan request Terraform sends for prior and
// planned, and a response that keeps the plan.
func planRequest(t *testing.T, prior, planned connectionLinkResourceModel) (fwresource.ModifyPlanRequest, *fwresource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	var sr fwresource.SchemaResponse
	(&connectionLinkResource{}).Schema(ctx, fwresource.SchemaRequest{}, &sr)
	empty := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)

	state := tfsdk.State{Schema: sr.Schema, Raw: empty}
	if d := state.Set(ctx, &prior); d.HasError() {
		t.Fatalf("state: %v", d)
	}
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: empty}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatalf("plan: %v", d)
	}
	return fwresource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}},
		&fwresource.ModifyPlanResponse{Plan: plan}
}

// The fast path of a plan of many links says "nothing to do" only for an
// unchanged link that is neither revoked nor due; anything else takes the
// whole path.
func TestUnchangedAndNotDue(t *testing.T) {
	t.Parallel()
	waiting := grantedModel()
	waiting.Status, waiting.StatusName, waiting.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	revoked := waiting
	revoked.Status, revoked.StatusName = types.Int64Value(3), types.StringValue("revoked")
	renamed := waiting
	renamed.Title = types.StringValue("CRM, renamed")
	before, after := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name           string
		prior, planned connectionLinkResourceModel
		readAt         time.Time
		want           bool
	}{
		{"waiting, unchanged, not due", waiting, waiting, before, true},
		{"granted, unchanged", grantedModel(), grantedModel(), after, true},
		{"changed", waiting, renamed, before, false},
		{"revoked", revoked, revoked, before, false},
		{"due", waiting, waiting, after, false},
	} {
		req, _ := planRequest(t, c.prior, c.planned)
		if got := unchangedAndNotDue(req, c.readAt); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func grantedModel() connectionLinkResourceModel {
	m := connectionLinkResourceModel{
		linkView: linkView{
			ID: types.StringValue("61"), PartnerID: types.Int64Value(225), Title: types.StringValue("CRM"),
			Token: types.StringValue("tok"), Link: types.StringValue("https://c?id=225&token=tok"),
			Status: types.Int64Value(1), StatusName: types.StringValue("granted"), CredentialID: types.Int64Value(248),
			DateCreated: types.StringValue("2026-01-01T00:00:00Z"), ExpiresAt: types.StringValue("2026-01-03T00:00:00Z"),
			Expired: types.BoolValue(false),
		},
		RegenerateTriggers:    types.MapNull(types.StringType),
		RegenerateWhenExpired: types.BoolValue(true),
		RegenerateBefore:      types.StringValue("0s"),
	}
	return m
}

// Behaviour 5: replacing a granted link warns that it must be completed again.
func TestModifyPlan_replacingGrantedLinkWarns(t *testing.T) {
	t.Parallel()
	prior := grantedModel()
	planned := prior
	planned.Title = types.StringValue("CRM, renamed")
	resp := planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected error: %v", resp.Diagnostics)
	}
	if resp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", resp.Diagnostics)
	}
	w := resp.Diagnostics.Warnings()[0]
	if !strings.Contains(w.Detail(), "must complete again") || !strings.Contains(w.Detail(), "credential_id is null") {
		t.Errorf("warning does not explain the consequence: %s", w.Detail())
	}

	// A waiting link is replaced without a warning.
	prior.Status = types.Int64Value(0)
	planned.Status = types.Int64Value(0)
	resp = planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.WarningsCount() != 0 {
		t.Errorf("unexpected warning for a waiting link: %v", resp.Diagnostics)
	}
}

// An expired waiting link plans every computed attribute but id as unknown.
func TestModifyPlan_expiredWaitingLinkRegenerates(t *testing.T) {
	t.Parallel()
	prior := grantedModel()
	prior.Status, prior.StatusName, prior.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	resp := planFor(t, time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), prior, prior)
	var got connectionLinkResourceModel
	if d := resp.Plan.Get(context.Background(), &got); d.HasError() {
		t.Fatal(d)
	}
	if got.ID.IsUnknown() || got.Title.IsUnknown() || got.PartnerID.IsUnknown() {
		t.Errorf("id, title and partner_id must keep their values: %+v", got)
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"token": got.Token, "link": got.Link, "status": got.Status, "status_name": got.StatusName,
		"credential_id": got.CredentialID, "date_created": got.DateCreated, "expires_at": got.ExpiresAt, "expired": got.Expired,
	} {
		if !v.IsUnknown() {
			t.Errorf("%s should be unknown in a regeneration plan", name)
		}
	}

	// A second earlier: nothing to do.
	resp = planFor(t, time.Date(2026, 1, 2, 23, 59, 59, 0, time.UTC), prior, prior)
	if d := resp.Plan.Get(context.Background(), &got); d.HasError() {
		t.Fatal(d)
	}
	if got.Token.IsUnknown() {
		t.Error("a link a second before expiry must not be regenerated")
	}
}

// Plans say why a link changes in place: an in-place update alone says
// nothing of an expiry, nor of a completed link that triggers reset.
func TestModifyPlan_regenerationWarnings(t *testing.T) {
	t.Parallel()
	waiting := grantedModel()
	waiting.Status, waiting.StatusName, waiting.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	early := waiting
	early.RegenerateBefore = types.StringValue("6h")
	triggered := func(m connectionLinkResourceModel, v string) connectionLinkResourceModel {
		m.RegenerateTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"rotation": types.StringValue(v)})
		return m
	}
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name           string
		now            time.Time
		prior, planned connectionLinkResourceModel
		want           string // part of the one warning's summary and detail; "" for none
	}{
		{"expired", expiry, waiting, waiting, "Regenerating an Expired Connection Link: Connection link 61 expired at 2026-01-03T00:00:00Z"},
		{"within regenerate_before", expiry.Add(-time.Hour), early, early, "Before It Expires: Connection link 61 expires at 2026-01-03T00:00:00Z, within regenerate_before (6h)"},
		{"not yet", expiry.Add(-time.Second), waiting, waiting, ""},
		{"triggers on a completed link", expiry.Add(-time.Hour), triggered(grantedModel(), "1"), triggered(grantedModel(), "2"), "Regenerating a Completed Connection Link: Connection link 61 was completed by its end user (credential_id 248)"},
		{"triggers on a waiting link", expiry.Add(-time.Hour), triggered(waiting, "1"), triggered(waiting, "2"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			resp := planFor(t, c.now, c.prior, c.planned)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			switch {
			case c.want == "" && len(warnings) > 0:
				t.Errorf("unexpected warning: %v", warnings)
			case c.want != "" && len(warnings) != 1:
				t.Errorf("want one warning, got %v", warnings)
			case c.want != "":
				if got := warnings[0].Summary() + ": " + warnings[0].Detail(); !strings.Contains(got, c.want) {
					t.Errorf("warning %q does not contain %q", got, c.want)
				}
			}
		})
	}
}

// Turning store_token from false to true takes a usable token back into the
// state: the plan shows token and link as known after apply. A completed
// link's token is spent, so nothing is taken back.
func TestModifyPlan_storeTokenTurnedOn(t *testing.T) {
	t.Parallel()
	readAt := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC) // long before expiry
	for _, c := range []struct {
		name        string
		status      int64
		wantUnknown bool
	}{
		{"waiting", 0, true},
		{"completed", 1, false},
	} {
		prior := grantedModel()
		prior.Status = types.Int64Value(c.status)
		prior.Token, prior.Link, prior.StoreToken = types.StringNull(), types.StringNull(), types.BoolValue(false)
		planned := prior
		planned.StoreToken = types.BoolValue(true)
		resp := planFor(t, readAt, prior, planned)
		var got connectionLinkResourceModel
		if d := resp.Plan.Get(context.Background(), &got); d.HasError() || resp.Diagnostics.HasError() {
			t.Fatal(d, resp.Diagnostics)
		}
		if got.Token.IsUnknown() != c.wantUnknown || got.Link.IsUnknown() != c.wantUnknown {
			t.Errorf("%s: token unknown %t, link unknown %t, want %t", c.name, got.Token.IsUnknown(), got.Link.IsUnknown(), c.wantUnknown)
		}
		if got.Status.IsUnknown() {
			t.Errorf("%s: taking the token back planned a regeneration", c.name)
		}
	}
}

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

// sandboxFault answers the next n API requests of method with status.
func sandboxFault(method string, status, n int) sandbox.Fault {
	return sandbox.Fault{Method: method, Status: status, Times: n}
}

// configuredServer returns the provider's protocol server, configured
// against the test's sandbox, as Terraform would have it before an apply.
func (e *testEnv) configuredServer(t *testing.T, extra map[string]tftypes.Value) tfprotov6.ProviderServer {
	t.Helper()
	srv := e.factories()["albato"]
	server, err := srv()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType()
	vals := map[string]tftypes.Value{
		"api_url":     tftypes.NewValue(tftypes.String, e.server.URL),
		"token":       tftypes.NewValue(tftypes.String, testToken),
		"auth_scheme": tftypes.NewValue(tftypes.String, nil),
		"link_id":     tftypes.NewValue(tftypes.String, nil),
		"connect_url": tftypes.NewValue(tftypes.String, e.connectURL()),
		"max_retries": tftypes.NewValue(tftypes.Number, nil),

		"same_account_as": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, nil),
	}
	for k, v := range extra {
		vals[k] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.5.7", Config: &cfg})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return server
}

// Ctrl-C (a cancelled context) during a slow request or a retry wait ends
// the operation within a second, with a diagnostic saying so, and leaves
// the API as the state says: nothing created.
func TestCancelEndsCreateQuickly(t *testing.T) {
	for name, fault := range map[string]sandbox.Fault{
		"slow answer": {Method: "POST", Latency: time.Minute},
		"retry wait":  {Method: "POST", Status: 429, RetryAfter: "60"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			// Honour a long Retry-After, as the real client would.
			e.clientTweak = func(c *albato.Config) { c.MaxRetryAfter = time.Minute }
			e.sandbox.AddFault(fault)
			server := e.configuredServer(t, nil)
			ctx := context.Background()
			schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			typ := schemaResp.ResourceSchemas["albato_connection_link"].ValueType()
			objType, ok := typ.(tftypes.Object)
			if !ok {
				t.Fatalf("resource type %T", typ)
			}
			vals := map[string]tftypes.Value{}
			for name, at := range objType.AttributeTypes {
				vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
			}
			vals["partner_id"] = tftypes.NewValue(tftypes.Number, 225)
			vals["title"] = tftypes.NewValue(tftypes.String, "cancelled")
			vals["regenerate_triggers"] = tftypes.NewValue(objType.AttributeTypes["regenerate_triggers"], nil)
			vals["regenerate_when_expired"] = tftypes.NewValue(tftypes.Bool, true)
			vals["regenerate_before"] = tftypes.NewValue(tftypes.String, "0s")
			planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
			if err != nil {
				t.Fatal(err)
			}
			prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: "albato_connection_link", PriorState: &prior, PlannedState: &planned, Config: &planned,
			})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// The fault would hold the request for a minute; ending far
			// sooner proves the wait was cut short, not waited out. The
			// bound is loose so that a loaded machine cannot fail it; the
			// typical figure (about 0.2 s) is in the test log.
			t.Logf("apply returned %v after the start, %v after Ctrl-C", elapsed, elapsed-200*time.Millisecond)
			if elapsed > 15*time.Second {
				t.Errorf("apply took %v after Ctrl-C; the cancellation did not end the wait", elapsed)
			}
			var details []string
			for _, d := range resp.Diagnostics {
				details = append(details, d.Summary+": "+d.Detail)
			}
			if !strings.Contains(strings.Join(details, "\n"), "cancelled") {
				t.Errorf("diagnostics do not say the request was cancelled: %q", details)
			}
			if n := len(e.sandbox.Sharings()); n != 0 {
				t.Errorf("the sandbox holds %d links after a cancelled create, want 0", n)
			}
		})
	}
}

// noRefresh makes every plan of a test case run with -refresh=false, so
// that a step's requests are those of its apply alone.
var noRefresh = &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}}

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

// TestAccLoad_300Links applies 300 links (count = 300) at -parallelism=50
// while the sandbox answers 20 % of all API requests with 429 and 5 % with
// 503, then plans, then destroys, with the faults still on.
//
// terraform-plugin-testing has no parallelism option (terraform-exec, under
// it, always passes -parallelism=10, which also beats TF_CLI_ARGS_apply), so
// this test drives the Terraform CLI through terraform-exec itself, with the
// provider served in-process through plugin reattach exactly as
// resource.Test does it (same factory: the test's clock, millisecond retry
// waits).
//
// A 429 is retried for every method, a 503 only for GET, PUT and DELETE: a
// POST answered 503 may have created the link, so the provider looks for it
// (and finds none: the sandbox's 503s come before it acts), sends the POST
// once more, and reports a failure only if that one draws a 503 too, after
// looking again. An apply therefore fails only for creates whose two POSTs
// both drew a 503 (about 0.25 % of 300), and the test checks exactly that:
// every error is a create error naming HTTP 503, there are at most half as
// many as POSTs answered 503, and no link was adopted (none was created
// without an answer). It then applies again, as a pipeline would, until
// nothing fails. In the end: exactly 300 links exist, each created once (no
// other link was ever made), all in the state, a plan is empty, and destroy
// revokes all 300. The provider is configured with max_retries = 15: with a
// quarter of all requests refused, the default of 4 (5 tries) would give up
// on about one request in a thousand.
func TestAccLoad_300Links(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH")
		}
		tfPath = p
	}
	const (
		links       = 300
		parallelism = 50
		maxApplies  = 5
	)
	began := time.Now()
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize = 100 })
	// The second fault sees only the 80 % the first passes over: 6.25 % of
	// those is 5 % of all requests.
	e.sandbox.AddFault(sandbox.Fault{Status: 429, Probability: 0.20, Seed: 300})
	e.sandbox.AddFault(sandbox.Fault{Status: 503, Probability: 0.05 / 0.80, Seed: 301})

	// How many provider calls (applies, reads) and API requests are in
	// flight at once: proof that the parallelism took effect.
	var rpcs, requests loadGauge
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer requests.enter()()
		e.server.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	dir := loadWorkDir(t)
	config := fmt.Sprintf(`provider "albato" {
  api_url     = %q
  token       = %q
  connect_url = %q
  max_retries = 15
}

resource "albato_connection_link" "load" {
  count      = %d
  partner_id = 225
  title      = "load ${count.index}"
}
`, front.URL, testToken, e.connectURL(), links)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, tfPath)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(tfexec.CleanEnv(env)); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	tf.SetStdout(io.Discard)
	ctx := t.Context()
	run := func(what string, f func(tfexec.ReattachInfo) error) error {
		t.Helper()
		stderr.Reset()
		return loadServe(t, e, &rpcs, func(r tfexec.ReattachInfo) error {
			start := time.Now()
			err := f(r)
			t.Logf("%s: %s", what, time.Since(start).Round(10*time.Millisecond))
			return err
		})
	}

	if err := run("init", func(r tfexec.ReattachInfo) error { return tf.Init(ctx, tfexec.Reattach(r)) }); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}

	// Apply until nothing fails; every failure must be a create whose POST
	// and its one re-send were answered 503.
	applies, failedCreates := 0, 0
	for {
		applies++
		from := len(e.sandbox.Requests())
		err := run(fmt.Sprintf("apply %d", applies), func(r tfexec.ReattachInfo) error {
			return tf.Apply(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
		})
		reqs := e.sandbox.Requests()[from:]
		post503 := 0
		for _, r := range reqs {
			if r.Method == http.MethodPost && r.Status == http.StatusServiceUnavailable {
				post503++
			}
		}
		out := strings.Join(strings.Fields(stderr.String()), " ") // Terraform wraps long lines
		errorsShown := strings.Count(out, "Error: ")
		createErrors := strings.Count(out, "Error: Unable to Create Connection Link")
		failedCreates += createErrors
		t.Logf("apply %d: %d requests, %d POSTs answered 503, %d create errors", applies, len(reqs), post503, createErrors)
		if errorsShown != createErrors || 2*createErrors > post503 || (err == nil) != (createErrors == 0) {
			t.Fatalf("apply %d: %d errors shown, %d of them create errors, %d POSTs answered 503 (err %v); "+
				"want only create errors, each after two POSTs answered 503:\n%s",
				applies, errorsShown, createErrors, post503, err, stderr.String())
		}
		if strings.Contains(out, "Adopted a Connection Link") {
			t.Fatalf("apply %d adopted a link, but every 503 came before the sandbox acted:\n%s", applies, stderr.String())
		}
		if strings.Count(out, "create sharing: HTTP 503") != createErrors {
			t.Fatalf("apply %d: a create error does not name HTTP 503:\n%s", applies, stderr.String())
		}
		if err == nil {
			break
		}
		if applies == maxApplies {
			t.Fatalf("%d applies still failed", applies)
		}
	}

	// Exactly 300 links exist, each created once, all in the state.
	var inState map[string]string // title -> id
	if err := run("show", func(r tfexec.ReattachInfo) error {
		st, err := tf.Show(ctx, tfexec.Reattach(r))
		if err != nil {
			return err
		}
		inState = map[string]string{}
		if st.Values == nil || st.Values.RootModule == nil {
			return errors.New("empty state")
		}
		for _, res := range st.Values.RootModule.Resources {
			title, _ := res.AttributeValues["title"].(string)
			id, _ := res.AttributeValues["id"].(string)
			if _, dup := inState[title]; dup {
				return fmt.Errorf("title %q twice in the state", title)
			}
			inState[title] = id
		}
		return nil
	}); err != nil {
		t.Fatalf("show: %v\n%s", err, stderr.String())
	}
	all := e.sandbox.Sharings()
	if len(all) != links || len(inState) != links {
		t.Fatalf("the sandbox holds %d links (ever created) and the state %d; want %d and %d", len(all), len(inState), links, links)
	}
	for _, s := range all {
		if s.Status == sandbox.StatusRevoked || inState[s.Title] != fmt.Sprint(s.ID) {
			t.Fatalf("link %d %q (status %d) is not the state's %q", s.ID, s.Title, s.Status, inState[s.Title])
		}
	}

	// A following plan is empty.
	var changes bool
	if err := run("plan", func(r tfexec.ReattachInfo) error {
		var err error
		changes, err = tf.Plan(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
		return err
	}); err != nil || changes {
		t.Fatalf("plan after apply: changes %v, err %v\n%s", changes, err, stderr.String())
	}

	// Destroy revokes all of them.
	if err := run("destroy", func(r tfexec.ReattachInfo) error {
		return tf.Destroy(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
	}); err != nil {
		t.Fatalf("destroy: %v\n%s", err, stderr.String())
	}
	revoked := 0
	for _, s := range e.sandbox.Sharings() {
		if s.Status == sandbox.StatusRevoked {
			revoked++
		}
	}
	if revoked != links {
		t.Fatalf("destroy revoked %d of %d links", revoked, links)
	}

	counts := map[string]int{}
	for _, r := range e.sandbox.Requests() {
		counts[fmt.Sprintf("%s %d", r.Method, r.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var figures []string
	for _, k := range keys {
		figures = append(figures, fmt.Sprintf("%s: %d", k, counts[k]))
	}
	if p := rpcs.peak.Load(); p <= 10 {
		t.Errorf("at most %d provider calls were in flight at once: -parallelism=%d did not take effect", p, parallelism)
	}
	t.Logf("%d links at -parallelism=%d: %d applies (%d creates failed on two 503s in a row and were created by the next apply), "+
		"%d requests (%s), peak %d provider calls and %d API requests in flight, 0 duplicates, %d revoked by destroy; %s in all",
		links, parallelism, applies, failedCreates, e.sandbox.Count(""), strings.Join(figures, ", "), rpcs.peak.Load(), requests.peak.Load(),
		revoked, time.Since(began).Round(100*time.Millisecond))
}

// loadServe serves the provider in-process for one Terraform command, the
// way terraform-plugin-testing does: a debug (reattach) server for the
// address <host>/hashicorp/albato, stopped when f returns. The host follows
// TF_ACC_PROVIDER_HOST as terraform-plugin-testing's does, so that OpenTofu
// (registry.opentofu.org) finds the provider too.
func loadServe(t *testing.T, e *testEnv, rpcs *loadGauge, f func(tfexec.ReattachInfo) error) error {
	t.Helper()
	inner, err := e.factories()["albato"]()
	if err != nil {
		return err
	}
	return serveProvider(t, &loadServer{ProviderServer: inner, g: rpcs}, f)
}

// loadGauge tracks how many calls are in flight, and the most at once.
type loadGauge struct{ now, peak atomic.Int64 }

func (g *loadGauge) enter() (leave func()) {
	n := g.now.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	return func() { g.now.Add(-1) }
}

// loadServer counts the provider's applies and reads in flight.
type loadServer struct {
	tfprotov6.ProviderServer
	g *loadGauge
}

func (s *loadServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	defer s.g.enter()()
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

func (s *loadServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	defer s.g.enter()()
	return s.ProviderServer.ReadResource(ctx, req)
}

// loadWorkDir is the Terraform working directory. Terraform writes the
// whole state file after every resource it applies, 300 times over; in
// memory (/dev/shm, where there is one) that takes half the time it takes on
// disk.
func loadWorkDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "albato-load-"); err == nil { //nolint:usetesting // t.TempDir is on disk
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
