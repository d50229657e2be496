package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
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
			want: `(?s)api_url.*must\s+be\s+an\s+absolute\s+http\s+or\s+https\s+URL`,
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
// its variable. Every request carries the User-Agent
// "terraform-provider-albato/<version> (+https://www.terraform.io)
// Terraform/<version>" and the Authorization scheme as auth_scheme names it.
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
				return fmt.Errorf("User-Agent %q is not terraform-provider-albato/<version> (+https://www.terraform.io) Terraform/<version>", ua)
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

// No secret that a URL carries reaches a diagnostic or the TRACE log,
// whichever way the URL came in: the provider block, ALBATO_API_URL,
// connect_url, an overridden ALBATO_API_URL named in a diagnostic, or a
// redirect the API answered with. Each URL is still named by its scheme,
// host and path, so that the user can find it.
func TestAccProvider_urlSecretsNeverShown(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s", resource.EnvTfAcc)
	}
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv(envToken, testToken)
	t.Setenv(envAPIURL, "")
	t.Setenv(envConnectURL, "")
	const secret = "SECRET-9f3c"

	e := newTestEnv(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://me:"+secret+"@login.example/sso?api_key="+secret+"#"+secret)
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	unknownHost := "api.albato-typo.invalid"
	resolves := true
	if _, err := net.DefaultResolver.LookupHost(context.Background(), unknownHost); err != nil {
		_, resolves = albato.UnknownHost(err)
		resolves = !resolves
	}

	cases := []struct {
		name     string
		env      map[string]string
		provider string
		want     string // spaces match any white space, as Terraform wraps lines
		skip     bool
	}{
		{
			name:     "api_url with a query",
			provider: fmt.Sprintf("api_url = %q", "https://api.example/v1?api_key="+secret),
			want:     `(?s)"api_url" is not usable: .*must not have a query or fragment: "https://api.example/v1"`,
		},
		{
			name:     "api_url with credentials and a fragment",
			provider: fmt.Sprintf("api_url = %q", "https://me:"+secret+"@api.example/#"+secret),
			want:     `(?s)"api_url" is not usable: .*must not contain credentials: "https://api.example/"`,
		},
		{
			name:     "api_url that does not parse",
			provider: fmt.Sprintf("api_url = %q", "https://api.example:"+secret+"/"),
			want:     `(?s)api_url.*not a URL`,
		},
		{
			name: "ALBATO_API_URL with a query",
			env:  map[string]string{envAPIURL: "https://api.example/?token=" + secret},
			want: `(?s)\(ALBATO_API_URL\) is not usable: .*must not have a query or fragment: "https://api.example/"`,
		},
		{
			name:     "connect_url with credentials",
			provider: fmt.Sprintf("api_url = %q\n  connect_url = %q", e.server.URL, "ftp://me:"+secret+"@connect.example/?k="+secret),
			want:     `(?s)"connect_url" is not usable: "ftp://connect.example/" must start with`,
		},
		{
			name:     "a redirect",
			provider: fmt.Sprintf("api_url = %q", redirect.URL),
			want:     `(?s)unexpected redirect to https://login.example/sso `,
		},
		{
			name:     "an unknown host, over an overridden ALBATO_API_URL",
			env:      map[string]string{envAPIURL: "http://127.0.0.1:1/api?api_key=" + secret},
			provider: fmt.Sprintf("api_url = %q", "https://"+unknownHost),
			want: `(?s)the host "` + regexp.QuoteMeta(unknownHost) + `" is unknown.*nothing was retried.*` +
				`"api_url" from the provider configuration, which wins over ALBATO_API_URL="http://127.0.0.1:1/api"`,
			skip: resolves,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skipf("this machine's resolver does not answer %s with no such host", unknownHost)
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var got error
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				// Every diagnostic is read whole, not only the part that a
				// pattern matches.
				ErrorCheck: func(err error) error { got = err; return nil },
				Steps: []resource.TestStep{{
					Config: testAccListConfig("provider \"albato\" {\n  " + c.provider + "\n}\n"),
				}},
			})
			switch {
			case got == nil:
				t.Fatal("no error")
			case strings.Contains(got.Error(), secret):
				t.Errorf("the diagnostics show the secret:\n%s", got)
			case !regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)).MatchString(got.Error()):
				t.Errorf("the diagnostics do not match %s:\n%s", c.want, got)
			}
		})
	}

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(raw), "ConfigureProvider") {
		t.Fatalf("the trace log (%d bytes) does not look like a TRACE log of this test", len(raw))
	}
	// An entry starts with a timestamp; the test harness's own entries
	// (sdk.helper_resource), which echo the configuration and the CLI's
	// output, are neither the provider's nor Terraform's.
	entry := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT`)
	starts := entry.FindAllStringIndex(string(raw), -1)
	for i, st := range starts {
		end := len(raw)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		e := string(raw[st[0]:end])
		if strings.Contains(e, secret) && !strings.Contains(e, " sdk.helper_resource: ") {
			t.Errorf("a secret appears in the trace log: %s", e)
		}
	}
}
