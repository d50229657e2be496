package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The test helpers that the tests of several Terraform types (or of a type
// and a suite that spans types) share: the test world (testEnv), link
// addresses, request counting, the token watch and the helpers that act on
// the sandbox as another API user. A helper only one file uses lives there.

const testToken = "test-api-token-0123456789"

// testStart is the fake clock's start; any fixed instant works.
var testStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testEnv is one acceptance test's world: a fake clock shared by the
// provider and an in-process sandbox, and a record of what the API saw.
type testEnv struct {
	t       *testing.T
	clock   *clocktest.Fake
	sandbox *sandbox.Server
	server  *httptest.Server

	// clientTweak, when set, adjusts the client configuration after the
	// test defaults (short retry waits).
	clientTweak func(*albato.Config)
	// providerOptions are added to the test defaults.
	providerOptions []Option

	mu      sync.Mutex
	headers []http.Header
	hooks   []requestHook
}

// newTestEnv starts a sandbox (page size 2, so that listing always pages)
// and serves it until the test ends.
func newTestEnv(t *testing.T, opts ...func(*sandbox.Options)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, clock: clocktest.NewFake(testStart)}
	o := sandbox.Options{Token: testToken, PageSize: 2, MaxPerPage: 2, Clock: e.clock}
	for _, f := range opts {
		f(&o)
	}
	sb, err := sandbox.New(o)
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	e.sandbox = sb
	e.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.headers = append(e.headers, r.Header.Clone())
		var run []func()
		kept := e.hooks[:0]
		for _, h := range e.hooks {
			if h.method == r.Method {
				h.n--
			}
			if h.method == r.Method && h.n == 0 {
				run = append(run, h.f)
				continue
			}
			kept = append(kept, h)
		}
		e.hooks = kept
		e.mu.Unlock()
		for _, f := range run {
			f()
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(e.server.Close)
	return e
}

// requestHook runs f just before the n-th next API request of method.
type requestHook struct {
	method string
	n      int
	f      func()
}

// before arranges for f to run just before the API's n-th next request of
// the given method: how a test acts as the end user between plan and apply.
func (e *testEnv) before(method string, n int, f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hooks = append(e.hooks, requestHook{method: method, n: n, f: f})
}

// factories serves the provider in-process with the test's clock and short
// retry waits.
func (e *testEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"albato": providerserver.NewProtocol6WithError(New("test", append([]Option{
			WithClock(e.clock),
			WithPollInterval(20*time.Millisecond, 200*time.Millisecond),
			WithClientConfig(func(c *albato.Config) {
				c.RetryWaitMin = time.Millisecond
				c.RetryWaitMax = 5 * time.Millisecond
				c.MaxRetryAfter = 10 * time.Millisecond
				if e.clientTweak != nil {
					e.clientTweak(c)
				}
			}),
		}, e.providerOptions...)...)()),
	}
}

// connectURL is where the sandbox serves the end user's connect page.
func (e *testEnv) connectURL() string { return e.server.URL + "/connect" }

