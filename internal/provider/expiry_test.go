package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
)

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	later := created.Add(3 * time.Hour)
	cases := []struct {
		name     string
		created  *time.Time
		issuedAt time.Time
		want     time.Time
	}{
		{"nothing known", nil, time.Time{}, time.Time{}},
		{"only dateCreated (import, data source)", &created, time.Time{}, created.Add(48 * time.Hour)},
		{"only issue time (POST answer)", nil, created, created.Add(48 * time.Hour)},
		{"regenerated after creation", &created, later, later.Add(48 * time.Hour)},
		{"dateCreated moved by the API", &later, created, later.Add(48 * time.Hour)},
		{"non-UTC issue time", nil, created.In(time.FixedZone("X", 3600)), created.Add(48 * time.Hour)},
		{"local clock with a fraction of a second", nil, created.Add(700 * time.Millisecond), created.Add(48 * time.Hour)},
	}
	for _, c := range cases {
		issued, got := tokenLifetime(c.created, c.issuedAt)
		if !got.Equal(c.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("%s: expiry = %v, want %v in UTC", c.name, got, c.want)
		}
		// issued_at and expires_at come from one time: 48 hours apart, or both unknown.
		if issued.IsZero() != got.IsZero() || (!got.IsZero() && got.Sub(issued) != 48*time.Hour) {
			t.Errorf("%s: issued = %v, not 48 hours before expiry %v", c.name, issued, got)
		}
	}
}

func TestExpiryJudgement(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		status  albato.Status
		expiry  time.Time
		before  time.Duration
		now     time.Time
		expired bool
		due     bool
	}{
		{"a second before", albato.StatusWaiting, expiry, 0, expiry.Add(-time.Second), false, false},
		{"exactly at expiry", albato.StatusWaiting, expiry, 0, expiry, true, true},
		{"past expiry", albato.StatusWaiting, expiry, 0, expiry.Add(time.Hour), true, true},
		{"inside the 6h window", albato.StatusWaiting, expiry, 6 * time.Hour, expiry.Add(-6 * time.Hour), false, true},
		{"before the 6h window", albato.StatusWaiting, expiry, 6 * time.Hour, expiry.Add(-6*time.Hour - time.Second), false, false},
		{"window longer than the lifetime", albato.StatusWaiting, expiry, 72 * time.Hour, expiry.Add(-48 * time.Hour), false, true},
		{"granted never expires", albato.StatusGranted, expiry, 0, expiry.Add(time.Hour), false, false},
		{"waiting for OAuth", albato.StatusWaitingOAuth, expiry, 0, expiry.Add(time.Hour), false, false},
		{"revoked", albato.StatusRevoked, expiry, 0, expiry.Add(time.Hour), false, false},
		{"unknown expiry", albato.StatusWaiting, time.Time{}, 0, expiry, false, false},
	}
	for _, c := range cases {
		if got := dueAt(c.status, c.expiry, 0, c.now); got != c.expired {
			t.Errorf("%s: expired = %v, want %v", c.name, got, c.expired)
		}
		if got := dueAt(c.status, c.expiry, c.before, c.now); got != c.due {
			t.Errorf("%s: dueAt = %v, want %v", c.name, got, c.due)
		}
		// The same judgement from the attributes, as the plan makes it.
		expiresAt := ""
		if !c.expiry.IsZero() {
			expiresAt = formatTime(c.expiry)
		}
		if got := dueForRegeneration(c.status, expiresAt, true, c.before.String(), c.now); got != c.due {
			t.Errorf("%s: dueForRegeneration = %v, want %v", c.name, got, c.due)
		}
		if dueForRegeneration(c.status, expiresAt, false, c.before.String(), c.now) {
			t.Errorf("%s: due with regenerate_when_expired = false", c.name)
		}
		if dueForRegeneration(c.status, expiresAt, true, c.before.String(), time.Time{}) {
			t.Errorf("%s: due without a reading (a state from an older version)", c.name)
		}
	}
}

func TestAPINow(t *testing.T) {
	t.Parallel()
	server := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	local := server.Add(7 * time.Minute) // a skewed local clock
	pd := &providerData{now: clocktest.NewFake(local).Now}
	if got := pd.apiNow(&albato.Sharing{ServerTime: server}); !got.Equal(server) {
		t.Errorf("with a Date header: %v, want the API's %v", got, server)
	}
	if got := pd.apiNow(&albato.Sharing{}); !got.Equal(local) {
		t.Errorf("without a Date header: %v, want the local %v", got, local)
	}
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
