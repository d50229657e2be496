package provider

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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

// distinctLiveLinks checks that the state holds n links, all different,
// and that they are exactly the sandbox's live links.
func (e *testEnv) distinctLiveLinks(s *terraform.State, n int) error {
	ids := linkIDs(s)
	slices.Sort(ids)
	if len(ids) != n || len(slices.Compact(slices.Clone(ids))) != n {
		return fmt.Errorf("state holds links %v, want %d distinct ones", ids, n)
	}
	var live []int64
	for _, sh := range e.sandbox.Sharings() {
		if sh.Status != sandbox.StatusRevoked {
			live = append(live, sh.ID)
		}
	}
	if !slices.Equal(ids, live) {
		return fmt.Errorf("state holds links %v; the live links are %v", ids, live)
	}
	return nil
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