// configured is what a configured provider hands its types, talking to the
// sandbox with fast retries, for tests that call a type's methods directly;
// a test that waits sets the pauses between reads.
func (e *testEnv) configured(t *testing.T) *providerData {
	t.Helper()
	c, err := albato.New(albato.Config{BaseURL: e.server.URL, Token: testToken, AuthScheme: "Bearer", RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &providerData{client: c, reads: &sharingReader{client: c}, now: e.clock.Now,
		settings: settings{connectURL: e.connectURL(), linkID: linkIDPartner}}
}

// providerConfig configures the provider against the sandbox; extra lines go
// inside the provider block.
func (e *testEnv) providerConfig(extra ...string) string {
	body := fmt.Sprintf("  api_url     = %q\n  token       = %q\n  connect_url = %q\n", e.server.URL, testToken, e.connectURL())
	for _, x := range extra {
		body += "  " + x + "\n"
	}
	return "provider \"albato\" {\n" + body + "}\n"
}

// requests renders the API requests seen so far as "METHOD path" lines.
func (e *testEnv) requests() []string {
	var out []string
	for _, r := range e.sandbox.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// checkCount asserts how many API requests of a method the sandbox saw.
func (e *testEnv) checkCount(method string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := e.sandbox.Count(method); got != want {
			return fmt.Errorf("sandbox saw %d %s requests, want %d; requests: %v", got, method, want, e.requests())
		}
		return nil
	}
}

// stateID reads the id of a resource from the state, for steps that act on
// the sandbox record behind it.
func stateID(s *terraform.State, name string) (int64, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return 0, fmt.Errorf("%s not in state", name)
	}
	return strconv.ParseInt(rs.Primary.ID, 10, 64)
}

// onlySharing returns the single sharing the sandbox holds.
func (e *testEnv) onlySharing() sandbox.Sharing {
	e.t.Helper()
	all := e.sandbox.Sharings()
	if len(all) != 1 {
		e.t.Fatalf("sandbox holds %d sharings, want 1", len(all))
	}
	return all[0]
}

// sandboxFaultBody answers the next n API requests of method with status
// and a raw body.
func sandboxFaultBody(method string, status int, body string, n int) sandbox.Fault {
	return sandbox.Fault{Method: method, Status: status, Body: body, Times: n}
}

const linkAddr = "albato_connection_link.test"

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

const dataLinkAddr = "data.albato_connection_link.test"

// regeneratedJustBeforeItsDate creates link id, moves the clock to 5 s
// before its date_created says it expires and regenerates it through the
// API, which moves dateCreated or keeps it, as moves says.
func (e *testEnv) regeneratedJustBeforeItsDate(t *testing.T, id int64, moves bool) {
	t.Helper()
	set := e.sandbox.Settings()
	set.RegenerateMovesDate = moves
	if err := e.sandbox.SetSettings(set); err != nil {
		t.Fatal(err)
	}
	e.createSharing(t, 225, "regenerated outside")
	e.clock.Advance(48*time.Hour - 5*time.Second)
	if err := e.regenerateThroughAPI(id); err != nil {
		t.Fatal(err)
	}
	sh, _ := e.sandbox.Sharing(id)
	if moved := sh.DateCreated.Equal(e.clock.Now()); moved != moves {
		t.Fatalf("dateCreated %s after the PUT at %s: moved %v, want %v", sh.DateCreated, e.clock.Now(), moved, moves)
	}
}

// triggered is a terraform_data whose creation invokes the named action:
// how an action runs inside a terraform apply.
func triggered(name, actionAddr string) string {
	return fmt.Sprintf(`
resource "terraform_data" %[1]q {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [%[2]s]
    }
  }
}
`, name, actionAddr)
}

// needsTerraform114 skips a test of a list resource or an action on a CLI
// that has neither, saying so: Terraform before 1.14, and OpenTofu 1.12
// (whose version is below 1.14 too).
var needsTerraform114 = []tfversion.TerraformVersionCheck{terraform114Check{}}

type terraform114Check struct{}

func (terraform114Check) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if req.TerraformVersion.Core().LessThan(tfversion.Version1_14_0) {
		resp.Skip = fmt.Sprintf("list resources (terraform query) and actions need Terraform 1.14 or later; this CLI is %s "+
			"(OpenTofu 1.12 has neither)", req.TerraformVersion)
	}
}

