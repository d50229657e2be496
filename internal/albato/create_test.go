package albato

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

func TestMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"answer from the API", &Error{Operation: "create sharing", StatusCode: 400, Message: "bad"}, false},
		{"server error", &Error{Operation: "create sharing", StatusCode: 500, Message: "oops"}, true},
		{"service unavailable", &Error{Operation: "create sharing", StatusCode: 503, Message: "later"}, true},
		{"not implemented", &Error{Operation: "create sharing", StatusCode: 501, Message: "no"}, false},
		{"rate limited", &Error{Operation: "create sharing", StatusCode: 429, Message: "slow down"}, false},
		{"unreadable success", &Error{Operation: "create sharing", StatusCode: 200, Message: "empty response body", unreadable: true}, true},
		{"success false at 200", &Error{Operation: "create sharing", StatusCode: 200, Message: "bad"}, false},
		{"bad gateway", &Error{Operation: "create sharing", StatusCode: 502, Message: "proxy"}, true},
		{"gateway timeout", &Error{Operation: "create sharing", StatusCode: 504, Message: "proxy"}, true},
		{"connection refused", fmt.Errorf("create sharing: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), false},
		{"DNS failure", fmt.Errorf("create sharing: %w", &net.DNSError{Err: "no such host", Name: "api"}), false},
		{"reset after sending", fmt.Errorf("create sharing: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{"EOF", fmt.Errorf("create sharing: %w", io.ErrUnexpectedEOF), true},
		{"cancelled", fmt.Errorf("create sharing: %w", context.Canceled), true},
		{"timeout", fmt.Errorf("create sharing: %w", context.DeadlineExceeded), true},
		{"anything else", errors.New("something odd"), true},
	}
	for _, c := range cases {
		if got := MayHaveBeenApplied(c.err); got != c.want {
			t.Errorf("%s: MayHaveBeenApplied = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCreateSharing: a create that may have taken effect is never sent
// blind again. Against the in-process sandbox (whose clock, and so its Date
// header and dateCreated, is a fake one far from the wall clock): adopt
// exactly one, report several or a failed look, send once more when there is
// none, and never send a third POST.
func TestCreateSharing(t *testing.T) {
	t.Parallel()
	const title = "create once"
	dropAfter := sandbox.Fault{Method: "POST", Drop: true, AfterHandling: true, Times: 1}
	cases := []struct {
		name string
		// before makes sharings on the sandbox through its API (with the
		// clock moved by age first, then back), as another client would.
		before    []string
		age       time.Duration
		faults    []sandbox.Fault
		wantPOSTs int
		wantLinks int  // sharings titled title afterwards
		adopted   bool // Created.Adopted
		wantErr   string
		ambiguous int  // candidates of the *AmbiguousCreateError; -1 for a failed look
		noDate    bool // answers without a Date header
		hold      bool // the before sharings are held (HoldSharing)
	}{
		{name: "answered", wantPOSTs: 1, wantLinks: 1},
		{name: "connection dropped after the create", faults: []sandbox.Fault{dropAfter},
			wantPOSTs: 1, wantLinks: 1, adopted: true},
		{name: "502 after the create",
			faults:    []sandbox.Fault{{Method: "POST", Status: 502, AfterHandling: true, Times: 1}},
			wantPOSTs: 1, wantLinks: 1, adopted: true},
		{name: "empty body after the create",
			faults:    []sandbox.Fault{{Method: "POST", Status: 200, EmptyBody: true, AfterHandling: true, Times: 1}},
			wantPOSTs: 1, wantLinks: 1, adopted: true},
		{name: "dropped before the create: sent once more",
			faults:    []sandbox.Fault{{Method: "POST", Drop: true, Times: 1}},
			wantPOSTs: 2, wantLinks: 1},
		{name: "500 every time: never a third POST",
			faults:    []sandbox.Fault{{Method: "POST", Status: 500}},
			wantPOSTs: 2, wantLinks: 0, wantErr: "create sharing: HTTP 500"},
		{name: "refused (400): no look, no second POST",
			faults:    []sandbox.Fault{{Method: "POST", Status: 400, Body: `{"success":false,"message":"bad title"}`}},
			wantPOSTs: 1, wantLinks: 0, wantErr: "create sharing: HTTP 400: bad title"},
		{name: "several candidates", before: []string{title, title, "another title"}, faults: []sandbox.Fault{dropAfter},
			wantPOSTs: 1, wantLinks: 3, ambiguous: 3, wantErr: "3 sharings of that partner and title"},
		{name: "an older link of the same title is not a candidate", before: []string{title}, age: time.Hour,
			faults: []sandbox.Fault{dropAfter}, wantPOSTs: 1, wantLinks: 2, adopted: true},
		{name: "a held link of the same title, made the same second, is not a candidate", before: []string{title},
			hold: true, faults: []sandbox.Fault{dropAfter}, wantPOSTs: 1, wantLinks: 2, adopted: true},
		{name: "a link made 5 s before the request began is not a candidate", before: []string{title}, age: 5 * time.Second,
			faults: []sandbox.Fault{dropAfter}, wantPOSTs: 1, wantLinks: 2, adopted: true},
		{name: "without the API's clock, a link 4 min older still is", before: []string{title}, age: 4 * time.Minute,
			noDate: true, faults: []sandbox.Fault{dropAfter}, wantPOSTs: 1, wantLinks: 2, ambiguous: 2,
			wantErr: "2 sharings of that partner and title"},
		{name: "the look fails", faults: []sandbox.Fault{dropAfter, {Method: "GET", Status: 400}},
			wantPOSTs: 1, wantLinks: 1, ambiguous: -1, wantErr: "looking for it failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clocktest.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			if tc.noDate {
				clk = clocktest.NewFake(time.Now()) // without a Date, the window is on this machine's clock
			}
			srv, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: 2, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			h := srv.ServeHTTP
			if tc.noDate {
				h = withoutDate(h)
			}
			ts := serve(t, h)
			c := newTestClient(t, ts.URL, withRetries(1))
			for _, title := range tc.before {
				s, err := c.postSharing(t.Context(), 225, title)
				if err != nil {
					t.Fatal(err)
				}
				if tc.hold {
					c.HoldSharing(s.ID)
				}
			}
			clk.Advance(tc.age)
			srv.ResetRequests()
			for _, f := range tc.faults {
				srv.AddFault(f)
			}

			got, err := c.CreateSharing(t.Context(), 225, title)

			var links []sandbox.Sharing
			for _, s := range srv.Sharings() {
				if s.Title == title {
					links = append(links, s)
				}
			}
			if n := srv.Count("POST"); n != tc.wantPOSTs {
				t.Errorf("%d POSTs, want %d", n, tc.wantPOSTs)
			}
			if len(links) != tc.wantLinks {
				t.Errorf("%d sharings titled %q, want %d", len(links), title, tc.wantLinks)
			}
			var ambiguous *AmbiguousCreateError
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v", err)
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), testToken) || (len(links) > 0 && strings.Contains(err.Error(), links[0].Token)) {
					t.Errorf("error shows a secret: %v", err)
				}
				isAmbiguous := errors.As(err, &ambiguous)
				switch {
				case tc.ambiguous == 0 && isAmbiguous:
					t.Errorf("got an *AmbiguousCreateError: %v", err)
				case tc.ambiguous > 0 && (!isAmbiguous || len(ambiguous.Candidates) != tc.ambiguous || ambiguous.Cause == nil):
					t.Errorf("got %#v, want %d candidates", err, tc.ambiguous)
				case tc.ambiguous < 0 && (!isAmbiguous || ambiguous.LookErr == nil || ambiguous.Cause == nil):
					t.Errorf("got %#v, want a failed look", err)
				}
				return
			}
			last := links[len(links)-1]
			if got.Sharing.ID != last.ID || got.Sharing.Token != last.Token {
				t.Errorf("got sharing %d, want the one the POST made, %d", got.Sharing.ID, last.ID)
			}
			if got.Adopted != tc.adopted || (got.Cause != nil) != tc.adopted {
				t.Errorf("Adopted %v (cause %v), want %v", got.Adopted, got.Cause, tc.adopted)
			}
		})
	}
}

// TestCreateSharingSlowPOST: a POST whose answer was lost after 20 minutes
// (retries, a slow gateway) still finds the sharing it made: "since the
// request began" is moved onto the API's clock by the time the request took
// on ours, here far longer than createClockTolerance.
func TestCreateSharingSlowPOST(t *testing.T) {
	t.Parallel()
	srv, err := sandbox.New(sandbox.Options{Token: testToken,
		Clock: clocktest.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddFault(sandbox.Fault{Method: "POST", Drop: true, AfterHandling: true, Times: 1})
	c := newTestClient(t, serve(t, srv.ServeHTTP).URL, withRetries(0))
	ours := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // our clock, far from the API's
	var calls atomic.Int32
	c.now = func() time.Time {
		if calls.Add(1) == 1 {
			return ours // when the request began
		}
		return ours.Add(20 * time.Minute)
	}
	got, err := c.CreateSharing(t.Context(), 225, "slow")
	if err != nil || !got.Adopted || srv.Count("POST") != 1 {
		t.Fatalf("got %+v, %v after %d POSTs; want the one sharing adopted", got, err, srv.Count("POST"))
	}
}

// withoutDate serves h's answers without a Date header.
func withoutDate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h(noDateWriter{w}, r) }
}

type noDateWriter struct{ http.ResponseWriter }

func (w noDateWriter) WriteHeader(code int) {
	w.Header()["Date"] = nil // net/http then sends none
	w.ResponseWriter.WriteHeader(code)
}

func (w noDateWriter) Write(p []byte) (int, error) {
	w.Header()["Date"] = nil
	return w.ResponseWriter.Write(p)
}

// Unwrap lets a fault hijack the connection.
func (w noDateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// createMode is how the API answers one POST: "ok"; "500-after" and
// "dropped-after" once it made the link; "503-before" and "dropped-before"
// before it acted.
var createModes = []string{"ok", "500-after", "dropped-after", "503-before", "dropped-before"}

func createFault(mode string) sandbox.Fault {
	f := sandbox.Fault{Method: "POST", Times: 1}
	switch mode {
	case "500-after":
		f.Status, f.AfterHandling = 500, true
	case "dropped-after":
		f.Drop, f.AfterHandling = true, true
	case "503-before":
		f.Status = 503
	case "dropped-before":
		f.Drop = true
	}
	return f
}

// priorLink is a link in the account before the create: of its partner and
// title or not, revoked or live, held by this process (another resource's)
// or not, made age seconds before the request began.
type priorLink struct {
	partnerID     int64
	title         string
	revoked, held bool
	age           int
}

// TestCreateProperties: an ambiguous create adopts exactly one live link
// of its partner and title, never a revoked or foreign one, and never sends
// a third POST.
//
// The rule the outcome is checked against, stated once: a POST that was
// answered returns its link. One without a usable answer looks for the
// candidates: live links of its partner and title, held by no one, made at
// most 3 s before the request began (the API's clock; both it and
// dateCreated have whole seconds), its own link if the API made one. One
// candidate is adopted; several fail naming them; a failed look fails; none
// sends the POST once more, which is answered, adopted as the one candidate
// it made, or fails with its own error.
func TestCreateProperties(t *testing.T) {
	t.Parallel()
	const title = "ambiguous"
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rapid.Check(t, func(rt *rapid.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		priors := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) priorLink {
			return priorLink{
				partnerID: rapid.SampledFrom([]int64{225, 226}).Draw(rt, "partner"),
				title:     rapid.SampledFrom([]string{title, "another"}).Draw(rt, "title"),
				revoked:   rapid.Bool().Draw(rt, "revoked"),
				held:      rapid.Bool().Draw(rt, "held"),
				age:       rapid.SampledFrom([]int{0, 1, 2, 3, 4, 5, 60, 3600}).Draw(rt, "age"),
			}
		}), 0, 5).Draw(rt, "priors")
		first, second := rapid.SampledFrom(createModes).Draw(rt, "first POST"), rapid.SampledFrom(createModes).Draw(rt, "second POST")
		retries := rapid.IntRange(0, 2).Draw(rt, "retries")
		listFaults := rapid.IntRange(0, 3).Draw(rt, "503s on the look's first read")

		clk := clocktest.NewFake(start)
		srv, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: 2, MaxPerPage: 2, Clock: clk})
		if err != nil {
			rt.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		c := propClient(rt, Config{BaseURL: ts.URL, MaxRetries: retries})
		c.now = clk.Now // the request's time stands still: the window is exact

		// Oldest first, each at its age before the request begins.
		slices.SortStableFunc(priors, func(a, b priorLink) int { return b.age - a.age })
		maxAge := 0
		if len(priors) > 0 {
			maxAge = priors[0].age
		}
		want := map[int64]bool{} // the candidates before the create
		for _, p := range priors {
			clk.Set(start.Add(time.Duration(maxAge-p.age) * time.Second))
			s, err := c.postSharing(ctx, p.partnerID, p.title)
			if err != nil {
				rt.Fatal(err)
			}
			if p.revoked {
				if err := srv.Revoke(s.ID); err != nil {
					rt.Fatal(err)
				}
			}
			if p.held {
				c.HoldSharing(s.ID)
			}
			if p.partnerID == 225 && p.title == title && !p.revoked && !p.held && p.age <= 3 {
				want[s.ID] = true
			}
		}
		clk.Set(start.Add(time.Duration(maxAge) * time.Second))
		known := len(srv.Sharings())
		srv.ResetRequests()
		srv.AddFault(createFault(first))
		srv.AddFault(createFault(second))
		if listFaults > 0 {
			srv.AddFault(sandbox.Fault{Method: "GET", Status: 503, Times: listFaults})
		}

		got, err := c.CreateSharing(ctx, 225, title)

		if ctx.Err() != nil {
			rt.Fatalf("the create did not end within 20 s: %v", err)
		}
		made := srv.Sharings()[known:] // by this create's POSTs, in order
		madeID := func(i int) int64 {  // -1 when the POST made none
			if i < len(made) {
				return made[i].ID
			}
			return -1
		}
		if n := srv.Count("POST"); n > 2 {
			rt.Fatalf("%d POSTs: a third POST", n)
		}
		// The rule.
		applied := func(mode string) bool { return mode == "ok" || strings.HasSuffix(mode, "-after") }
		var wantSharing int64
		wantAdopted, wantLookErr, wantErr := false, false, false
		switch {
		case first == "ok":
			wantSharing = madeID(0)
		case listFaults > retries:
			wantLookErr = true
		default:
			if applied(first) {
				want[madeID(0)] = true
			}
			switch {
			case len(want) == 1:
				for id := range want {
					wantSharing, wantAdopted = id, true
				}
			case len(want) > 1:
			case second == "ok":
				wantSharing = madeID(0)
			case applied(second):
				wantSharing, wantAdopted = madeID(0), true
			default:
				wantErr = true
			}
		}
		var ambiguous *AmbiguousCreateError
		isAmbiguous := errors.As(err, &ambiguous)
		switch {
		case wantSharing != 0 && (err != nil || got.Sharing.ID != wantSharing || got.Adopted != wantAdopted):
			rt.Fatalf("got %+v, %v; want link %d, adopted %t", got, err, wantSharing, wantAdopted)
		case wantSharing != 0:
			sh, _ := srv.Sharing(got.Sharing.ID)
			if sh.Status == sandbox.StatusRevoked || sh.PartnerID != 225 || sh.Title != title {
				rt.Fatalf("adopted a revoked or foreign link: %+v", sh)
			}
		case wantLookErr && (!isAmbiguous || ambiguous.LookErr == nil):
			rt.Fatalf("got %+v, %v; want a failed look", got, err)
		case wantErr && (err == nil || isAmbiguous):
			rt.Fatalf("got %+v, %v; want the POST's own error", got, err)
		case !wantLookErr && !wantErr:
			var ids []int64
			if isAmbiguous {
				for _, s := range ambiguous.Candidates {
					ids = append(ids, s.ID)
				}
			}
			if !isAmbiguous || len(ids) != len(want) || !slices.ContainsFunc(ids, func(id int64) bool { return want[id] }) {
				rt.Fatalf("got %+v, %v; want the candidates %v named", got, err, want)
			}
			for _, id := range ids {
				if !want[id] {
					rt.Fatalf("candidate %d is not one: %v", id, ids)
				}
			}
		}
	})
}
