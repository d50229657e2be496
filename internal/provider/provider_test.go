package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clock"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

const testToken = "test-api-token-0123456789"

// testStart is the fake clock's start; any fixed instant works.
var testStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testEnv is one acceptance test's world: a fake clock shared by the
// provider and an in-process sandbox, and a record of what the API saw.
type testEnv struct {
	t       *testing.T
	clock   *clock.Fake
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
	e := &testEnv{t: t, clock: clock.NewFake(testStart)}
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

func (e *testEnv) lastHeaders() http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.headers) == 0 {
		return nil
	}
	return e.headers[len(e.headers)-1]
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

// sandboxFault answers the next n API requests of method with status.
func sandboxFault(method string, status, n int) sandbox.Fault {
	return sandbox.Fault{Method: method, Status: status, Times: n}
}

// sandboxFaultBody answers the next n API requests of method with status
// and a raw body.
func sandboxFaultBody(method string, status int, body string, n int) sandbox.Fault {
	return sandbox.Fault{Method: method, Status: status, Body: body, Times: n}
}

// deadline fails the test binary, naming the test and what did not stop,
// when the test still runs after d: a wait or a paging loop that never ends
// fails in seconds, not at the package's timeout. Acceptance tests cannot
// be stopped from outside, so it panics.
func deadline(t *testing.T, d time.Duration, what string) {
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: %s did not stop within %s", t.Name(), what, d)) })
	t.Cleanup(func() { timer.Stop() })
}
