package albato

// A suite across files: the fault matrix of every client operation against
// the sandbox.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/reliabilitydoc"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The client half of the fault matrix (RELIABILITY.md): every fault cell
// crossed with every operation, against the in-process sandbox. For each
// cell it checks the outcome (success, or an error that names the
// operation and the HTTP status), the number of requests the sandbox saw
// for the operation's method, the waits between them where Retry-After
// asks for one, whether the API acted although the call failed, that a
// failed create which may have taken effect says so (MayHaveBeenApplied,
// CreateSharing's cue to look before sending it again), and that nothing
// was created twice. The provider half, through Terraform, is
// internal/provider/reliability_test.go.

// fmOp is one operation of the client.
type fmOp struct {
	name   string // as in RELIABILITY.md: create, read, regenerate, delete
	method string
	what   string // the operation as errors name it
	call   func(ctx context.Context, c *Client, id int64) (*Sharing, error)
}

var fmOps = []fmOp{
	{"create", http.MethodPost, "create sharing", func(ctx context.Context, c *Client, _ int64) (*Sharing, error) {
		return c.postSharing(ctx, 225, fmTitle)
	}},
	{"read", http.MethodGet, "read sharing", func(ctx context.Context, c *Client, id int64) (*Sharing, error) {
		return c.GetSharing(ctx, id)
	}},
	{"regenerate", http.MethodPut, "regenerate sharing", func(ctx context.Context, c *Client, id int64) (*Sharing, error) {
		return c.RegenerateSharing(ctx, id)
	}},
	{"delete", http.MethodDelete, "revoke sharing", func(ctx context.Context, c *Client, id int64) (*Sharing, error) {
		return c.RevokeSharing(ctx, id)
	}},
}

const fmTitle = "fault matrix"

// Client settings of the matrix: the provider's default of 4 retries,
// millisecond backoff, Retry-After capped at 150 ms (so that honouring it
// shows against a backoff of at most 4 ms), and a timeout of 1 s in the
// cells about timeouts (30 s elsewhere: under -race, reading 10 MiB takes
// seconds).
const (
	fmMaxRetries    = 4
	fmMaxRetryAfter = 150 * time.Millisecond
	fmTimeout       = time.Second
	fmLongTimeout   = 30 * time.Second
)

// fmExpect is what a cell should do to one operation.
type fmExpect struct {
	outcome  string // fmClassify of the result
	requests int    // requests of the operation's method
	applied  bool   // the API acted on it (created, regenerated, revoked)
}

// fmCell is one fault of the matrix.
type fmCell struct {
	name string
	// faults are installed for the operation's method and target path.
	faults func(method, path string) []sandbox.Fault
	expect func(op fmOp) fmExpect
	// minGap is the least wait between two tries that Retry-After asks for.
	minGap time.Duration
	// timeout is the client's; fmLongTimeout when zero.
	timeout time.Duration
}

func fmFault(f sandbox.Fault) func(method, path string) []sandbox.Fault {
	return func(method, path string) []sandbox.Fault {
		g := f
		g.Method, g.PathPrefix = method, path
		return []sandbox.Fault{g}
	}
}

// fmAll expects the same of every operation.
func fmAll(e fmExpect) func(fmOp) fmExpect { return func(fmOp) fmExpect { return e } }

// fmPOST expects post of a create and other of read, regenerate and delete.
func fmPOST(post, other fmExpect) func(fmOp) fmExpect {
	return func(op fmOp) fmExpect {
		if op.method == http.MethodPost {
			return post
		}
		return other
	}
}

// fmWrites is like fmPOST but the API acts on regenerate and delete too.
func fmWrites(post, other fmExpect) func(fmOp) fmExpect {
	return func(op fmOp) fmExpect {
		e := other
		if op.method == http.MethodPost {
			e = post
		}
		if op.method != http.MethodGet {
			e.applied = true
		}
		return e
	}
}

func fmOK(n int) fmExpect { return fmExpect{outcome: "ok", requests: n, applied: true} }

func fmErr(outcome string, n int) fmExpect { return fmExpect{outcome: outcome, requests: n} }

// fmHugeBody is a valid answer padded far beyond the client's 10 MiB cap.
const fmHugeBody = 11 << 20

var fmHTML = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

