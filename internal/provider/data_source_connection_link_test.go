package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// testAccDataLinkConfig is a link resource and the data source reading it.
func testAccDataLinkConfig(e *testEnv, dataBody string) string {
	return e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "read by the data source"
}

data "albato_connection_link" "test" {
  id = albato_connection_link.test.id
` + dataBody + `
}
`
}

func TestAccConnectionLinkDataSource_basic(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccDataLinkConfig(e, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair(dataLinkAddr, "id", linkAddr, "id"),
					resource.TestCheckResourceAttrPair(dataLinkAddr, "token", linkAddr, "token"),
					resource.TestCheckResourceAttrPair(dataLinkAddr, "link", linkAddr, "link"),
					resource.TestCheckResourceAttrPair(dataLinkAddr, "date_created", linkAddr, "date_created"),
					resource.TestCheckResourceAttrPair(dataLinkAddr, "expires_at", linkAddr, "expires_at"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("credential_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("title"), knownvalue.StringExact("read by the data source")),
					statecheck.ExpectSensitiveValue(dataLinkAddr, tfjsonpath.New("token")),
					statecheck.ExpectSensitiveValue(dataLinkAddr, tfjsonpath.New("link")),
				},
			},
			{
				Config: e.providerConfig() + `
data "albato_connection_link" "test" {
  id = "abc"
}`,
				ExpectError: regexp.MustCompile(`Expected a sharing id, a positive whole number`),
			},
			{
				Config: e.providerConfig() + `
data "albato_connection_link" "test" {
  id = "424242"
}`,
				ExpectError: regexp.MustCompile(`no connection link with id 424242`),
			},
		},
	})
}

// testAccWaitConfig reads sharing 61, made outside Terraform by the test,
// with the data source alone, so that no resource refresh races the test's
// actions: the first GET sees the link waiting, the end user acts just
// before the second (e.before).
func testAccWaitConfig(e *testEnv, body string) string {
	return e.providerConfig() + `
data "albato_connection_link" "test" {
  id = "61"
` + body + `
}
`
}

// wait_for_status returns once the end user completes the link.
func TestAccConnectionLinkDataSource_waitForGrant(t *testing.T) {
	deadline(t, 10*time.Minute, "wait_for_status")
	e := newTestEnv(t)
	var credentialID int64
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					e.createSharing(t, 225, "waited for")
					e.sandbox.ResetRequests()
					e.before("GET", 2, func() {
						var err error
						if credentialID, err = e.sandbox.Grant(61); err != nil {
							t.Error(err)
						}
					})
				},
				Config: testAccWaitConfig(e, `  wait_for_status = ["granted"]
  timeouts {
    read = "2m"
  }`),
				Check: func(s *terraform.State) error {
					got := s.RootModule().Resources[dataLinkAddr].Primary.Attributes["credential_id"]
					if got != fmt.Sprint(credentialID) {
						return fmt.Errorf("credential_id = %q, want %d", got, credentialID)
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("granted")),
				},
			},
		},
	})
}

// Revoked, expired and out of time are clear errors, never endless waits.
func TestAccConnectionLinkDataSource_waitErrors(t *testing.T) {
	cases := map[string]struct {
		act  func(e *testEnv)
		body string
		want string
	}{
		"revoked while waiting": {
			act: func(e *testEnv) {
				e.before("GET", 2, func() { _ = e.sandbox.Revoke(61) })
			},
			body: `  wait_for_status = ["granted"]
  timeouts {
    read = "2m"
  }`,
			want: `(?s)is revoked, so it will never\s+become\s+granted\.\s+If\s+an\s+albato_connection_link\s+resource\s+manages\s+it,\s+the\s+next\s+terraform\s+apply\s+creates\s+a\s+new\s+link`,
		},
		// Its date says it expired: a hint, never a verdict. The wait goes on
		// to its timeout, whose error tells what the date says.
		"expired by its date": {
			act: func(e *testEnv) { e.clock.Advance(48 * time.Hour) },
			body: `  wait_for_status = ["granted", "waiting_oauth"]
  timeouts {
    read = "1s"
  }`,
			want: `(?s)did not become granted or\s+waiting_oauth\s+within\s+the\s+timeout\s+of\s+1s.*has\s+an\s+expires_at\s+of\s+.*counted\s+48\s+hours\s+from\s+date_created,\s+which\s+a\s+regeneration\s+may\s+not\s+move`,
		},
		"timeout": {
			act: func(*testEnv) {},
			body: `  wait_for_status = ["granted"]
  timeouts {
    read = "1s"
  }`,
			want: `(?s)Timed Out Waiting for Connection Link\b.*did not become granted within the\s+timeout\s+of\s+1s.*raise\s+read\s+in\s+the\s+data\s+source's\s+timeouts\s+block\s+\(for\s+example\s+timeouts\s+\{\s+read`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			deadline(t, 10*time.Minute, "wait_for_status")
			e := newTestEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							e.createSharing(t, 225, "waited for")
							c.act(e)
						},
						Config:      testAccWaitConfig(e, c.body),
						ExpectError: regexp.MustCompile(c.want),
					},
				},
			})
		})
	}
}

