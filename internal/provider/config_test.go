package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

func TestResolveSettings(t *testing.T) {
	t.Parallel()
	null := providerModel{
		APIURL: types.StringNull(), Token: types.StringNull(), AuthScheme: types.StringNull(),
		LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
	}
	with := func(f func(*providerModel)) providerModel {
		m := null
		f(&m)
		return m
	}
	tokenOnly := with(func(m *providerModel) { m.Token = types.StringValue("tok") })

	cases := map[string]struct {
		cfg     providerModel
		env     map[string]string
		want    settings // only its non-empty fields are compared
		retries *int     // compared when set
		// errAt and warnAt name the attribute of the one error or warning
		// expected; detail is a part of its text.
		errAt, warnAt, detail string
	}{
		"defaults": {
			cfg: tokenOnly,
			want: settings{apiURL: defaultAPIURL, token: "tok", authScheme: "auto", linkID: linkIDPartner,
				connectURL: defaultConnectURL},
			retries: ptr(4),
		},
		"environment": {
			cfg: null,
			env: map[string]string{envAPIURL: "http://127.0.0.1:8080", envToken: "tok", envAuthScheme: "BEARER",
				envLinkID: "Sharing_ID", envConnectURL: "http://127.0.0.1:8080/connect", envMaxRetries: "0"},
			want: settings{apiURL: "http://127.0.0.1:8080", token: "tok", authScheme: "Bearer", linkID: linkIDSharing,
				connectURL: "http://127.0.0.1:8080/connect"},
			retries: ptr(0),
		},
		"configuration wins and says so": {
			cfg: with(func(m *providerModel) {
				m.Token = types.StringValue("tok")
				m.APIURL = types.StringValue("https://api.albato.com")
				m.AuthScheme = types.StringValue("basic")
				m.MaxRetries = types.Int64Value(7)
			}),
			env: map[string]string{envAPIURL: "http://127.0.0.1:8080", envAuthScheme: "bearer", envMaxRetries: "1"},
			want: settings{apiURL: "https://api.albato.com", authScheme: "Basic",
				apiURLOrigin: `"api_url" from the provider configuration, which wins over ALBATO_API_URL="http://127.0.0.1:8080"`},
			retries: ptr(7),
		},
		"missing token": {
			cfg: null, errAt: "token", detail: envToken,
		},
		"blank token": {
			cfg: with(func(m *providerModel) { m.Token = types.StringValue("  ") }), errAt: "token", detail: envToken,
		},
		"an overridden variable is shown without its secrets": {
			cfg: with(func(m *providerModel) {
				m.Token = types.StringValue("t")
				m.APIURL = types.StringValue("https://api.albato.com")
			}),
			env:  map[string]string{envAPIURL: "http://user:secret@127.0.0.1:8080/api?token=secret#secret"},
			want: settings{apiURLOrigin: `"api_url" from the provider configuration, which wins over ALBATO_API_URL="http://127.0.0.1:8080/api"`},
		},
		"api_url with credentials": {
			cfg: with(func(m *providerModel) {
				m.Token = types.StringValue("t")
				m.APIURL = types.StringValue("https://u:p@api.albato.com")
			}),
			errAt: providerBlock, detail: `(credentials not shown)`,
		},
		"api_url with a query, from the environment": {
			cfg: tokenOnly, env: map[string]string{envAPIURL: "https://api.albato.com/?x=1"},
			errAt: providerBlock, detail: "(ALBATO_API_URL) is not usable: API base URL must not have a query",
		},
		"connect_url not http": {
			cfg: tokenOnly, env: map[string]string{envConnectURL: "ftp://x"}, errAt: "connect_url", detail: envConnectURL,
		},
		"auth_scheme from the environment": {
			cfg: tokenOnly, env: map[string]string{envAuthScheme: "Digest"}, errAt: "auth_scheme", detail: envAuthScheme,
		},
		"link_id from the environment": {
			cfg: tokenOnly, env: map[string]string{envLinkID: "id"}, errAt: "link_id", detail: envLinkID,
		},
		"max_retries from the environment": {
			cfg: tokenOnly, env: map[string]string{envMaxRetries: "-1"}, errAt: "max_retries", detail: envMaxRetries,
		},
		"unknown arguments are no error": {
			cfg: with(func(m *providerModel) {
				m.Token = types.StringUnknown()
				m.APIURL = types.StringUnknown()
				m.MaxRetries = types.Int64Unknown()
			}),
			want: settings{unknown: []string{"api_url", "token", "max_retries"}},
		},
		"sandbox API with Albato's connect page": {
			cfg: tokenOnly, env: map[string]string{envAPIURL: "http://127.0.0.1:8080"},
			warnAt: "connect_url", detail: "set \"connect_url\" (or ALBATO_CONNECT_URL)",
		},
		"sandbox API with its own connect page": {
			cfg:  tokenOnly,
			env:  map[string]string{envAPIURL: "http://127.0.0.1:8080", envConnectURL: "http://127.0.0.1:8080/connect"},
			want: settings{apiURL: "http://127.0.0.1:8080"},
		},
		"Albato's API with a white-label connect page": {
			cfg:  tokenOnly,
			env:  map[string]string{envConnectURL: " https://connect.example.com/brand/acme\n"},
			want: settings{connectURL: "https://connect.example.com/brand/acme"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := resolveSettings(c.cfg, func(k string) string { return c.env[k] })
			checkOneDiag(t, diags, diag.SeverityError, c.errAt, c.detail)
			checkOneDiag(t, diags, diag.SeverityWarning, c.warnAt, c.detail)
			if c.errAt != "" {
				return
			}
			for _, f := range []struct {
				name      string
				got, want any
				set       bool
			}{
				{"apiURL", got.apiURL, c.want.apiURL, c.want.apiURL != ""},
				{"token", got.token, c.want.token, c.want.token != ""},
				{"authScheme", got.authScheme, c.want.authScheme, c.want.authScheme != ""},
				{"linkID", got.linkID, c.want.linkID, c.want.linkID != ""},
				{"connectURL", got.connectURL, c.want.connectURL, c.want.connectURL != ""},
				{"maxRetries", got.maxRetries, deref(c.retries), c.retries != nil},
				{"apiURLOrigin", got.apiURLOrigin, c.want.apiURLOrigin, c.want.apiURLOrigin != ""},
				{"unknown", strings.Join(got.unknown, ","), strings.Join(c.want.unknown, ","), true},
			} {
				if f.set && f.got != f.want {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
		})
	}
}

// providerBlock stands for no attribute in checkOneDiag: the diagnostic is
// against the provider block.
const providerBlock = "(the provider block)"

// checkOneDiag asserts that diags hold exactly one diagnostic of severity,
// against attribute at, whose text contains detail; none when at is "".
func checkOneDiag(t *testing.T, diags diag.Diagnostics, severity diag.Severity, at, detail string) {
	t.Helper()
	var found []diag.Diagnostic
	for _, d := range diags {
		if d.Severity() == severity {
			found = append(found, d)
		}
	}
	if at == "" {
		if len(found) > 0 {
			t.Fatalf("unexpected %s: %s: %s", severity, found[0].Summary(), found[0].Detail())
		}
		return
	}
	if len(found) != 1 {
		t.Fatalf("got %d diagnostics of severity %s, want 1: %v", len(found), severity, diags)
	}
	d, ok := found[0].(diag.DiagnosticWithPath)
	if at == providerBlock && ok || at != providerBlock && (!ok || d.Path().String() != at) {
		t.Errorf("%s is not against attribute %q: %v", severity, at, found[0])
	}
	if !strings.Contains(found[0].Detail(), detail) {
		t.Errorf("%s detail %q does not contain %q", severity, found[0].Detail(), detail)
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// A failure to reach the API names where its URL came from, and the
// environment variable that the configuration overrode: the stumble of a
// copied example over a sandbox's ALBATO_API_URL.
func TestAPIErrorDetailNamesWhereTheURLCameFrom(t *testing.T) {
	t.Parallel()
	cfg := providerModel{
		APIURL: types.StringValue("https://api.albato.com"), Token: types.StringValue("tok"),
		AuthScheme: types.StringNull(), LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
	}
	s, diags := resolveSettings(cfg, func(k string) string {
		return map[string]string{envAPIURL: "http://127.0.0.1:8080"}[k]
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	pd := &providerData{settings: settings{apiURLOrigin: s.apiURLOrigin}}
	got := pd.apiErrorDetail("read connection link 61", errors.New("dial tcp: lookup api.albato.com: no such host"))
	for _, want := range []string{`"api_url" from the provider configuration`, `wins over ALBATO_API_URL="http://127.0.0.1:8080"`} {
		if !strings.Contains(got, want) {
			t.Errorf("detail %q does not say %q", got, want)
		}
	}
}

// No diagnostic of the settings shows the userinfo, query or fragment of a
// URL, wherever the URL came from and whether it is refused or only warned
// about; nor does one point at the line that holds it, which Terraform
// would print.
func TestSettingsDiagnosticsHideURLSecrets(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-51"
	model := func(api, connect string) providerModel {
		m := providerModel{
			APIURL: types.StringNull(), Token: types.StringValue("tok"), AuthScheme: types.StringNull(),
			LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
		}
		if api != "" {
			m.APIURL = types.StringValue(api)
		}
		if connect != "" {
			m.ConnectURL = types.StringValue(connect)
		}
		return m
	}
	cases := []struct {
		cfg providerModel
		env map[string]string
	}{
		{cfg: model("https://api.example/?api_key="+secret, "")},
		{cfg: model("https://u:"+secret+"@api.example/", "")},
		{cfg: model("https://api.example/#"+secret, "")},
		{cfg: model("", ""), env: map[string]string{envAPIURL: "http://u:" + secret + "@127.0.0.1:8080/?k=" + secret}},
		{cfg: model("", "ftp://u:"+secret+"@connect.example/?k="+secret)},
		{cfg: model("", "https://connect.example:"+secret+"/")},
		{cfg: model("", ""), env: map[string]string{envConnectURL: "connect.example/?k=" + secret}},
		// A warning: another API with Albato's connect page.
		{cfg: model("http://127.0.0.1:8080/", "https://u:"+secret+"@connect.integrations-hub.com/?k="+secret)},
	}
	for i, c := range cases {
		_, diags := resolveSettings(c.cfg, func(k string) string { return c.env[k] })
		if len(diags) == 0 {
			t.Errorf("case %d: no diagnostic", i)
		}
		for _, d := range diags {
			if text := d.Summary() + d.Detail(); strings.Contains(text, "SECRET") {
				t.Errorf("case %d: %q shows the secret", i, text)
			}
			if p, ok := d.(diag.DiagnosticWithPath); ok {
				t.Errorf("case %d: %q points at %s, whose line Terraform would print", i, d.Summary(), p.Path())
			}
		}
	}
}

// An unknown host fails naming the host and where the API URL came from:
// the provider block, the environment or the default.
func TestUnknownHostDetail(t *testing.T) {
	t.Parallel()
	null := providerModel{
		APIURL: types.StringNull(), Token: types.StringValue("tok"), AuthScheme: types.StringNull(),
		LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
	}
	inBlock := null
	inBlock.APIURL = types.StringValue("https://api.typo.example")
	for _, c := range []struct {
		cfg    providerModel
		env    map[string]string
		origin string
	}{
		{null, nil, `the default of "api_url" (set it, or ALBATO_API_URL)`},
		{null, map[string]string{envAPIURL: "https://api.typo.example"}, "comes from ALBATO_API_URL:"},
		{inBlock, nil, `"api_url" in the provider configuration`},
	} {
		s, diags := resolveSettings(c.cfg, func(k string) string { return c.env[k] })
		if diags.HasError() {
			t.Fatal(diags)
		}
		pd := &providerData{settings: settings{apiURLOrigin: s.apiURLOrigin}}
		err := fmt.Errorf("read sharing: %w", &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "api.typo.example", IsNotFound: true}})
		got := pd.apiErrorDetail("read connection link 61", err)
		for _, want := range []string{`the host "api.typo.example" is unknown`, "nothing was retried", c.origin} {
			if !strings.Contains(got, want) {
				t.Errorf("detail %q does not say %q", got, want)
			}
		}
	}
}

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
			want: `(?s)api_url.*has\s+no\s+scheme:\s+use\s+"https://`,
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
			want:     `(?s)"connect_url" is not usable: connect URL must be an absolute http or https\s+URL, got "ftp://connect.example/"`,
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

// connectSource sets a connect URL through the argument or the environment.
type connectSource struct {
	name  string // what a diagnostic must name
	apply func(raw string) (providerModel, map[string]string)
}

var connectSources = []connectSource{
	{`"connect_url" in the provider configuration`, func(raw string) (providerModel, map[string]string) {
		m := nullProviderModel()
		m.ConnectURL = types.StringValue(raw)
		return m, nil
	}},
	{envConnectURL, func(raw string) (providerModel, map[string]string) {
		return nullProviderModel(), map[string]string{envConnectURL: raw}
	}},
}

func nullProviderModel() providerModel {
	return providerModel{
		APIURL: types.StringNull(), Token: types.StringValue("tok"), AuthScheme: types.StringNull(),
		LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
	}
}

// TestConnectURLSpace: every connect URL is trimmed once and used as that
// one value, or refused naming where it came from. The whole cross product
// of white space around it (none, space, tab, newline, CRLF, mixed) on each
// side, a body (plain, white space inside, a query, an empty query, a
// fragment) and both sources.
func TestConnectURLSpace(t *testing.T) {
	t.Parallel()
	const plain = "https://connect.example.com/connect"
	around := []string{"", " ", "\t", "\n", "\r\n", " \n\t "}
	bodies := map[string]string{ // body -> what the refusal says; "" for accepted
		plain:                                   "",
		"https://connect.example.com/con nect":  "must not contain white space",
		"https://connect.example.com/con\tnect": "not a URL",
		"https://connect.example.com/con\nnect": "not a URL",
		plain + "?id=5&token=old":               "must not have a query",
		plain + "?":                             "must not have a query",
		plain + "#top":                          "must not have a fragment",
		plain + "?brand=acme#top":               "must not have a fragment",
	}
	for _, src := range connectSources {
		for body, refusal := range bodies {
			for _, before := range around {
				for _, after := range around {
					raw := before + body + after
					cfg, env := src.apply(raw)
					got, diags := resolveSettings(cfg, func(k string) string { return env[k] })
					if refusal == "" {
						if diags.HasError() || got.connectURL != plain {
							t.Errorf("%s = %q: connectURL %q, %v; want %q", src.name, raw, got.connectURL, diags, plain)
						}
						continue
					}
					if !diags.HasError() {
						t.Errorf("%s = %q accepted as %q, want it refused (%s)", src.name, raw, got.connectURL, refusal)
						continue
					}
					detail := diags.Errors()[0].Detail()
					if !strings.Contains(detail, refusal) || !strings.Contains(detail, src.name) {
						t.Errorf("%s = %q: %q, want it to say %q and name %s", src.name, raw, detail, refusal, src.name)
					}
				}
			}
		}
	}
}

// FuzzConnectURL holds one property: no connect URL the provider accepts,
// from either source, yields a link with white space in it or with other
// than exactly one id and one token, its own.
func FuzzConnectURL(f *testing.F) {
	for _, seed := range []string{
		"https://c.example/connect", " https://c.example/connect\n", "https://c.example/con nect",
		"https://c.example/connect?id=5&token=old", "https://c.example/connect?", "https://c.example/#x",
		"https://c.example/connect\u00a0", "https://c.example/connect\u2028", "http://a&", "https://c.example/a?b#c",
		"https://c.example/%20", "https://c.example/;id=5", "https://c.example/connect&id=5",
	} {
		f.Add(seed, false, "a+b c&token=x")
		f.Add(seed, true, "tok")
	}
	f.Fuzz(func(t *testing.T, raw string, fromEnv bool, token string) {
		src := connectSources[0]
		if fromEnv {
			src = connectSources[1]
		}
		cfg, env := src.apply(raw)
		s, diags := resolveSettings(cfg, func(k string) string { return env[k] })
		if diags.HasError() {
			return
		}
		pd := &providerData{settings: s}
		for _, linkID := range []string{linkIDPartner, linkIDSharing} {
			pd.linkID = linkID
			link := pd.linkOf(&albato.Sharing{ID: 61, PartnerID: 225, Token: token})
			if strings.ContainsFunc(link, unicode.IsSpace) {
				t.Fatalf("%s = %q gives a link with white space: %q", src.name, raw, link)
			}
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("%s = %q gives a link that does not parse: %v", src.name, raw, err)
			}
			q, wantID := u.Query(), strconv.Itoa(225)
			if linkID == linkIDSharing {
				wantID = "61"
			}
			if len(q) != 2 || len(q["id"]) != 1 || q.Get("id") != wantID || len(q["token"]) != 1 || q.Get("token") != token {
				t.Fatalf("%s = %q gives a link whose query is %v, want one id %s and one token", src.name, raw, q, wantID)
			}
		}
	})
}