// fmErrorShapes are the success:false bodies the client understands, and
// the message each must yield.
var fmErrorShapes = []struct{ name, body, message string }{
	{"message", `{"success":false,"message":"Title is too long"}`, "Title is too long"},
	{"error string", `{"success":false,"error":"Partner is disabled"}`, "Partner is disabled"},
	{"error object", `{"success":false,"error":{"code":"QUOTA","message":"Link quota exceeded"}}`, "Link quota exceeded"},
	{"errors strings", `{"success":false,"errors":["title is required","partnerId is invalid"]}`, "title is required; partnerId is invalid"},
	{"errors objects", `{"success":false,"errors":[{"field":"title","message":"must not be empty"}]}`, "title: must not be empty"},
}

func fmCells() []fmCell {
	httpDate := func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }
	cells := []fmCell{
		{name: "429 ×3, Retry-After in seconds", minGap: fmMaxRetryAfter,
			faults: fmFault(sandbox.Fault{Status: 429, RetryAfter: "1", Times: 3}), expect: fmAll(fmOK(4))},
		{name: "429 ×3, Retry-After as an HTTP date", minGap: fmMaxRetryAfter,
			faults: func(method, path string) []sandbox.Fault {
				return []sandbox.Fault{{Method: method, PathPrefix: path, Status: 429, RetryAfter: httpDate(), Times: 3}}
			}, expect: fmAll(fmOK(4))},
		{name: "429 ×3, no Retry-After",
			faults: fmFault(sandbox.Fault{Status: 429, Times: 3}), expect: fmAll(fmOK(4))},
		{name: "429 storm (never ends)",
			faults: fmFault(sandbox.Fault{Status: 429}), expect: fmAll(fmErr("HTTP 429: sandbox fault: HTTP 429 Too Many Requests", 5))},
	}
	for _, status := range []int{500, 502, 503, 504} {
		msg := fmt.Sprintf("HTTP %d: sandbox fault: HTTP %d %s", status, status, http.StatusText(status))
		cells = append(cells, fmCell{name: fmt.Sprintf("%d ×3", status),
			faults: fmFault(sandbox.Fault{Status: status, Times: 3}), expect: fmPOST(fmErr(msg, 1), fmOK(4))})
	}
	cells = append(cells,
		fmCell{name: "500 storm (never ends)",
			faults: fmFault(sandbox.Fault{Status: 500}),
			expect: fmPOST(fmErr("HTTP 500: sandbox fault: HTTP 500 Internal Server Error", 1),
				fmErr("HTTP 500: sandbox fault: HTTP 500 Internal Server Error", 5))},
		fmCell{name: "connection reset before handling",
			faults: fmFault(sandbox.Fault{Drop: true, Times: 1}),
			expect: fmPOST(fmErr("no answer: connection closed", 1), fmOK(2))},
		fmCell{name: "connection reset after handling",
			faults: fmFault(sandbox.Fault{Drop: true, AfterHandling: true, Times: 1}),
			expect: fmWrites(fmErr("no answer: connection closed", 1), fmOK(2))},
		fmCell{name: "answer slower than the client timeout", timeout: fmTimeout,
			faults: fmFault(sandbox.Fault{Latency: 3 * fmTimeout, Times: 1}),
			expect: fmPOST(fmErr("no answer: timed out", 1), fmOK(2))},
		fmCell{name: "body slower than the client timeout", timeout: fmTimeout,
			faults: fmFault(sandbox.Fault{SlowBody: 3 * fmTimeout, Times: 1}),
			expect: fmWrites(fmErr("reading the body: timed out", 1), fmOK(2))},
		fmCell{name: "HTML error page from a proxy (502, persistent)",
			faults: fmFault(sandbox.Fault{Status: 502, Body: fmHTML}),
			expect: fmPOST(fmErr("HTTP 502: unexpected non-JSON response", 1), fmErr("HTTP 502: unexpected non-JSON response", 5))},
		fmCell{name: "HTML page at HTTP 200",
			faults: fmFault(sandbox.Fault{Status: 200, Body: fmHTML, Times: 1}),
			expect: fmAll(fmErr("HTTP 200: unexpected non-JSON response", 1))},
		fmCell{name: "empty body (HTTP 200)",
			faults: fmFault(sandbox.Fault{Status: 200, EmptyBody: true, Times: 1}),
			expect: fmAll(fmErr("HTTP 200: empty response body", 1))},
		fmCell{name: "truncated JSON (HTTP 200)",
			faults: fmFault(sandbox.Fault{Status: 200, Body: `{"success":true,"data":{"id":61,"partnerId":22`, Times: 1}),
			expect: fmAll(fmErr("HTTP 200: malformed JSON response", 1))},
		fmCell{name: "malformed JSON (HTTP 200)",
			faults: fmFault(sandbox.Fault{Status: 200, Body: `{"success":true,,"data":}`, Times: 1}),
			expect: fmAll(fmErr("HTTP 200: malformed JSON response", 1))},
		fmCell{name: "body cut short under its Content-Length",
			faults: fmFault(sandbox.Fault{TruncateAt: 20, Times: 1}),
			expect: fmWrites(fmErr("reading the body: cut short", 1), fmOK(2))},
		fmCell{name: "body of 11 MiB (HTTP 200)",
			faults: fmFault(sandbox.Fault{Status: 200, Body: `{"success":true,"data":` + sharingJSON(61, "aZeZWFwAQQ", 0) + `}`, BodyBytes: fmHugeBody, Times: 1}),
			expect: fmAll(fmErr("HTTP 200: response body exceeds 10 MiB", 1))},
	)
	for _, status := range []int{200, 400, 500} {
		for _, shape := range fmErrorShapes {
			out := fmt.Sprintf("HTTP %d: %s", status, shape.message)
			e := fmAll(fmErr(out, 1))
			if status == 500 {
				e = fmPOST(fmErr(out, 1), fmErr(out, 5))
			}
			cells = append(cells, fmCell{name: fmt.Sprintf("success:false, %s, HTTP %d", shape.name, status),
				faults: fmFault(sandbox.Fault{Status: status, Body: shape.body}), expect: e})
		}
	}
	return cells
}

