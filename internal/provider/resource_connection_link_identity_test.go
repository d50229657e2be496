package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

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
