package provider

// A suite across types: the client's checks of what the API answers
// (internal/albato), seen through the resource's refresh, update and
// destroy.

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// A 404 that is not the sharing API's own (an api_url with a wrong path
// prefix, or a web server's HTML page) is an error naming api_url: the
// refresh keeps the link, the destroy (without refresh) fails, and with the
// right URL again the link is the same, live, and the next plan empty.
func TestAccConnectionLink_notTheAPIs404(t *testing.T) {
	const htmlPage = "<html><head><title>404 Not Found</title></head><body>nginx</body></html>"
	cases := map[string]struct {
		prefix string          // appended to api_url
		faults []sandbox.Fault // installed while the URL is wrong
	}{
		"a wrong path prefix": {prefix: "/api"},
		"an HTML 404 page": {faults: []sandbox.Fault{
			{PathPrefix: "/credentials/grant-access-sharing/", Status: 404, Body: htmlPage},
		}},
	}
	for name, c := range cases {
		for _, op := range []string{"refresh", "destroy"} {
			t.Run(name+"/"+op, func(t *testing.T) {
				e := newTestEnv(t)
				cfg := func(prefix string) string {
					return fmt.Sprintf(`provider "albato" {
  api_url     = %q
  token       = %q
  connect_url = %q
}

resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "kept"
}
`, e.server.URL+prefix, testToken, e.connectURL())
				}
				var id int64
				wrong := resource.TestStep{
					PreConfig: func() {
						for _, f := range c.faults {
							e.sandbox.AddFault(f)
						}
					},
					Config:      cfg(c.prefix),
					ExpectError: regexp.MustCompile(`(?s)Unable to Read Connection Link.*not the sharing API's.*"api_url"`),
				}
				tc := resource.TestCase{ProtoV6ProviderFactories: e.factories()}
				if op == "destroy" {
					tc.AdditionalCLIOptions = noRefresh
					wrong.Destroy = true
					wrong.ExpectError = regexp.MustCompile(`(?s)Unable to Revoke Connection Link.*not the sharing API's.*"api_url"`)
				}
				tc.Steps = []resource.TestStep{
					{Config: cfg(""), Check: func(s *terraform.State) (err error) { id, err = stateID(s, linkAddr); return err }},
					wrong,
					{
						PreConfig: e.sandbox.ClearFaults,
						Config:    cfg(""),
						Check: func(s *terraform.State) error {
							if got, err := stateID(s, linkAddr); err != nil || got != id {
								return fmt.Errorf("state holds link %d (%w), want %d", got, err, id)
							}
							return e.distinctLiveLinks(s, 1)
						},
					},
				}
				resource.ParallelTest(t, tc)
			})
		}
	}
}

// Answers that do not add up: a refresh whose GET answers for another id,
// a regeneration whose PUT does, or a waiting link with a null token, are
// errors, and the state keeps the link it had (the next plan, with
// ordinary answers again, is empty).
func TestAccConnectionLink_answersThatDoNotAddUp(t *testing.T) {
	item := "/credentials/grant-access-sharing/"
	cases := map[string]struct {
		fault    sandbox.Fault
		triggers string // the regenerate_triggers value of the odd step
		want     string
	}{
		"a refresh answered for another id": {
			fault: sandbox.Fault{Method: "GET", PathPrefix: item, AnswerID: 1062},
			want:  `asked\s+for\s+sharing\s+61,\s+the\s+API\s+answered\s+with\s+sharing\s+1062`,
		},
		"a regeneration answered for another id": {
			fault: sandbox.Fault{Method: "PUT", AnswerID: 1062}, triggers: "2",
			want: `asked\s+for\s+sharing\s+61,\s+the\s+API\s+answered\s+with\s+sharing\s+1062`,
		},
		"a refresh answered with a null token": {
			fault: sandbox.Fault{Method: "GET", NullToken: true},
			want:  `sharing\s+61:\s+it\s+is\s+waiting,\s+but\s+its\s+token\s+is\s+null\s+or\s+empty`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := func(triggers string) string {
				return testAccConnectionLinkConfig(e, "odd answers", fmt.Sprintf("regenerate_triggers = { v = %q }", triggers))
			}
			var token string
			kept := func(s *terraform.State) error {
				a, err := attrs(s, linkAddr)
				if err != nil {
					return err
				}
				if a["id"] != "61" || a["token"] == "" || (token != "" && a["token"] != token) {
					return fmt.Errorf("state holds link %s with token set %v, want link 61 as it was", a["id"], a["token"] != "")
				}
				token = a["token"]
				return e.distinctLiveLinks(s, 1)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{Config: cfg("1"), Check: kept},
					{
						PreConfig:   func() { e.sandbox.AddFault(c.fault) },
						Config:      cfg(cmpOrString(c.triggers, "1")),
						ExpectError: regexp.MustCompile(`(?s)` + c.want),
					},
					{
						PreConfig: e.sandbox.ClearFaults,
						Config:    cfg("1"),
						Check: func(s *terraform.State) error {
							if c.triggers != "" {
								token = "" // the odd PUT did regenerate it
							}
							return kept(s)
						},
					},
				},
			})
		})
	}
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