// fmAfterCreate are create-only cells: the API created the link, then the
// answer went wrong in a way that reading it cannot tell from a failure.
// The client must flag each (MayHaveBeenApplied), which is what makes
// CreateSharing look for the link instead of reporting a failure and orphaning
// it, or sending the POST again and duplicating it.
func fmAfterCreate() []fmCell {
	return []fmCell{
		{name: "500 after the API created the link",
			faults: fmFault(sandbox.Fault{Status: 500, AfterHandling: true, Times: 1}),
			expect: fmAll(fmExpect{outcome: "HTTP 500: sandbox fault: HTTP 500 Internal Server Error", requests: 1, applied: true})},
		{name: "503 after the API created the link",
			faults: fmFault(sandbox.Fault{Status: 503, AfterHandling: true, Times: 1}),
			expect: fmAll(fmExpect{outcome: "HTTP 503: sandbox fault: HTTP 503 Service Unavailable", requests: 1, applied: true})},
		{name: "empty body after the API created the link",
			faults: fmFault(sandbox.Fault{Status: 200, EmptyBody: true, AfterHandling: true, Times: 1}),
			expect: fmAll(fmExpect{outcome: "HTTP 200: empty response body", requests: 1, applied: true})},
		{name: "malformed JSON after the API created the link",
			faults: fmFault(sandbox.Fault{Status: 200, Body: `{"success":true,,}`, AfterHandling: true, Times: 1}),
			expect: fmAll(fmExpect{outcome: "HTTP 200: malformed JSON response", requests: 1, applied: true})},
		{name: "11 MiB answer after the API created the link",
			faults: fmFault(sandbox.Fault{BodyBytes: fmHugeBody, Times: 1}),
			expect: fmAll(fmExpect{outcome: "HTTP 200: response body exceeds 10 MiB", requests: 1, applied: true})},
	}
}

// fmResult is what one cell did to one operation.
type fmResult struct {
	fmExpect
	flagged bool // MayHaveBeenApplied(err) of a failed call
	dups    int  // sharings created more than once
}

