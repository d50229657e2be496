package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// A configuration whose only content is the provider and one data source
// read, so that Configure runs.
func testAccListConfig(provider string) string {
	return provider + "\ndata \"albato_connection_links\" \"all\" {}\n"
}

func TestAccProvider_configErrors(t *testing.T) {
	e := newTestEnv(t)
	t.Setenv(envToken, "")
	t.Setenv(envAPIURL, "")
	t.Setenv(envMaxRetries, "")
	cases := map[string]struct {
		provider string
		want     string
	}{
		"missing token": {
			provider: fmt.Sprintf("provider \"albato\" {\n  api_url = %q\n}\n", e.server.URL),
			want:     `(?s)Missing Albato API Token.*"token".*ALBATO_TOKEN`,
		},
		"unparsable api_url": {
			provider: `provider "albato" {
  api_url = "ftp//nowhere"
  token   = "x"
}`,
			want: `(?s)api_url.*must be an absolute http or https URL`,
		},
		"negative max_retries": {
			provider: e.providerConfig("max_retries = -1"),
			want:     `(?s)max_retries.*value must be at least 0`,
		},
		"bad auth_scheme": {
			provider: e.providerConfig(`auth_scheme = "Digest"`),
			want:     `(?s)auth_scheme.*value must be one of`,
		},
		"refused token": {
			provider: fmt.Sprintf("provider \"albato\" {\n  api_url = %q\n  token = \"wrong\"\n}\n", e.server.URL),
			want:     `(?s)refused the API token.*ALBATO_TOKEN`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      testAccListConfig(c.provider),
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

// Environment variables stand in for arguments, and an argument wins over
// its variable. Every request carries the documented User-Agent and the
// Authorization scheme as spelt by the chosen auth_scheme.
func TestAccProvider_envAndHeaders(t *testing.T) {
	e := newTestEnv(t)
	t.Setenv(envAPIURL, e.server.URL)
	t.Setenv(envToken, testToken)
	t.Setenv(envConnectURL, "https://connect.example.com/?brand=acme")
	t.Setenv(envAuthScheme, "bearer")
	t.Setenv(envMaxRetries, "2")

	checkHeaders := func(wantScheme string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			h := e.lastHeaders()
			if got, want := h.Get("Authorization"), wantScheme+" "+testToken; got != want {
				return fmt.Errorf("Authorization header uses %q, want scheme %q", strings.SplitN(got, " ", 2)[0], wantScheme)
			}
			ua := h.Get("User-Agent")
			if !regexp.MustCompile(`^terraform-provider-albato/test \(\+https://www\.terraform\.io\) Terraform/\d+\.\d+\.\d+`).MatchString(ua) {
				return fmt.Errorf("User-Agent %q does not follow the documented form", ua)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: `
provider "albato" {}

resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "from the environment"
}`,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkHeaders("Bearer"),
					func(s *terraform.State) error {
						sh := e.onlySharing()
						link := s.RootModule().Resources[linkAddr].Primary.Attributes["link"]
						if want := "https://connect.example.com/?brand=acme&id=225&token=" + sh.Token; link != want {
							return fmt.Errorf("link = %q, want %q", link, want)
						}
						return nil
					},
				),
			},
			{
				Config: fmt.Sprintf(`
provider "albato" {
  auth_scheme = "BASIC"
  connect_url = %q
}

resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "from the environment"
}`, e.connectURL()),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkHeaders("Basic"),
					func(s *terraform.State) error {
						sh := e.onlySharing()
						link := s.RootModule().Resources[linkAddr].Primary.Attributes["link"]
						if want := e.connectURL() + "?id=225&token=" + sh.Token; link != want {
							return fmt.Errorf("link = %q, want %q", link, want)
						}
						return nil
					},
				),
			},
		},
	})
}

// Provider arguments may come from resources that do not exist yet: a plan
// that only creates links needs no API call and succeeds; a refresh, which
// needs the API, fails naming the argument.
func TestAccProvider_unknownArguments(t *testing.T) {
	e := newTestEnv(t)
	config := func(replace string) string {
		return fmt.Sprintf(`
resource "terraform_data" "api" {
  input            = %q
  triggers_replace = %q
}

provider "albato" {
  api_url     = terraform_data.api.output
  token       = %q
  connect_url = %q
}

resource "albato_connection_link" "test" {
  partner_id = 225
  title      = "api_url known at apply"
}`, e.server.URL, replace, testToken, e.connectURL())
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(linkAddr, "status_name", "waiting"),
					e.checkCount("POST", 1),
				),
			},
			{
				// Replacing terraform_data makes api_url unknown again, and
				// the link's refresh needs the API.
				Config:      config("2"),
				ExpectError: regexp.MustCompile(`(?s)Albato Provider Argument Not Known Yet.*"api_url"\s+is\s+not\s+known`),
			},
		},
	})
}
