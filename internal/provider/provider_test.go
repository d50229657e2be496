package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

func TestProviderSchemaIsValid(t *testing.T) {
	t.Parallel()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Errorf("schema error: %s: %s", d.Summary, d.Detail)
		}
	}
	if _, ok := resp.ResourceSchemas["albato_connection_link"]; !ok {
		t.Error("albato_connection_link resource missing")
	}
	for _, name := range []string{"albato_connection_link", "albato_connection_links"} {
		if _, ok := resp.DataSourceSchemas[name]; !ok {
			t.Errorf("%s data source missing", name)
		}
	}
}

// Environment variables stand in for arguments, and an argument wins over
// its variable. Every request carries the User-Agent
// "terraform-provider-albato/<version> (+https://www.terraform.io)
// Terraform/<version>" and the Authorization scheme as auth_scheme names it.
// The provider as Terraform runs it: a wait's pause grows from 1 s to
// 15 s (as the wait's documentation says), and expiry is judged by the wall
// clock.
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	p, ok := New("test")().(*AlbatoProvider)
	if !ok {
		t.Fatal("New does not build an *AlbatoProvider")
	}
	if p.pollMin != time.Second || p.pollMax != 15*time.Second {
		t.Errorf("pauses from %s to %s, want from 1s to 15s", p.pollMin, p.pollMax)
	}
	if d := time.Since(p.now()); d < 0 || d > time.Minute {
		t.Errorf("the clock is %s off the wall clock", d)
	}
}

// Every type's Configure: nothing (and no error) before the provider is
// configured, an error naming the type for anything but providerData.
func TestProviderDataFrom(t *testing.T) {
	t.Parallel()
	pd := &providerData{}
	for _, c := range []struct {
		data   any
		want   *providerData
		errors bool
	}{{nil, nil, false}, {pd, pd, false}, {"config", nil, true}} {
		var diags diag.Diagnostics
		if got := providerDataFrom(c.data, &diags); got != c.want || diags.HasError() != c.errors {
			t.Errorf("providerDataFrom(%#v) = %p with %v, want %p with errors %v", c.data, got, diags, c.want, c.errors)
		}
	}
}

// The client's settings come from the provider's, with the User-Agent
// naming both versions; a test's client options apply last.
func TestClientConfig(t *testing.T) {
	t.Parallel()
	s := settings{apiURL: "https://api.example.com", token: "tok", authScheme: "Bearer", maxRetries: 2}
	p := &AlbatoProvider{version: "1.2.3"}
	cfg := p.clientConfig(s, "1.16.4")
	if cfg.BaseURL != s.apiURL || cfg.Token != "tok" || cfg.AuthScheme != "Bearer" || cfg.MaxRetries != 2 || cfg.Logf == nil ||
		cfg.UserAgent != "terraform-provider-albato/1.2.3 (+https://www.terraform.io) Terraform/1.16.4" {
		t.Errorf("client config %+v", cfg)
	}
	p.clientOptions = func(c *albato.Config) { c.MaxRetries = 0 }
	if cfg := p.clientConfig(s, "1.16.4"); cfg.MaxRetries != 0 {
		t.Errorf("the client options were not applied: %+v", cfg)
	}
}