// A link already in the set returns at once, even a revoked one asked for.
func TestAccConnectionLinkDataSource_waitAlreadyThere(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: testAccDataLinkConfig(e, "")},
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccDataLinkConfig(e, `  wait_for_status = ["waiting"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
		},
	})
}

func TestAccConnectionLinkDataSource_validation(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + `
data "albato_connection_link" "test" {
  id              = "61"
  wait_for_status = ["granted", "done"]
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)wait_for_status.*value must be one of`),
			},
			{
				Config: e.providerConfig() + `
data "albato_connection_link" "test" {
  id              = "61"
  wait_for_status = ["granted"]
  timeouts {
    read = "soon"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Attribute Value Time Duration`),
			},
		},
		CheckDestroy: e.checkCount("", 0),
	})
}

// Only the resource knows when a token was issued: a link regenerated
// outside Terraform a few seconds before its date_created says it expires,
// and completed after that moment, ends the wait with its grant, whether
// the API's PUT moves dateCreated or keeps it.
func TestAccConnectionLinkDataSource_waitOutlivesTheDate(t *testing.T) {
	for _, moves := range []bool{false, true} {
		t.Run(fmt.Sprintf("PUT moves dateCreated: %v", moves), func(t *testing.T) {
			deadline(t, 10*time.Minute, "wait_for_status")
			e := newTestEnv(t)
			var credentialID int64
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						e.regeneratedJustBeforeItsDate(t, 61, moves)
						// The first read finds it waiting; before the second the
						// date says it expired; before the third the end user
						// completes it.
						e.before("GET", 2, func() { e.clock.Advance(10 * time.Second) })
						e.before("GET", 3, func() {
							var err error
							if credentialID, err = e.sandbox.Grant(61); err != nil {
								t.Error(err)
							}
						})
					},
					Config: testAccWaitConfig(e, `  wait_for_status = ["granted"]
  timeouts {
    read = "1m"
  }`),
					Check: func(s *terraform.State) error {
						if got := s.RootModule().Resources[dataLinkAddr].Primary.Attributes["credential_id"]; got != fmt.Sprint(credentialID) {
							return fmt.Errorf("credential_id = %q, want %d", got, credentialID)
						}
						return nil
					},
				}},
			})
		})
	}
}

// A wait ends as it promises, on every CLI: "0s" reads the link once, and
// a granted link passes; a wait for revoked passes on a revoked link, and on
// one the API deletes while it waits (404), shown as revoked with what the
// API no longer gives null; a wait for granted fails at once on that 404.
func TestAccConnectionLinkDataSource_waitEndings(t *testing.T) {
	nulls := func(names ...string) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, n := range names {
			out = append(out, statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New(n), knownvalue.Null()))
		}
		return out
	}
	cases := map[string]struct {
		act    func(t *testing.T, e *testEnv)
		body   string
		checks []statecheck.StateCheck
		want   string
	}{
		"granted, timeout 0s": {
			act: func(t *testing.T, e *testEnv) {
				if _, err := e.sandbox.Grant(61); err != nil {
					t.Fatal(err)
				}
			},
			body: "  wait_for_status = [\"granted\"]\n  timeouts {\n    read = \"0s\"\n  }",
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("granted")),
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("credential_id"), knownvalue.NotNull()),
			},
		},
		"revoked, waiting for revoked": {
			act:  func(t *testing.T, e *testEnv) { _ = e.sandbox.Revoke(61) },
			body: "  wait_for_status = [\"revoked\"]\n  timeouts {\n    read = \"0s\"\n  }",
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("revoked")),
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("title"), knownvalue.StringExact("waited for")),
			},
		},
		"deleted (404) while waiting for revoked": {
			act: func(t *testing.T, e *testEnv) {
				e.before("GET", 2, func() {
					if err := e.deleteThroughAPI(61); err != nil {
						t.Error(err)
					}
				})
			},
			body: "  wait_for_status = [\"revoked\"]\n  timeouts {\n    read = \"1m\"\n  }",
			checks: append([]statecheck.StateCheck{
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("id"), knownvalue.StringExact("61")),
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(dataLinkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("revoked")),
			}, nulls("partner_id", "title", "token", "link", "credential_id", "date_created", "expires_at", "issued_at")...),
		},
		"deleted (404) while waiting for granted": {
			act: func(t *testing.T, e *testEnv) {
				e.before("GET", 2, func() {
					if err := e.deleteThroughAPI(61); err != nil {
						t.Error(err)
					}
				})
			},
			body: "  wait_for_status = [\"granted\"]\n  timeouts {\n    read = \"1m\"\n  }",
			want: `(?s)Connection Link Not Found.*id\s+61.*will\s+never\s+become\s+granted`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			deadline(t, 10*time.Minute, "wait_for_status")
			e := newTestEnv(t, func(o *sandbox.Options) { o.NotFoundAfterDelete = true })
			step := resource.TestStep{
				PreConfig: func() {
					e.createSharing(t, 225, "waited for")
					c.act(t, e)
				},
				Config:            testAccWaitConfig(e, c.body),
				ConfigStateChecks: c.checks,
			}
			if c.want != "" {
				step.ExpectError = regexp.MustCompile(c.want)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}
