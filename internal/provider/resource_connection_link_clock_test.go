package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

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
