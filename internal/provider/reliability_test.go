package provider

// A suite across types: the fault matrix of every resource operation,
// through the real CLI, the provider, the client and the sandbox.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/reliabilitydoc"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The provider half of the fault matrix (RELIABILITY.md), through the real
// Terraform CLI. Each operation gets one resource.Test in which every fault
// cell is one albato_connection_link of its own title, so that a single
// apply (or refresh) runs every cell of that operation at once, Terraform's
// parallelism included. Faults target a cell by its link's path, or, for a
// create, by the title in the POST body. A recording wrapper around the
// provider server keeps each cell's diagnostics; a recording proxy in front
// of the sandbox counts each cell's requests and times them. After the
// faulted step, a step with the faults cleared refreshes and checks, per
// cell, that the state matches the sandbox: every link in the state exists
// and is not revoked, every live link with a cell's title is in the state
// (nothing orphaned) and none is there twice; its plan must be empty.
//
// The client half, every cell against the client alone, is
// internal/albato/faultmatrix_test.go. A body of 11 MiB is there only: under
// -race reading 10 MiB takes seconds, longer than the short client timeout
// the timeout cells here need, and the provider handles it like every other
// undecodable HTTP 200 answer (empty body, malformed JSON), which are here.

// relOp is one operation of the resource.
type relOp struct {
	name    string // create, read, regenerate, delete
	method  string
	summary string // the error diagnostic's summary
}

var relOps = []relOp{
	{"create", http.MethodPost, "Unable to Create Connection Link"},
	{"read", http.MethodGet, "Unable to Read Connection Link"},
	{"regenerate", http.MethodPut, "Unable to Regenerate Connection Link"},
	{"delete", http.MethodDelete, "Unable to Revoke Connection Link"},
}

// Client settings: Retry-After is honoured up to 150 ms (so that it shows
// against the harness's backoff of at most 5 ms) and a request times out
// after 2 s; the timeout cells' answers take 30 s.
const (
	relMaxRetryAfter = 150 * time.Millisecond
	relTimeout       = 2 * time.Second
	relSlow          = 30 * time.Second
)

// relExpect is what a cell should do to one operation.
type relExpect struct {
	outcome  string // relOutcome of the cell's diagnostics
	requests int    // requests of the operation's method for the cell's link
	live     bool   // the link exists, not revoked, after the faults are gone
	orphans  int    // live links with the cell's title that the state lacks
}

type relCell struct {
	name   string
	fault  sandbox.Fault   // Method, PathPrefix and BodyContains are filled in
	more   []sandbox.Fault // further faults for the same target, in order
	expect func(op relOp) relExpect
	minGap time.Duration // least wait between tries that Retry-After asks for
}

func relOK(n int) relExpect { return relExpect{outcome: "ok", requests: n, live: true} }

// relErr expects the operation's error diagnostic naming what.
func relErr(what string, n int) func(op relOp) relExpect {
	return func(op relOp) relExpect {
		return relExpect{outcome: op.summary + ": " + relWhat(op, what), requests: n, live: op.method != http.MethodPost}
	}
}

// relWhat is how the client names the operation, then what went wrong.
func relWhat(op relOp, what string) string {
	name := map[string]string{"create": "create sharing", "read": "read sharing", "regenerate": "regenerate sharing", "delete": "revoke sharing"}[op.name]
	return name + ": " + what
}

const relAdopted = "ok, warning: Adopted a Connection Link Created Without a Usable Answer"

// relBy expects create of a create and other of the other operations.
func relBy(create, other func(relOp) relExpect) func(relOp) relExpect {
	return func(op relOp) relExpect {
		if op.method == http.MethodPost {
			return create(op)
		}
		return other(op)
	}
}

func relConst(e relExpect) func(relOp) relExpect { return func(relOp) relExpect { return e } }

var relHTML = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

