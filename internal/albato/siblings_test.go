package albato

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/reliabilitydoc"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// postOutcome is how the API answers one parked POST.
type postOutcome int

const (
	answered     postOutcome = iota // created, and the answer arrives
	failedBefore                    // a 500 before the API acted
	failedAfter                     // created, then a 500
	droppedAfter                    // created, then the connection drops
)

var outcomeNames = [...]string{"ok", "500-before", "500-after", "dropped"}

// acted reports whether the API made a sharing for the POST.
func (o postOutcome) acted() bool { return o != failedBefore }

// lostAnswer reports whether the API made a sharing but its answer is lost.
func (o postOutcome) lostAnswer() bool { return o == failedAfter || o == droppedAfter }

// parkedAPI is the sandbox, but for its first n POSTs: each acts (or not)
// when it arrives, as a real API does, and its answer is held back until
// the test releases it, so that the test orders the answers.
type parkedAPI struct {
	sb       *sandbox.Server
	outcomes []postOutcome
	arrived  chan struct{}
	release  []chan struct{}

	mu    sync.Mutex
	posts int
}

func newParkedAPI(t *testing.T, outcomes []postOutcome) (*parkedAPI, *httptest.Server) {
	sb, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: 2,
		Clock: clocktest.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	p := &parkedAPI{sb: sb, outcomes: outcomes, arrived: make(chan struct{}, len(outcomes))}
	for range outcomes {
		p.release = append(p.release, make(chan struct{}))
	}
	return p, serve(t, p.serve)
}

