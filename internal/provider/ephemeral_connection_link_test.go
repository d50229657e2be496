package provider

import (
	"context"
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const echoAddr = "echo.test"

// The echo provider never changes an echo resource once created: a step
// that needs fresh values adds a new one (echoResource).
func echoResource(name string) string { return fmt.Sprintf("resource \"echo\" %q {}\n", name) }

// ephemeralFactories serves the provider, counting the times Terraform
// opens an ephemeral resource, and the echo provider, which copies its
// configuration (where ephemeral values may go) into a resource's state, so
// that a test can see the values.
func (e *testEnv) ephemeralFactories(opens *atomic.Int64) map[string]func() (tfprotov6.ProviderServer, error) {
	f := e.factories()
	albato := f["albato"]
	f["albato"] = func() (tfprotov6.ProviderServer, error) {
		srv, err := albato()
		return openCounter{ProviderServer: srv, opens: opens}, err
	}
	f["echo"] = echoprovider.NewProviderServer()
	return f
}

type openCounter struct {
	tfprotov6.ProviderServer
	opens *atomic.Int64
}

func (c openCounter) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	c.opens.Add(1)
	return c.ProviderServer.OpenEphemeralResource(ctx, req)
}

// oneGETPerOpen checks that every open was exactly one GET and that nothing
// else reached the API: no create, regeneration or revocation.
func (e *testEnv) oneGETPerOpen(opens *atomic.Int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n := int(opens.Load())
		if n == 0 {
			return fmt.Errorf("the ephemeral resource was never opened")
		}
		return e.expectRequests(fmt.Sprintf("%d opens of the ephemeral resource", n), map[string]int{"GET": n})
	}
}

// Issue 12.2: the ephemeral resource reads a link (one GET per open, nothing
// else) and its values are usable, here by the echo provider; a granted
// link's token and link are null.
func TestAccConnectionLinkEphemeral_read(t *testing.T) {
	e := newTestEnv(t)
	var opens atomic.Int64
	cfg := e.providerConfig() + `
ephemeral "albato_connection_link" "test" {
  id = "61"
}

provider "echo" {
  data = ephemeral.albato_connection_link.test
}

resource "echo" "test" {}
`
	data := func(key string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(key) }
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: e.ephemeralFactories(&opens),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					e.createSharing(t, 225, "read ephemerally")
					e.sandbox.ResetRequests()
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(echoAddr, data("id"), knownvalue.StringExact("61")),
					statecheck.ExpectKnownValue(echoAddr, data("token"), tokenOfOnlySharing(e)),
					statecheck.ExpectKnownValue(echoAddr, data("link"), linkOfOnlySharing(e)),
					statecheck.ExpectKnownValue(echoAddr, data("status"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(echoAddr, data("status_name"), knownvalue.StringExact("waiting")),
					statecheck.ExpectKnownValue(echoAddr, data("credential_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(echoAddr, data("issued_at"), knownvalue.Int64Exact(testStart.Unix())),
					statecheck.ExpectKnownValue(echoAddr, data("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(linkLifetime)))),
					statecheck.ExpectKnownValue(echoAddr, data("expired"), knownvalue.Bool(false)),
				},
				Check: e.oneGETPerOpen(&opens),
			},
			{
				PreConfig: func() {
					if _, err := e.sandbox.Grant(61); err != nil {
						t.Fatal(err)
					}
					e.sandbox.ResetRequests()
					opens.Store(0)
				},
				Config: cfg + echoResource("granted"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.granted", data("status_name"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue("echo.granted", data("credential_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("echo.granted", data("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue("echo.granted", data("link"), knownvalue.Null()),
				},
				Check: e.oneGETPerOpen(&opens),
			},
			{
				Config:      e.providerConfig() + "ephemeral \"albato_connection_link\" \"test\" {\n  id = \"424242\"\n}\n",
				ExpectError: regexp.MustCompile(`no connection link with id 424242`),
			},
		},
	})
}

// linkOfOnlySharing matches the link of the sandbox's only sharing.
func linkOfOnlySharing(e *testEnv) knownvalue.Check {
	return knownValueFunc{desc: "the sandbox's current link", f: func(v any) error {
		sh := e.onlySharing()
		if want := fmt.Sprintf("%s?id=%d&token=%s", e.connectURL(), sh.PartnerID, sh.Token); v != want {
			return fmt.Errorf("not the sandbox's current link")
		}
		return nil
	}}
}

// Issue 12.2 with 12.3: with store_token = false and the link taken
// through the ephemeral resource, no token is in any state or plan, while
// the link reaches its consumer (the echo provider stands for one, and
// keeps only the link's length here).
func TestAccConnectionLinkEphemeral_neverInStateOrPlan(t *testing.T) {
	e := newTestEnv(t)
	w := newTokenWatch(e)
	var opens atomic.Int64
	cfg := func(rotation string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "albato_connection_link" "test" {
  partner_id          = 225
  title               = "kept out of state"
  store_token         = false
  regenerate_triggers = { rotation = %q }
}

ephemeral "albato_connection_link" "test" {
  id = albato_connection_link.test.id
}

provider "echo" {
  data = {
    link_length = length(ephemeral.albato_connection_link.test.link)
    issued_at   = albato_connection_link.test.issued_at
  }
}

resource "echo" %q {}
`, rotation, "v"+rotation)
	}
	linkLength := func() knownvalue.Check {
		return knownValueFunc{desc: "the length of the sandbox's current link", f: func(v any) error {
			sh := e.onlySharing()
			want := len(fmt.Sprintf("%s?id=%d&token=%s", e.connectURL(), sh.PartnerID, sh.Token))
			if fmt.Sprint(v) != fmt.Sprint(want) {
				return fmt.Errorf("link_length = %v, want %d", v, want)
			}
			return nil
		}}
	}
	noToken := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{w.absentFromPlan()},
		PostApplyPreRefresh:  []plancheck.PlanCheck{w.absentFromPlan()},
		PostApplyPostRefresh: []plancheck.PlanCheck{w.absentFromPlan()},
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: e.ephemeralFactories(&opens),
		Steps: []resource.TestStep{
			{
				Config:           cfg("1"),
				ConfigPlanChecks: noToken,
				ConfigStateChecks: []statecheck.StateCheck{
					w.absentFromState(),
					statecheck.ExpectKnownValue("echo.v1", tfjsonpath.New("data").AtMapKey("link_length"), linkLength()),
				},
			},
			// A regeneration hands the new link over, still outside the state.
			{
				Config:           cfg("2"),
				ConfigPlanChecks: noToken,
				ConfigStateChecks: []statecheck.StateCheck{
					w.absentFromState(),
					statecheck.ExpectKnownValue("echo.v2", tfjsonpath.New("data").AtMapKey("link_length"), linkLength()),
					statecheck.ExpectKnownValue("echo.v2", tfjsonpath.New("data").AtMapKey("issued_at"), knownvalue.NotNull()),
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}