func TestFaultMatrix(t *testing.T) {
	cells, afterCreate := fmCells(), fmAfterCreate()
	var mu sync.Mutex
	results := map[string]fmResult{}
	run := func(t *testing.T, cell fmCell, op fmOp) {
		t.Parallel()
		got := fmRun(t, cell, op)
		mu.Lock()
		results[cell.name+"|"+op.name] = got
		mu.Unlock()
	}
	t.Run("cells", func(t *testing.T) {
		for _, cell := range cells {
			for _, op := range fmOps {
				t.Run(cell.name+"/"+op.name, func(t *testing.T) { run(t, cell, op) })
			}
		}
		for _, cell := range afterCreate {
			t.Run("after-create/"+cell.name, func(t *testing.T) { run(t, cell, fmOps[0]) })
		}
	})

	var b strings.Builder
	b.WriteString("| Fault | create (POST) | read (GET) | regenerate (PUT) | delete (DELETE) | Duplicates | The error the client returns |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	requests, dups := 0, 0
	for _, cell := range cells {
		fmt.Fprintf(&b, "| %s |", cell.name)
		rowDups := 0
		var errs []string
		for _, op := range fmOps {
			r := results[cell.name+"|"+op.name]
			requests += r.requests
			rowDups += r.dups
			fmt.Fprintf(&b, " %s |", fmEntry(op, r))
			if r.outcome != "ok" && !slices.Contains(errs, r.outcome) {
				errs = append(errs, r.outcome)
			}
		}
		dups += rowDups
		fmt.Fprintf(&b, " %d | %s |\n", rowDups, strings.Join(errs, "; "))
	}
	b.WriteString("\nCreate only: the API created the link, then the answer went wrong:\n\n")
	b.WriteString("| Fault | create (POST) | Duplicates | The error the client returns |\n|---|---|---|---|\n")
	for _, cell := range afterCreate {
		r := results[cell.name+"|create"]
		requests += r.requests
		dups += r.dups
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", cell.name, fmEntry(fmOps[0], r), r.dups, r.outcome)
	}
	fmt.Fprintf(&b, "\n%d cells × 4 operations + %d create-only cells = %d calls; %d requests counted; %d duplicates.\n",
		len(cells), len(afterCreate), len(cells)*len(fmOps)+len(afterCreate), requests, dups)
	t.Logf("client fault matrix: %d calls, %d requests, %d duplicates", len(cells)*len(fmOps)+len(afterCreate), requests, dups)
	if t.Failed() {
		return
	}
	if len(results) != len(cells)*len(fmOps)+len(afterCreate) {
		t.Logf("only %d of the cells ran: RELIABILITY.md not checked", len(results))
		return
	}
	reliabilitydoc.Check(t, filepath.Join("..", ".."), "client-matrix", b.String())
}

// fmEntry renders one result for the table: "ok" or "error", the number
// of requests, and for a failed create, regenerate or delete whether the API
// acted all the same ("applied") and whether the error says it may have
// ("flagged", MayHaveBeenApplied).
func fmEntry(op fmOp, r fmResult) string {
	if r.outcome == "ok" {
		return fmt.Sprintf("ok · %d", r.requests)
	}
	s := fmt.Sprintf("error · %d", r.requests)
	switch {
	case op.method == http.MethodGet:
	case r.applied && r.flagged:
		s += " · applied, flagged"
	case r.applied:
		s += " · **applied, not flagged**"
	case op.method == http.MethodPost && r.flagged:
		s += " · flagged"
	}
	return s
}

// fmRun runs one cell against one operation on a fresh sandbox and checks
// everything the cell promises.
func fmRun(t *testing.T, cell fmCell, op fmOp) fmResult {
	srv, err := sandbox.New(sandbox.Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	var arrivals struct {
		sync.Mutex
		at []time.Time
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == op.method {
			arrivals.Lock()
			arrivals.at = append(arrivals.at, time.Now())
			arrivals.Unlock()
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	c := newTestClient(t, ts.URL, func(cfg *Config) {
		cfg.MaxRetries = fmMaxRetries
		cfg.MaxRetryAfter = fmMaxRetryAfter
		cfg.HTTPClient = &http.Client{
			Timeout:       cmp.Or(cell.timeout, fmLongTimeout),
			Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	ctx := t.Context()

	target := "/credentials/grant-access-sharing"
	var before sandbox.Sharing
	if op.method != http.MethodPost {
		created, err := c.CreateSharing(ctx, 225, fmTitle)
		if err != nil {
			t.Fatal(err)
		}
		s := created.Sharing
		target += fmt.Sprintf("/%d", s.ID)
		before, _ = srv.Sharing(s.ID)
	}
	srv.ResetRequests()
	arrivals.Lock()
	arrivals.at = nil
	arrivals.Unlock()
	for _, f := range cell.faults(op.method, target) {
		srv.AddFault(f)
	}

	got, err := op.call(ctx, c, before.ID)
	srv.ClearFaults()

	res := fmResult{fmExpect: fmExpect{outcome: fmClassify(err), requests: srv.Count(op.method)}}
	if err != nil {
		res.flagged = MayHaveBeenApplied(err)
		if !strings.HasPrefix(err.Error(), op.what+": ") {
			t.Errorf("error does not start with the operation %q: %v", op.what, err)
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", apiErr.StatusCode)) {
			t.Errorf("error does not name the HTTP status: %v", err)
		}
		if strings.Contains(err.Error(), testToken) || (before.Token != "" && strings.Contains(err.Error(), before.Token)) {
			t.Errorf("error shows a secret: %v", err)
		}
	}

	// What the API did, and nothing twice.
	var mine []sandbox.Sharing
	for _, s := range srv.Sharings() {
		if s.Title == fmTitle {
			mine = append(mine, s)
		}
	}
	if len(mine) > 1 {
		res.dups = len(mine) - 1
		t.Errorf("%d sharings with the title, want at most 1: %+v", len(mine), mine)
	}
	switch op.method {
	case http.MethodPost:
		res.applied = len(mine) == 1
		if err == nil && (len(mine) != 1 || mine[0].ID != got.ID || mine[0].Token != got.Token) {
			t.Errorf("create returned %+v; the sandbox holds %+v", got, mine)
		}
	case http.MethodGet:
		if err == nil && (got.ID != before.ID || got.Token != before.Token) {
			t.Errorf("read returned %+v, want %+v", got, before)
		}
	default:
		after, _ := srv.Sharing(before.ID)
		if op.method == http.MethodPut {
			res.applied = after.Token != before.Token
		} else {
			res.applied = after.Status == sandbox.StatusRevoked
		}
		if err == nil && (got.Token != after.Token || int(got.Status) != after.Status) {
			t.Errorf("%s returned %+v; the sandbox holds %+v", op.name, got, after)
		}
	}
	if op.method == http.MethodGet {
		res.applied = err == nil
	}

	want := cell.expect(op)
	if res.fmExpect != want {
		t.Errorf("got outcome %q, %d %s requests, applied %v; want %q, %d, applied %v (error: %v; requests: %+v)",
			res.outcome, res.requests, op.method, res.applied, want.outcome, want.requests, want.applied, err, srv.Requests())
	}
	// A create that may have taken effect must say so: that is what keeps
	// the provider from sending it blind again (or from orphaning the link).
	if op.method == http.MethodPost && err != nil && res.applied && !res.flagged {
		t.Errorf("the create took effect but MayHaveBeenApplied is false: %v", err)
	}
	if cell.minGap > 0 {
		arrivals.Lock()
		at := arrivals.at
		arrivals.Unlock()
		for i := 1; i < len(at); i++ {
			if gap := at[i].Sub(at[i-1]); gap < cell.minGap-10*time.Millisecond {
				t.Errorf("try %d came %s after the one before; Retry-After asked for %s", i+1, gap, cell.minGap)
			}
		}
	}
	return res
}

// fmClassify words a call's result as the matrix shows it: "ok", the HTTP
// status and the API's (or the decoder's) description, or what went wrong
// without an answer.
func fmClassify(err error) string {
	if err == nil {
		return "ok"
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		for _, p := range []string{"empty response body", "malformed JSON response", "unexpected non-JSON response", errBodyTooLarge.Error()} {
			if strings.HasPrefix(msg, p) {
				msg = p
				break
			}
		}
		return fmt.Sprintf("HTTP %d: %s", apiErr.StatusCode, msg)
	}
	var netErr net.Error
	timedOut := errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
	switch inBody := strings.Contains(err.Error(), "reading response body"); {
	case inBody && timedOut:
		return "reading the body: timed out"
	case inBody && errors.Is(err, io.ErrUnexpectedEOF):
		return "reading the body: cut short"
	case inBody:
		return "reading the body: " + err.Error()
	case timedOut:
		return "no answer: timed out"
	default:
		return "no answer: connection closed"
	}
}