func TestAccProvider_envAndHeaders(t *testing.T) {
	e := newTestEnv(t)
	t.Setenv(envAPIURL, e.server.URL)
	t.Setenv(envToken, testToken)
	t.Setenv(envConnectURL, " https://connect.example.com/brand/acme\n") // trimmed once, used as such
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
						if want := "https://connect.example.com/brand/acme?id=225&token=" + sh.Token; link != want {
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

// withSecretsMasked hides the API token and every sharing token it is
// given in each log line written with its context, in the message and in
// any field, a link's query included; without secrets it changes nothing.
func TestWithSecretsMaskedHidesTokensInLogs(t *testing.T) {
	t.Parallel()
	const apiToken, sharingToken = "api-tok-3c1d9e", "aZeZWFwAQQ"
	link := buildLink("https://connect.example.com/", 225, sharingToken)
	for _, pd := range []*providerData{{settings: settings{token: apiToken}}, nil, {}} {
		var out bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &out)
		ctx = withSecretsMasked(ctx, pd, "", sharingToken)
		tflog.Debug(ctx, "read "+sharingToken+" with "+apiToken, map[string]any{
			"link": link, "token": sharingToken, "header": "Bearer " + apiToken, "id": 61,
		})
		got := out.String()
		if !strings.Contains(got, `"id":61`) {
			t.Fatalf("no log line: %q", got)
		}
		if !strings.Contains(got, `"@message":"read *** with `) {
			t.Errorf("the message is not masked word for word: %s", got)
		}
		if strings.Contains(got, sharingToken) {
			t.Errorf("the sharing token is logged: %s", got)
		}
		if pd != nil && pd.token != "" && strings.Contains(got, apiToken) {
			t.Errorf("the API token is logged: %s", got)
		}
	}

	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	tflog.Debug(withSecretsMasked(ctx, nil), "nothing to hide", map[string]any{"token": sharingToken})
	if !strings.Contains(out.String(), sharingToken) {
		t.Errorf("a value not given was masked: %s", out.String())
	}
}

// No collection in any schema of the provider (resources, data sources,
// ephemeral resources, list resources, actions) holds a sensitive attribute
// in each of its elements. Every CLI tracks such an attribute as one path
// per element, with a cost that grows faster than the collection: a plan
// over a few thousand links took minutes. A sensitive attribute on the
// collection as a whole is one path and is fine.
func TestProviderSchemas_noSensitiveAttributePerElement(t *testing.T) {
	t.Parallel()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*tfprotov6.Schema{}
	for kind, m := range map[string]map[string]*tfprotov6.Schema{
		"resource":           resp.ResourceSchemas,
		"data source":        resp.DataSourceSchemas,
		"ephemeral resource": resp.EphemeralResourceSchemas,
		"list resource":      resp.ListResourceSchemas,
	} {
		for name, s := range m {
			schemas[kind+" "+name] = s
		}
	}
	for name, s := range resp.ActionSchemas {
		schemas["action "+name] = s.Schema
	}
	// The walk must see the types it guards, so that an empty response
	// cannot pass.
	for _, want := range []string{"data source albato_connection_links", "resource albato_connection_link"} {
		if schemas[want] == nil {
			t.Fatalf("%s missing from the provider's schemas", want)
		}
	}
	for name, s := range schemas {
		for _, p := range sensitivePerElement(s) {
			t.Errorf("%s: %s is sensitive in every element of a collection; mark the collection as a whole "+
				"sensitive, or move the secret to a sensitive map beside it", name, p)
		}
	}
}

// The walk finds what the test guards against, at any depth, in nested
// attributes and in blocks, and lets a sensitive collection or a sensitive
// attribute of a single nested object pass.
func TestSensitivePerElement(t *testing.T) {
	t.Parallel()
	secret := &tfprotov6.SchemaAttribute{Name: "token", Sensitive: true}
	object := func(n tfprotov6.SchemaObjectNestingMode, attrs ...*tfprotov6.SchemaAttribute) *tfprotov6.SchemaObject {
		return &tfprotov6.SchemaObject{Nesting: n, Attributes: attrs}
	}
	s := &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Attributes: []*tfprotov6.SchemaAttribute{
			{Name: "links", NestedType: object(tfprotov6.SchemaObjectNestingModeList, &tfprotov6.SchemaAttribute{Name: "id"}, secret)},
			{Name: "by_id", NestedType: object(tfprotov6.SchemaObjectNestingModeMap, secret)},
			{Name: "deep", NestedType: object(tfprotov6.SchemaObjectNestingModeSingle,
				&tfprotov6.SchemaAttribute{Name: "set", NestedType: object(tfprotov6.SchemaObjectNestingModeSet, secret)})},
			{Name: "whole", Sensitive: true, NestedType: object(tfprotov6.SchemaObjectNestingModeList, &tfprotov6.SchemaAttribute{Name: "id"})},
			{Name: "one", NestedType: object(tfprotov6.SchemaObjectNestingModeSingle, secret)},
		},
		BlockTypes: []*tfprotov6.SchemaNestedBlock{
			{TypeName: "item", Nesting: tfprotov6.SchemaNestedBlockNestingModeList, Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{secret},
			}},
			{TypeName: "single", Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{secret},
			}},
		},
	}}
	got := sensitivePerElement(s)
	slices.Sort(got)
	want := []string{"by_id[*].token", "deep.set[*].token", "item[*].token", "links[*].token"}
	if !slices.Equal(got, want) {
		t.Errorf("sensitivePerElement = %q, want %q", got, want)
	}
}