var relErrorShapes = []struct{ name, body, message string }{
	{"message", `{"success":false,"message":"Title is too long"}`, "Title is too long"},
	{"error string", `{"success":false,"error":"Partner is disabled"}`, "Partner is disabled"},
	{"error object", `{"success":false,"error":{"code":"QUOTA","message":"Link quota exceeded"}}`, "Link quota exceeded"},
	{"errors strings", `{"success":false,"errors":["title is required","partnerId is invalid"]}`, "title is required; partnerId is invalid"},
	{"errors objects", `{"success":false,"errors":[{"field":"title","message":"must not be empty"}]}`, "title: must not be empty"},
}

func relCells() []relCell {
	// An hour ahead: far beyond the cap, however late this cell runs.
	httpDate := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	sf := func(status int) string {
		return fmt.Sprintf("HTTP %d: sandbox fault: HTTP %d %s", status, status, http.StatusText(status))
	}
	cells := []relCell{
		{name: "429 ×3, Retry-After in seconds", minGap: relMaxRetryAfter,
			fault: sandbox.Fault{Status: 429, RetryAfter: "1", Times: 3}, expect: relConst(relOK(4))},
		{name: "429 ×3, Retry-After as an HTTP date", minGap: relMaxRetryAfter,
			fault: sandbox.Fault{Status: 429, RetryAfter: httpDate, Times: 3}, expect: relConst(relOK(4))},
		{name: "429 ×3, no Retry-After",
			fault: sandbox.Fault{Status: 429, Times: 3}, expect: relConst(relOK(4))},
		{name: "429 storm (never ends)",
			fault: sandbox.Fault{Status: 429}, expect: relErr(sf(429), 5)},
		// A create answered 5xx may have reached the API: the provider lists
		// the account's links, finds none, sends it once more, looks again
		// after the second 5xx, and reports it.
		{name: "500 ×3", fault: sandbox.Fault{Status: 500, Times: 3},
			expect: relBy(relErr(sf(500), 2), relConst(relOK(4)))},
		{name: "502 ×3", fault: sandbox.Fault{Status: 502, Times: 3},
			expect: relBy(relErr(sf(502), 2), relConst(relOK(4)))},
		{name: "503 ×3", fault: sandbox.Fault{Status: 503, Times: 3},
			expect: relBy(relErr(sf(503), 2), relConst(relOK(4)))},
		{name: "504 ×3", fault: sandbox.Fault{Status: 504, Times: 3},
			expect: relBy(relErr(sf(504), 2), relConst(relOK(4)))},
		{name: "500 storm (never ends)", fault: sandbox.Fault{Status: 500},
			expect: relBy(relErr(sf(500), 2), relErr(sf(500), 5))},
		{name: "connection reset before handling", fault: sandbox.Fault{Drop: true, Times: 1},
			expect: relConst(relOK(2))},
		{name: "connection reset after handling", fault: sandbox.Fault{Drop: true, AfterHandling: true, Times: 1},
			expect: relBy(relConst(relExpect{outcome: relAdopted, requests: 1, live: true}), relConst(relOK(2)))},
		{name: "answer slower than the client timeout", fault: sandbox.Fault{Latency: relSlow, Times: 1},
			expect: relConst(relOK(2))},
		{name: "body slower than the client timeout", fault: sandbox.Fault{SlowBody: relSlow, Times: 1},
			expect: relBy(relConst(relExpect{outcome: relAdopted, requests: 1, live: true}), relConst(relOK(2)))},
		{name: "HTML error page from a proxy (502, persistent)", fault: sandbox.Fault{Status: 502, Body: relHTML},
			expect: relBy(relErr("HTTP 502: unexpected non-JSON response", 2), relErr("HTTP 502: unexpected non-JSON response", 5))},
		// An unreadable answer at HTTP 200 may be a create that worked: the
		// provider looks, finds none, and sends it once more.
		{name: "HTML page at HTTP 200", fault: sandbox.Fault{Status: 200, Body: relHTML, Times: 1},
			expect: relBy(relConst(relOK(2)), relErr("HTTP 200: unexpected non-JSON response", 1))},
		{name: "empty body (HTTP 200)", fault: sandbox.Fault{Status: 200, EmptyBody: true, Times: 1},
			expect: relBy(relConst(relOK(2)), relErr("HTTP 200: empty response body", 1))},
		{name: "truncated JSON (HTTP 200)", fault: sandbox.Fault{Status: 200, Body: `{"success":true,"data":{"id":61,"partnerId":22`, Times: 1},
			expect: relBy(relConst(relOK(2)), relErr("HTTP 200: malformed JSON response", 1))},
		{name: "malformed JSON (HTTP 200)", fault: sandbox.Fault{Status: 200, Body: `{"success":true,,"data":}`, Times: 1},
			expect: relBy(relConst(relOK(2)), relErr("HTTP 200: malformed JSON response", 1))},
		{name: "body cut short under its Content-Length", fault: sandbox.Fault{TruncateAt: 20, Times: 1},
			expect: relBy(relConst(relExpect{outcome: relAdopted, requests: 1, live: true}), relConst(relOK(2)))},
	}
	for _, status := range []int{200, 400, 500} {
		for _, shape := range relErrorShapes {
			what := fmt.Sprintf("HTTP %d: %s", status, shape.message)
			e := relErr(what, 1)
			if status == 500 {
				e = relBy(relErr(what, 2), relErr(what, 5))
			}
			cells = append(cells, relCell{name: fmt.Sprintf("success:false, %s, HTTP %d", shape.name, status),
				fault: sandbox.Fault{Status: status, Body: shape.body}, expect: e})
		}
	}
	return cells
}