// seed creates a link in the sandbox as Albato's UI or a script would,
// outside Terraform, and returns its id.
func (e *testEnv) seed(partnerID int64, title string) int64 {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"partnerId": partnerID, "title": title})
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, sharingsPath, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.sandbox.ServeHTTP(rec, req)
	var created struct {
		Data struct{ ID int64 } `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.Data.ID == 0 {
		e.t.Fatalf("seeding %q: HTTP %d %s", title, rec.Code, rec.Body.String())
	}
	return created.Data.ID
}

// serveProvider serves srv as loadServe does. srv must implement every
// optional interface the CLI uses (list resources, actions): a wrapper that
// embeds only tfprotov6.ProviderServer hides them.
func serveProvider(t *testing.T, srv tfprotov6.ProviderServer, f func(tfexec.ReattachInfo) error) error {
	t.Helper()
	address := loadProviderAddress()
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := tf6server.Serve(address,
			func() tfprotov6.ProviderServer { return srv },
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// Provider logs go to the test's log, at the level TF_LOG asks
			// for (none by default), not to stderr at TRACE.
			tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	defer func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
			t.Error("the provider server did not stop")
		}
		wg.Wait()
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattachCh:
	case <-time.After(10 * time.Second):
		return errors.New("timed out waiting for the provider's reattach config")
	}
	if cfg == nil {
		return errors.New("no reattach config")
	}
	return f(tfexec.ReattachInfo{
		address: tfexec.ReattachConfig{
			Protocol:        string(cfg.Protocol),
			ProtocolVersion: cfg.ProtocolVersion,
			Pid:             cfg.Pid,
			Test:            cfg.Test,
			Addr:            tfexec.ReattachConfigAddr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
		},
	})
}

// loadProviderAddress is the provider's source address for the CLI under
// test: the implied "albato" provider lives on the CLI's default registry.
func loadProviderAddress() string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	return host + "/hashicorp/albato"
}

// authorizationFor is an Authorization header the sandbox accepts under
// scheme: what the test sends when it acts as another API user.
func authorizationFor(scheme sandbox.AuthScheme, token string) string {
	switch scheme {
	case sandbox.AuthBasicRaw:
		return "Basic " + token
	case sandbox.AuthBasic:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(token+":"))
	}
	return "Bearer " + token
}

// withLinkID is link with its id parameter replaced.
func withLinkID(link string, id int64) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("id", strconv.FormatInt(id, 10))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// attrs returns the state attributes of a resource.
func attrs(s *terraform.State, addr string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok || rs.Primary == nil {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.Attributes, nil
}

// linkFromState reads the link handed out to the end user from the state,
// and checks that it points at the sandbox's connect page.
func (e *testEnv) linkFromState(s *terraform.State, addr string) (string, error) {
	a, err := attrs(s, addr)
	if err != nil {
		return "", err
	}
	link := a["link"]
	if !strings.HasPrefix(link, e.connectURL()+"?") {
		return "", fmt.Errorf("%s.link = %q, want a link to %s", addr, link, e.connectURL())
	}
	return link, nil
}

// expectGranted checks that the state shows the link granted with the
// credential that the sandbox created.
func (e *testEnv) expectGranted(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		sh, ok := e.sandbox.Sharing(id)
		if !ok || sh.Status != 1 || sh.CredentialID == nil {
			return fmt.Errorf("the sandbox does not hold sharing %d as granted: %+v", id, sh)
		}
		return resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(addr, "status", "1"),
			resource.TestCheckResourceAttr(addr, "status_name", "granted"),
			resource.TestCheckResourceAttr(addr, "credential_id", fmt.Sprint(*sh.CredentialID)),
			resource.TestCheckResourceAttr(addr, "expired", "false"),
		)(s)
	}
}

// The API requests each operation sends, counted on the sandbox: what
// DESIGN.md promises and what `make bench` turns into its network floor.
// Each test manages requestsN links at once, so that a request too many per
// link shows as a multiple.
//
// How terraform-plugin-testing runs a config step: a plan (with refresh,
// unless AdditionalCLIOptions.Plan.NoRefresh), the apply of that plan,
// Check, then a plan with -refresh=false and a plan with refresh. Its
// destroy at the end runs with -refresh=false.

const requestsN = 5

const sharingsPath = "/credentials/grant-access-sharing"

// requestsConfig is requestsN links; extra lines go inside the resource.
func requestsConfig(e *testEnv, n int, extra ...string) string {
	body := fmt.Sprintf("  count      = %d\n  partner_id = 225\n  title      = \"link ${count.index}\"\n", n)
	for _, x := range extra {
		body += "  " + x + "\n"
	}
	return e.providerConfig() + "\nresource \"albato_connection_link\" \"n\" {\n" + body + "}\n"
}

// expectRequests checks that the sandbox saw exactly want (method -> count)
// since its log was last emptied, and nothing else.
func (e *testEnv) expectRequests(what string, want map[string]int) error {
	got := map[string]int{}
	for _, r := range e.sandbox.Requests() {
		got[r.Method]++
	}
	if !maps.Equal(got, want) {
		return fmt.Errorf("%s sent %v, want exactly %v; requests: %v", what, got, want, e.requests())
	}
	return nil
}

// perLink groups the logged requests to single links by link id, as
// "METHOD" sequences in arrival order; requests to the collection (create,
// list) are under 0.
func (e *testEnv) perLink() map[int64][]string {
	out := map[int64][]string{}
	for _, r := range e.sandbox.Requests() {
		var id int64
		if rest, ok := strings.CutPrefix(r.Path, sharingsPath+"/"); ok {
			if _, err := fmt.Sscan(rest, &id); err != nil {
				id = -1
			}
		}
		out[id] = append(out[id], r.Method)
	}
	return out
}

// linkIDs are the ids of the links in a state.
func linkIDs(s *terraform.State) []int64 {
	var ids []int64
	for addr := range s.RootModule().Resources {
		if strings.HasPrefix(addr, "albato_connection_link.") {
			id, err := stateID(s, addr)
			if err == nil {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// createSharing makes a link in the sandbox through its API, as another
// client of the account would.
func (e *testEnv) createSharing(t *testing.T, partnerID int, title string) {
	t.Helper()
	body := strings.NewReader(fmt.Sprintf(`{"partnerId":%d,"title":%q}`, partnerID, title))
	req, err := http.NewRequest(http.MethodPost, e.server.URL+"/credentials/grant-access-sharing", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Basic "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("creating a sharing: HTTP %d", resp.StatusCode)
	}
}

// regenerateThroughAPI regenerates a link's token as another API user would.
func (e *testEnv) regenerateThroughAPI(id int64) error { return e.throughAPI(http.MethodPut, id) }

// deleteThroughAPI deletes a link as another API user would: revoked, or
// gone (404) on a sandbox started with NotFoundAfterDelete.
func (e *testEnv) deleteThroughAPI(id int64) error { return e.throughAPI(http.MethodDelete, id) }

// throughAPI sends method to a link's path as another API user would.
func (e *testEnv) throughAPI(method string, id int64) error {
	req, err := http.NewRequest(method, fmt.Sprintf("%s%s/%d", e.server.URL, sharingsPath, id), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", authorizationFor(e.sandbox.Settings().AuthScheme, testToken))
	resp, err := e.server.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s of link %d through the API: HTTP %d", method, id, resp.StatusCode)
	}
	return nil
}

// tokenWatch remembers every token the sandbox ever issued in a test, so
// that a check can prove none of them reached a state or a plan.
type tokenWatch struct {
	e    *testEnv
	mu   sync.Mutex
	seen map[string]bool
}

func newTokenWatch(e *testEnv) *tokenWatch { return &tokenWatch{e: e, seen: map[string]bool{}} }

// findIn adds the sandbox's current tokens to those seen and reports the
// first seen token that occurs in v rendered as JSON (none can before the
// sandbox issued one).
func (w *tokenWatch) findIn(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, sh := range w.e.sandbox.Sharings() {
		w.seen[sh.Token] = true
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for token := range w.seen {
		if bytes.Contains(raw, []byte(token)) {
			return fmt.Errorf("a link token the sandbox issued is in the JSON (%d bytes)", len(raw))
		}
	}
	return nil
}

// absentFromState fails when any issued token is in the state.
func (w *tokenWatch) absentFromState() statecheck.StateCheck { return tokensAbsentFromState{w} }

// absentFromPlan fails when any issued token is in the plan (prior state,
// planned values and changes).
func (w *tokenWatch) absentFromPlan() plancheck.PlanCheck { return tokensAbsentFromPlan{w} }

type tokensAbsentFromState struct{ w *tokenWatch }

func (c tokensAbsentFromState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := c.w.findIn(req.State); err != nil {
		resp.Error = fmt.Errorf("state: %w", err)
	}
}

type tokensAbsentFromPlan struct{ w *tokenWatch }

func (c tokensAbsentFromPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if err := c.w.findIn(req.Plan); err != nil {
		resp.Error = fmt.Errorf("plan: %w", err)
	}
}

// The checks must be able to fail: a state that holds the token is caught.
func TestTokenWatchFindsToken(t *testing.T) {
	e := newTestEnv(t)
	e.createSharing(t, 225, "watched")
	w := newTokenWatch(e)
	token := e.onlySharing().Token
	if err := w.findIn(map[string]any{"values": map[string]string{"token": token}}); err == nil {
		t.Error("a JSON document holding the token passed")
	}
	if err := w.findIn(map[string]any{"values": map[string]any{"token": nil, "id": "61"}}); err != nil {
		t.Errorf("a JSON document without the token failed: %v", err)
	}
}

// tokenOfOnlySharing matches the current token of the sandbox's only link.
func tokenOfOnlySharing(e *testEnv) knownvalue.Check {
	return knownValueFunc{desc: "the sandbox's current token", f: func(v any) error {
		if s, ok := v.(string); !ok || s != e.onlySharing().Token || s == "" {
			return fmt.Errorf("not the sandbox's current token")
		}
		return nil
	}}
}

type knownValueFunc struct {
	desc string
	f    func(any) error
}

func (k knownValueFunc) CheckValue(v any) error { return k.f(v) }

func (k knownValueFunc) String() string { return k.desc }

// repoRoot is the repository, relative to this package.
const repoRoot = "../.."

// deadline fails the test binary, naming the test and what did not stop,
// when the test still runs after d: a wait or a paging loop that never ends
// fails in seconds, not at the package's timeout. Acceptance tests cannot
// be stopped from outside, so it panics. The clock starts before a
// parallel test is let run, so d allows for the queue.
func deadline(t *testing.T, d time.Duration, what string) {
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: %s did not stop within %s", t.Name(), what, d)) })
	t.Cleanup(func() { timer.Stop() })
}

// WithClock makes the provider judge expiry by c instead of the wall clock.
func WithClock(c *clocktest.Fake) Option { return func(p *AlbatoProvider) { p.now = c.Now } }

// WithClientConfig lets f adjust the API client's configuration.
func WithClientConfig(f func(*albato.Config)) Option {
	return func(p *AlbatoProvider) { p.clientOptions = f }
}

// WithGetForEachRefresh makes every refresh GET its link, never serving it from a listing.
func WithGetForEachRefresh() Option { return func(p *AlbatoProvider) { p.readerPages = -1 } }

// WithPollInterval sets the first and the longest pause of a wait.
func WithPollInterval(first, longest time.Duration) Option {
	return func(p *AlbatoProvider) { p.pollMin, p.pollMax = first, longest }
}

// testAccConnectionLinkConfig is one link for partner 225 with the given
// title; extra lines go inside the resource block.
func testAccConnectionLinkConfig(e *testEnv, title string, extra ...string) string {
	body := fmt.Sprintf("  partner_id = 225\n  title      = %q\n", title)
	for _, x := range extra {
		body += "  " + x + "\n"
	}
	return e.providerConfig() + "\nresource \"albato_connection_link\" \"test\" {\n" + body + "}\n"
}

// expectKnown asserts that a planned attribute is known, whatever its value.
func expectKnown(addr, attr string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.NotNull())
}

// planRequest is the ModifyPlan request Terraform sends for prior and
// planned, and a response that keeps the plan.
func planRequest(t *testing.T, prior, planned connectionLinkResourceModel) (fwresource.ModifyPlanRequest, *fwresource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	var sr fwresource.SchemaResponse
	(&connectionLinkResource{}).Schema(ctx, fwresource.SchemaRequest{}, &sr)
	empty := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)

	state := tfsdk.State{Schema: sr.Schema, Raw: empty}
	if d := state.Set(ctx, &prior); d.HasError() {
		t.Fatalf("state: %v", d)
	}
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: empty}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatalf("plan: %v", d)
	}
	return fwresource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}},
		&fwresource.ModifyPlanResponse{Plan: plan}
}

func grantedModel() connectionLinkResourceModel {
	m := connectionLinkResourceModel{
		linkView: linkView{
			ID: types.StringValue("61"), PartnerID: types.Int64Value(225), Title: types.StringValue("CRM"),
			Token: types.StringValue("tok"), Link: types.StringValue("https://c?id=225&token=tok"),
			Status: types.Int64Value(1), StatusName: types.StringValue("granted"), CredentialID: types.Int64Value(248),
			DateCreated: types.StringValue("2026-01-01T00:00:00Z"), ExpiresAt: types.StringValue("2026-01-03T00:00:00Z"),
			Expired: types.BoolValue(false),
		},
		RegenerateTriggers:    types.MapNull(types.StringType),
		RegenerateWhenExpired: types.BoolValue(true),
		RegenerateBefore:      types.StringValue("0s"),
	}
	return m
}

// The plan is a promise: the harness plans to a saved plan file, runs the
// PreApply checks, then applies that file, and Terraform plans each changed
// resource again at apply. A PreApply check that moves the clocks is a
// "plan -out, wait, apply the plan".

// atPlanCheck runs f between the plan and its apply.
type atPlanCheck func()

func (f atPlanCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// configuredServer returns the provider's protocol server, configured
// against the test's sandbox, as Terraform would have it before an apply.
func (e *testEnv) configuredServer(t *testing.T, extra map[string]tftypes.Value) tfprotov6.ProviderServer {
	t.Helper()
	srv := e.factories()["albato"]
	server, err := srv()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType()
	vals := map[string]tftypes.Value{
		"api_url":     tftypes.NewValue(tftypes.String, e.server.URL),
		"token":       tftypes.NewValue(tftypes.String, testToken),
		"auth_scheme": tftypes.NewValue(tftypes.String, nil),
		"link_id":     tftypes.NewValue(tftypes.String, nil),
		"connect_url": tftypes.NewValue(tftypes.String, e.connectURL()),
		"max_retries": tftypes.NewValue(tftypes.Number, nil),

		"same_account_as": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, nil),
	}
	for k, v := range extra {
		vals[k] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.5.7", Config: &cfg})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return server
}

// noRefresh makes every plan of a test case run with -refresh=false, so
// that a step's requests are those of its apply alone.
var noRefresh = &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}}

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

// linkObjectType is the albato_connection_link resource's object type, as
// server reports it to Terraform.
func linkObjectType(ctx context.Context, t *testing.T, server tfprotov6.ProviderServer) tftypes.Object {
	t.Helper()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.ResourceSchemas["albato_connection_link"].ValueType()
	objType, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("resource type %T", typ)
	}
	return objType
}
