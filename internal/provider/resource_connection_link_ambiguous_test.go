package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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