// relAfterCreate are create-only cells: the API created the link, then the
// answer went wrong. The provider must find the link and adopt it, with a
// warning: neither orphan it (report a failure while it exists) nor create
// it twice.
func relAfterCreate() []relCell {
	adopted := func(n int) func(relOp) relExpect {
		return relConst(relExpect{outcome: relAdopted, requests: n, live: true})
	}
	return []relCell{
		{name: "500 after the API created the link", fault: sandbox.Fault{Status: 500, AfterHandling: true, Times: 1},
			expect: adopted(1)},
		{name: "503 after the API created the link", fault: sandbox.Fault{Status: 503, AfterHandling: true, Times: 1},
			expect: adopted(1)},
		{name: "empty body after the API created the link", fault: sandbox.Fault{Status: 200, EmptyBody: true, AfterHandling: true, Times: 1},
			expect: adopted(1)},
		{name: "malformed JSON after the API created the link", fault: sandbox.Fault{Status: 200, Body: `{"success":true,,}`, AfterHandling: true, Times: 1},
			expect: adopted(1)},
		{name: "502, then 502 after the API created the link on the one re-send",
			fault: sandbox.Fault{Status: 502, Times: 1}, more: []sandbox.Fault{{Status: 502, AfterHandling: true, Times: 1}},
			expect: adopted(2)},
	}
}

// relResult is what one cell did.
type relResult struct {
	relExpect
	dups int
}

func TestAccReliability(t *testing.T) {
	cells, afterCreate := relCells(), relAfterCreate()
	var mu sync.Mutex
	results := map[string]map[string]relResult{}
	ran := 0
	t.Run("ops", func(t *testing.T) {
		for _, op := range relOps {
			t.Run(op.name, func(t *testing.T) {
				t.Parallel()
				opCells := cells
				if op.method == http.MethodPost {
					opCells = append(slices.Clip(cells), afterCreate...)
				}
				got := relRunOp(t, op, opCells)
				mu.Lock()
				results[op.name] = got
				if len(got) == len(opCells) {
					ran++
				}
				mu.Unlock()
			})
		}
	})
	if t.Failed() || ran != len(relOps) {
		return
	}
	relPublish(t, cells, afterCreate, results)
}