func (p *parkedAPI) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	slot := p.posts
	if r.Method == http.MethodPost {
		p.posts++
	}
	p.mu.Unlock()
	if r.Method != http.MethodPost || slot >= len(p.outcomes) {
		p.sb.ServeHTTP(w, r)
		return
	}
	o := p.outcomes[slot]
	rec := httptest.NewRecorder()
	if o.acted() {
		p.sb.ServeHTTP(rec, r)
	}
	p.arrived <- struct{}{}
	select {
	case <-p.release[slot]:
	case <-r.Context().Done():
		return
	}
	switch o {
	case answered:
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	case failedBefore, failedAfter:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"success":false,"message":"boom"}`))
	case droppedAfter:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	}
}

// createResult is one CreateSharing's return.
type createResult struct {
	got *Created
	err error
}

// runSiblings starts one create of partner 225 and one title per outcome,
// parks every POST, answers them in order (indexes into outcomes), each
// only once the create before it has settled (returned, or waits to look),
// and returns the creates' results.
func runSiblings(t *testing.T, outcomes []postOutcome, order []int) (*parkedAPI, []createResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	p, ts := newParkedAPI(t, outcomes)
	// Bearer at once: an auto scheme holds requests back until the first
	// is answered.
	c := newTestClient(t, ts.URL, withRetries(0), func(c *Config) { c.AuthScheme = "Bearer" })
	settled := make(chan struct{}, 2*len(outcomes))
	c.siblings.waiting = func(int64, string) { settled <- struct{}{} }
	results := make([]createResult, len(outcomes))
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Go(func() {
			got, err := c.CreateSharing(ctx, 225, "same title")
			results[i] = createResult{got, err}
			settled <- struct{}{}
		})
	}
	wait := func(ch chan struct{}, what string) {
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		}
	}
	for range outcomes {
		wait(p.arrived, "every POST to arrive")
	}
	for n, slot := range order {
		close(p.release[slot])
		if n < len(order)-1 {
			wait(settled, fmt.Sprintf("the create answered %s to settle", outcomeNames[outcomes[slot]]))
		}
	}
	wg.Wait()
	return p, results
}

// TestCreateSiblings drives two and three creates of one partner and title
// through every combination of outcomes and every order of the answers.
// Invariant: no two creates ever return one sharing, and when every create
// succeeds, every live sharing of that title is returned by one of them.
// More precisely, the creates fail only where two or more POSTs made a
// sharing whose answer was lost (which no look can tell apart), and then
// with an *AmbiguousCreateError naming exactly those. What each combination
// came to is RELIABILITY.md's sibling matrix.
func TestCreateSiblings(t *testing.T) {
	t.Parallel()
	all := []postOutcome{answered, failedBefore, failedAfter, droppedAfter}
	var mu sync.Mutex
	rows := map[string]*siblingRow{}
	t.Run("all", func(t *testing.T) {
		for _, n := range []int{2, 3} {
			for _, outcomes := range crossProduct(all, n) {
				for _, order := range permutations(n) {
					name := fmt.Sprintf("%s/order%v", names(outcomes), order)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						p, results := runSiblings(t, outcomes, order)
						failed := checkSiblings(t, p, outcomes, results)
						mu.Lock()
						defer mu.Unlock()
						rows[rowKey(outcomes)] = rows[rowKey(outcomes)].add(p, failed)
					})
				}
			}
		}
	})
	if t.Failed() {
		return
	}
	reliabilitydoc.Check(t, filepath.Join("..", ".."), "sibling-matrix", siblingMatrix(rows))
}

// siblingRow is what every arrangement of one multiset of outcomes came to.
type siblingRow struct {
	runs, failed           int
	minPOSTs, maxPOSTs     int
	minSharing, maxSharing int
}

func (r *siblingRow) add(p *parkedAPI, failed int) *siblingRow {
	p.mu.Lock()
	posts := p.posts // the parked ones the API never saw included
	p.mu.Unlock()
	made := len(p.sb.Sharings())
	if r == nil {
		r = &siblingRow{minPOSTs: posts, maxPOSTs: posts, minSharing: made, maxSharing: made}
	}
	r.runs++
	r.failed = max(r.failed, failed)
	r.minPOSTs, r.maxPOSTs = min(r.minPOSTs, posts), max(r.maxPOSTs, posts)
	r.minSharing, r.maxSharing = min(r.minSharing, made), max(r.maxSharing, made)
	return r
}

// rowKey is the outcomes in a fixed order: the rows do not depend on which
// create got which answer.
func rowKey(outcomes []postOutcome) string {
	sorted := slices.Clone(outcomes)
	slices.Sort(sorted)
	return names(sorted)
}

func siblingMatrix(rows map[string]*siblingRow) string {
	var b strings.Builder
	b.WriteString("| POST answers | Runs (arrangements × orders) | Outcome | POSTs | Links made | Duplicates | Live links left out |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	keys := slices.SortedFunc(maps.Keys(rows), func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(a, ","), strings.Count(b, ",")), cmp.Compare(a, b))
	})
	runs := 0
	for _, k := range keys {
		r := rows[k]
		runs += r.runs
		outcome := "every create returns its own link"
		if r.failed > 0 {
			outcome = fmt.Sprintf("%d without a usable answer fail, naming the candidates", r.failed)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | 0 | 0 |\n", k, r.runs, outcome,
			span(r.minPOSTs, r.maxPOSTs), span(r.minSharing, r.maxSharing))
	}
	fmt.Fprintf(&b, "\n%d runs; no two creates returned one link, and no live link was left out of a run whose creates all succeeded.\n", runs)
	return b.String()
}

func span(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// checkSiblings checks the invariant and returns how many creates failed.
func checkSiblings(t *testing.T, p *parkedAPI, outcomes []postOutcome, results []createResult) int {
	t.Helper()
	lost := 0
	for _, o := range outcomes {
		if o.lostAnswer() {
			lost++
		}
	}
	var live []int64
	for _, s := range p.sb.Sharings() {
		if s.Status != sandbox.StatusRevoked {
			live = append(live, s.ID)
		}
	}
	seen := map[int64]int{}
	failed := 0
	for i, r := range results {
		var ambiguous *AmbiguousCreateError
		switch {
		case r.err == nil:
			if prev, dup := seen[r.got.Sharing.ID]; dup {
				t.Fatalf("creates %d and %d both returned sharing %d", prev, i, r.got.Sharing.ID)
			}
			seen[r.got.Sharing.ID] = i
		case !errors.As(r.err, &ambiguous) || ambiguous.LookErr != nil:
			t.Fatalf("create %d: %v; want success or an *AmbiguousCreateError", i, r.err)
		case lost < 2 || len(ambiguous.Candidates) != lost:
			t.Fatalf("create %d failed with %d candidates (%s), %d lost answers",
				i, len(ambiguous.Candidates), ambiguous.CandidateIDs(), lost)
		default:
			failed++
		}
	}
	if lost < 2 {
		var returned []int64
		for id := range seen {
			returned = append(returned, id)
		}
		slices.Sort(returned)
		if !slices.Equal(returned, live) {
			t.Fatalf("creates returned %v; live sharings are %v", returned, live)
		}
	}
	if lost >= 2 && failed != len(outcomes)-countOf(outcomes, answered) {
		t.Fatalf("%d creates failed; want every one whose answer was not usable", failed)
	}
	return failed
}

func countOf(outcomes []postOutcome, o postOutcome) (n int) {
	for _, x := range outcomes {
		if x == o {
			n++
		}
	}
	return n
}

func names(outcomes []postOutcome) string {
	s := make([]string, len(outcomes))
	for i, o := range outcomes {
		s[i] = outcomeNames[o]
	}
	return strings.Join(s, ",")
}

// crossProduct is every sequence of n items of all.
func crossProduct(all []postOutcome, n int) [][]postOutcome {
	if n == 0 {
		return [][]postOutcome{nil}
	}
	var out [][]postOutcome
	for _, rest := range crossProduct(all, n-1) {
		for _, o := range all {
			out = append(out, append(slices.Clone(rest), o))
		}
	}
	return out
}

// permutations is every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{nil}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}