// sensitivePerElement lists the paths of the sensitive attributes that sit
// inside an element of a list, set or map (nested attribute or block).
func sensitivePerElement(s *tfprotov6.Schema) []string {
	if s == nil || s.Block == nil {
		return nil
	}
	var out []string
	walkBlock(s.Block, "", false, &out)
	return out
}

func walkBlock(b *tfprotov6.SchemaBlock, prefix string, inElement bool, out *[]string) {
	for _, a := range b.Attributes {
		walkAttribute(a, prefix+a.Name, inElement, out)
	}
	for _, nb := range b.BlockTypes {
		path, in := prefix+nb.TypeName, inElement
		switch nb.Nesting {
		case tfprotov6.SchemaNestedBlockNestingModeList, tfprotov6.SchemaNestedBlockNestingModeSet,
			tfprotov6.SchemaNestedBlockNestingModeMap:
			path, in = path+"[*]", true
		}
		if nb.Block != nil {
			walkBlock(nb.Block, path+".", in, out)
		}
	}
}

func walkAttribute(a *tfprotov6.SchemaAttribute, path string, inElement bool, out *[]string) {
	if a.Sensitive {
		// A sensitive attribute hides everything below it as one value.
		if inElement {
			*out = append(*out, path)
		}
		return
	}
	if a.NestedType == nil {
		return
	}
	in := inElement
	switch a.NestedType.Nesting {
	case tfprotov6.SchemaObjectNestingModeList, tfprotov6.SchemaObjectNestingModeSet,
		tfprotov6.SchemaObjectNestingModeMap:
		path, in = path+"[*]", true
	}
	for _, na := range a.NestedType.Attributes {
		walkAttribute(na, path+"."+na.Name, in, out)
	}
}

func (e *testEnv) lastHeaders() http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.headers) == 0 {
		return nil
	}
	return e.headers[len(e.headers)-1]
}

// The quiet SDK logs of provider.go: off unless a variable asks for them.
func TestQuietLogsUnlessAsked(t *testing.T) {
	watched := append([]string{"TF_LOG", "TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"}, sdkLogLevelVariables...)
	for _, tc := range []struct {
		name    string
		set     map[string]string
		wantOff bool
	}{
		{"nobody asked for logs", nil, true},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, false},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, false},
		{"an SDK logger", map[string]string{"TF_LOG_SDK_FRAMEWORK": "DEBUG"}, false},
		{"a log file", map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range watched {
				t.Setenv(v, tc.set[v]) // restored after the test
				if tc.set[v] == "" {
					_ = os.Unsetenv(v)
				}
			}
			QuietLogsUnlessAsked()
			for _, v := range sdkLogLevelVariables {
				got, want := os.Getenv(v), tc.set[v]
				if tc.wantOff {
					want = "off"
				}
				if got != want {
					t.Errorf("%s = %q, want %q", v, got, want)
				}
			}
		})
	}
}