// relPublish renders the provider matrix and checks it against
// RELIABILITY.md (or rewrites it).
func relPublish(t *testing.T, cells, afterCreate []relCell, results map[string]map[string]relResult) {
	var b strings.Builder
	total, requests, dups, orphans := 0, 0, 0, 0
	row := func(name string, r relResult) {
		total++
		requests += r.requests
		dups += r.dups
		orphans += r.orphans
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", name, r.outcome, r.requests, r.dups, r.orphans)
	}
	for _, op := range relOps {
		fmt.Fprintf(&b, "#### %s (%s)\n\n", op.name, op.method)
		b.WriteString("| Fault | Outcome in Terraform | Requests | Duplicates | Orphans |\n|---|---|---|---|---|\n")
		for _, c := range cells {
			row(c.name, results[op.name][c.name])
		}
		b.WriteString("\n")
	}
	b.WriteString("#### Create only: the API created the link, then the answer went wrong\n\n")
	b.WriteString("| Fault | Outcome in Terraform | Requests | Duplicates | Orphans |\n|---|---|---|---|---|\n")
	for _, c := range afterCreate {
		row(c.name, results["create"][c.name])
	}
	fmt.Fprintf(&b, "\n%d cells × 4 operations + %d create-only cells = %d cells; %d requests counted; %d duplicates; %d orphans.\n",
		len(cells), len(afterCreate), total, requests, dups, orphans)
	t.Logf("provider fault matrix: %d cells, %d requests, %d duplicates, %d orphans", total, requests, dups, orphans)
	reliabilitydoc.Check(t, repoRoot, "provider-matrix", b.String())
}

// relEnv is a testEnv with a recording proxy in front of the sandbox and a
// recording wrapper around the provider.
type relEnv struct {
	*testEnv
	front *httptest.Server

	mu       sync.Mutex
	log      []relRequest
	faulting bool                               // record diagnostics now
	diags    map[string][]*tfprotov6.Diagnostic // by title
	rpcs     map[string]int                     // recorded calls by title
}

type relRequest struct {
	method, path, title string
	at                  time.Time
}

func newRelEnv(t *testing.T) *relEnv {
	// The links fit on one page: an ambiguous create lists them while the
	// other cells' creates are under way, and this matrix is about faults,
	// not about reading a list that changes as it is read.
	onePage := func(o *sandbox.Options) { o.PageSize, o.MaxPerPage = 1000, 1000 }
	e := &relEnv{testEnv: newTestEnv(t, onePage), diags: map[string][]*tfprotov6.Diagnostic{}, rpcs: map[string]int{}}
	// Each cell's fault is on its own link's requests: a refresh served from
	// a listing of the account would step around it. The listing's own
	// fallbacks are tested in sharing_reader_test.go.
	e.providerOptions = append(e.providerOptions, WithGetForEachRefresh())
	e.clientTweak = func(c *albato.Config) {
		c.MaxRetryAfter = relMaxRetryAfter
		c.HTTPClient = &http.Client{
			Timeout:       relTimeout,
			Transport:     &http.Transport{MaxIdleConnsPerHost: 32},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	inner := e.server.Config.Handler
	e.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := relRequest{method: r.Method, path: r.URL.Path, at: time.Now()}
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			var in struct {
				Title string `json:"title"`
			}
			_ = json.Unmarshal(body, &in)
			req.title = in.Title
		}
		e.mu.Lock()
		e.log = append(e.log, req)
		e.mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(e.front.Close)
	return e
}

func (e *relEnv) setFaulting(on bool) {
	e.mu.Lock()
	e.faulting = on
	e.mu.Unlock()
}

// mark is a position in the request log.
func (e *relEnv) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.log)
}

// requestsBetween returns the logged requests in [from, to).
func (e *relEnv) requestsBetween(from, to int) []relRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.log[from:to])
}

func (e *relEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	inner := e.testEnv.factories()["albato"]
	return map[string]func() (tfprotov6.ProviderServer, error){
		"albato": func() (tfprotov6.ProviderServer, error) {
			s, err := inner()
			if err != nil {
				return nil, err
			}
			return &relServer{ProviderServer: s, env: e}, nil
		},
	}
}

// relServer records the diagnostics of every apply and read, by the title
// of the link they are about.
type relServer struct {
	tfprotov6.ProviderServer
	env *relEnv

	once sync.Once
	typ  tftypes.Type
}

func (s *relServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		title := s.title(ctx, req.PlannedState)
		if title == "" {
			title = s.title(ctx, req.PriorState)
		}
		s.record(title, resp.Diagnostics)
	}
	return resp, err
}

func (s *relServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.record(s.title(ctx, req.CurrentState), resp.Diagnostics)
	}
	return resp, err
}

func (s *relServer) record(title string, diags []*tfprotov6.Diagnostic) {
	s.env.mu.Lock()
	defer s.env.mu.Unlock()
	if !s.env.faulting || title == "" {
		return
	}
	s.env.rpcs[title]++
	s.env.diags[title] = append(s.env.diags[title], diags...)
}

// title reads the title attribute of a resource value; "" when null.
func (s *relServer) title(ctx context.Context, v *tfprotov6.DynamicValue) string {
	s.once.Do(func() {
		resp, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err == nil {
			s.typ = resp.ResourceSchemas["albato_connection_link"].ValueType()
		}
	})
	if v == nil || s.typ == nil {
		return ""
	}
	val, err := v.Unmarshal(s.typ)
	if err != nil || val.IsNull() {
		return ""
	}
	var attrs map[string]tftypes.Value
	if val.As(&attrs) != nil {
		return ""
	}
	var title string
	if attrs["title"].As(&title) != nil {
		return ""
	}
	return title
}

// relTitle is the title of a cell's link.
func relTitle(op relOp, i int) string { return fmt.Sprintf("rel-%s-%02d", op.name, i) }

// relConfig declares the links of the cells whose index keep accepts.
func (e *relEnv) config(op relOp, cells []relCell, trigger func(i int) string, keep func(i int) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"albato\" {\n  api_url     = %q\n  token       = %q\n  connect_url = %q\n}\n",
		e.front.URL, testToken, e.connectURL())
	for i := range cells {
		if !keep(i) {
			continue
		}
		fmt.Fprintf(&b, "\nresource \"albato_connection_link\" \"c%02d\" {\n  partner_id = 225\n  title      = %q\n", i, relTitle(op, i))
		if trigger != nil {
			fmt.Fprintf(&b, "  regenerate_triggers = { v = %q }\n", trigger(i))
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// relRunOp runs every cell against one operation in one resource.Test.
func relRunOp(t *testing.T, op relOp, cells []relCell) map[string]relResult {
	e := newRelEnv(t)
	all := func(int) bool { return true }
	want := make([]relExpect, len(cells))
	for i, c := range cells {
		want[i] = c.expect(op)
	}
	failed := func(i int) bool { return want[i].outcome != "ok" && !strings.HasPrefix(want[i].outcome, "ok,") }
	var trigger func(int) string
	if op.method == http.MethodPut {
		trigger = func(int) string { return "1" }
	}

	// The id of each cell's link, once it exists.
	ids := map[string]int64{}
	lookupIDs := func() {
		for _, s := range e.sandbox.Sharings() {
			if s.Status != sandbox.StatusRevoked {
				ids[s.Title] = s.ID
			}
		}
	}
	install := func() {
		for i, c := range cells {
			target := sandbox.Fault{Method: op.method}
			if op.method == http.MethodPost {
				target.PathPrefix = sharingsPath
				target.BodyContains = fmt.Sprintf(`"title":%q`, relTitle(op, i))
			} else {
				id := ids[relTitle(op, i)]
				if id == 0 || id >= 610 { // a path prefix of 61 would also match 610
					t.Fatalf("cell %d has link id %d", i, id)
				}
				target.PathPrefix = fmt.Sprintf("%s/%d", sharingsPath, id)
			}
			for _, f := range append([]sandbox.Fault{c.fault}, c.more...) {
				f.Method, f.PathPrefix, f.BodyContains = target.Method, target.PathPrefix, target.BodyContains
				e.sandbox.AddFault(f)
			}
		}
		e.setFaulting(true)
	}
	var from, to int
	startFaults := func() {
		lookupIDs()
		from = e.mark()
		install()
	}
	endFaults := func() {
		e.setFaulting(false)
		e.sandbox.ClearFaults()
		to = e.mark()
	}

	results := map[string]relResult{}
	verify := func(s *terraform.State) error {
		inState := map[string][]int64{}
		for addr, rs := range s.RootModule().Resources {
			if !strings.HasPrefix(addr, "albato_connection_link.") {
				continue
			}
			id, err := strconv.ParseInt(rs.Primary.ID, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: id %q", addr, rs.Primary.ID)
			}
			title := rs.Primary.Attributes["title"]
			inState[title] = append(inState[title], id)
			sh, ok := e.sandbox.Sharing(id)
			if !ok || sh.Status == sandbox.StatusRevoked || sh.Title != title || sh.Token != rs.Primary.Attributes["token"] {
				return fmt.Errorf("%s (id %d) is in the state but the sandbox has %+v", addr, id, sh)
			}
		}
		live := map[string][]int64{}
		for _, sh := range e.sandbox.Sharings() {
			if sh.Status != sandbox.StatusRevoked {
				live[sh.Title] = append(live[sh.Title], sh.ID)
			}
		}
		reqs := e.requestsBetween(from, to)
		var problems []string
		for i, c := range cells {
			title := relTitle(op, i)
			got := relResult{}
			e.mu.Lock()
			diags, calls := e.diags[title], e.rpcs[title]
			e.mu.Unlock()
			if calls == 0 {
				problems = append(problems, fmt.Sprintf("%s: the provider was never called", c.name))
			}
			got.outcome = relOutcome(diags)
			var at []time.Time
			for _, r := range reqs {
				if r.method != op.method {
					continue
				}
				if (op.method == http.MethodPost && r.title == title) ||
					(op.method != http.MethodPost && r.path == fmt.Sprintf("%s/%d", sharingsPath, ids[title])) {
					got.requests++
					at = append(at, r.at)
				}
			}
			got.live = len(live[title]) > 0
			if n := len(live[title]); n > 1 {
				got.dups = n - 1
			}
			for _, id := range live[title] {
				if !slices.Contains(inState[title], id) {
					got.orphans++
				}
			}
			results[c.name] = got
			if got.relExpect != want[i] || got.dups != 0 {
				problems = append(problems, fmt.Sprintf("%s (%s): got %+v, want %+v", c.name, title, got, want[i]))
			}
			if c.minGap > 0 {
				for k := 1; k < len(at); k++ {
					if gap := at[k].Sub(at[k-1]); gap < c.minGap-10*time.Millisecond {
						problems = append(problems, fmt.Sprintf("%s: try %d came %s after the one before; Retry-After asked for %s", c.name, k+1, gap, c.minGap))
					}
				}
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("%d of %d cells broke their promise:\n  %s", len(problems), len(cells), strings.Join(problems, "\n  "))
		}
		return nil
	}
	// Only the cells whose link should exist stay in the configuration, so
	// that the checking step's plan is empty.
	stays := func(i int) bool { return want[i].live && want[i].orphans == 0 }
	expectErr := regexp.MustCompile(regexp.QuoteMeta(op.summary))

	var steps []resource.TestStep
	switch op.method {
	case http.MethodPost:
		steps = []resource.TestStep{
			{PreConfig: startFaults, Config: e.config(op, cells, nil, all), ExpectError: expectErr},
			{PreConfig: endFaults, Config: e.config(op, cells, nil, stays), Check: verify},
		}
	case http.MethodGet:
		steps = []resource.TestStep{
			{Config: e.config(op, cells, nil, all)},
			{PreConfig: startFaults, Config: e.config(op, cells, nil, all), ExpectError: expectErr},
			{PreConfig: endFaults, Config: e.config(op, cells, nil, all), Check: verify},
		}
	case http.MethodPut:
		steps = []resource.TestStep{
			{Config: e.config(op, cells, trigger, all)},
			{PreConfig: startFaults, Config: e.config(op, cells, func(int) string { return "2" }, all), ExpectError: expectErr},
			// A failed regeneration keeps the prior state, triggers included.
			{PreConfig: endFaults, Config: e.config(op, cells, func(i int) string {
				if failed(i) {
					return "1"
				}
				return "2"
			}, all), Check: verify},
		}
	case http.MethodDelete:
		steps = []resource.TestStep{
			{Config: e.config(op, cells, nil, all)},
			{PreConfig: startFaults, Config: e.config(op, cells, nil, func(int) bool { return false }), ExpectError: expectErr},
			{PreConfig: endFaults, Config: e.config(op, cells, nil, stays), Check: verify},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			// Destroy revoked everything Terraform knew; what is left live
			// is exactly the known gaps' orphans.
			var left []string
			for _, sh := range e.sandbox.Sharings() {
				if sh.Status != sandbox.StatusRevoked {
					left = append(left, sh.Title)
				}
			}
			var orphans []string
			for i := range cells {
				if want[i].orphans > 0 {
					orphans = append(orphans, relTitle(op, i))
				}
			}
			slices.Sort(left)
			if !slices.Equal(left, orphans) {
				return fmt.Errorf("after destroy these links are live: %v; want only the orphans %v", left, orphans)
			}
			return nil
		},
	})
	return results
}

var (
	relHTTPRe   = regexp.MustCompile(`(create|read|regenerate|revoke) sharing: HTTP (\d{3})(?:: (.*?))?\.?$`)
	relDecodeRe = regexp.MustCompile(`^(empty response body|malformed JSON response|unexpected non-JSON response|response body exceeds 10 MiB)`)
)

// relOutcome words a cell's diagnostics for the matrix: "ok", "ok,
// warning: <summary>", or "<error summary>: <operation>: <what went
// wrong>", with the HTTP status when there was one.
var relTriesRe = regexp.MustCompile(` \(\d+ tries over [^)]*\)`)

func relOutcome(diags []*tfprotov6.Diagnostic) string {
	var errs, warns []*tfprotov6.Diagnostic
	for _, d := range diags {
		switch d.Severity {
		case tfprotov6.DiagnosticSeverityError:
			errs = append(errs, d)
		case tfprotov6.DiagnosticSeverityWarning:
			warns = append(warns, d)
		}
	}
	switch {
	case len(errs) > 1:
		return fmt.Sprintf("%d error diagnostics", len(errs))
	case len(errs) == 0 && len(warns) == 0:
		return "ok"
	case len(errs) == 0:
		return "ok, warning: " + warns[0].Summary
	}
	d := errs[0]
	// The tries a failure took are the cell's request count, compared apart.
	detail := relTriesRe.ReplaceAllString(strings.Join(strings.Fields(d.Detail), " "), "")
	op := relOpOf(detail)
	if m := relHTTPRe.FindStringSubmatch(detail); m != nil {
		msg := m[3]
		if dm := relDecodeRe.FindString(msg); dm != "" {
			msg = dm
		}
		return fmt.Sprintf("%s: %s sharing: HTTP %s: %s", d.Summary, m[1], m[2], msg)
	}
	switch {
	case strings.Contains(detail, "reading response body") && (strings.Contains(detail, "Client.Timeout") || strings.Contains(detail, "deadline exceeded") || strings.Contains(detail, "ran out of time")):
		return d.Summary + ": " + op + ": reading the body: timed out"
	case strings.Contains(detail, "ran out of time"):
		return d.Summary + ": " + op + ": timed out"
	case strings.Contains(detail, "reading response body") && strings.Contains(detail, "unexpected EOF"):
		return d.Summary + ": " + op + ": reading the body: cut short"
	}
	return d.Summary + ": " + detail
}

// relOpOf finds the client operation a diagnostic detail names.
func relOpOf(detail string) string {
	for _, op := range []string{"create sharing", "read sharing", "regenerate sharing", "revoke sharing"} {
		if strings.Contains(detail, op) {
			return op
		}
	}
	for action, op := range map[string]string{"to read connection link": "read sharing", "to regenerate connection link": "regenerate sharing",
		"to revoke connection link": "revoke sharing", "to create the connection link": "create sharing"} {
		if strings.Contains(detail, action) {
			return op
		}
	}
	return "?"
}
