package albato

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// pagedServer serves pages[i-1] for ?page=i, with meta totalPages as given
// per page, and records the pages asked for.
type pagedServer struct {
	mu     sync.Mutex
	asked  []string
	pages  [][]string // sharing JSON per page
	totals []int      // totalPages announced by each page
}

func (p *pagedServer) handler(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page")
	p.mu.Lock()
	p.asked = append(p.asked, page)
	p.mu.Unlock()
	var n int
	if _, err := fmt.Sscan(page, &n); err != nil || n < 1 || n > len(p.pages) {
		writeJSON(w, 200, `{"success":true,"data":[],"meta":{"page":`+page+`,"totalPages":`+fmt.Sprint(len(p.pages))+`,"totalItemsCount":0}}`)
		return
	}
	writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
		strings.Join(p.pages[n-1], ","), n, p.totals[n-1], len(slices.Concat(p.pages...))))
}

func ids(ss []Sharing) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func TestListAllSharings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pages     [][]string
		totals    []int
		wantIDs   []int64
		wantAsked []string
	}{
		{
			name: "three pages, unsorted, with a duplicate",
			pages: [][]string{
				{sharingJSON(5, "tok-5aaa", 0), sharingJSON(3, "tok-3old", 0)},
				{sharingJSON(9, "tok-9aaa", 1), sharingJSON(3, "tok-3new", 2)},
				{sharingJSON(1, "tok-1aaa", 3)},
			},
			totals:    []int{3, 3, 3},
			wantIDs:   []int64{1, 3, 5, 9},
			wantAsked: []string{"1", "2", "3"},
		},
		{
			name:      "empty list",
			pages:     [][]string{{}},
			totals:    []int{0},
			wantIDs:   []int64{},
			wantAsked: []string{"1"},
		},
		{
			name: "an empty page does not end the listing: totalPages does",
			pages: [][]string{
				{sharingJSON(1, "tok-1aaa", 0)},
				{},
				{sharingJSON(3, "tok-3new", 0)},
			},
			totals:    []int{3, 3, 3},
			wantIDs:   []int64{1, 3},
			wantAsked: []string{"1", "2", "3"}, // 2 and 3 are asked for at once
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := &pagedServer{pages: tt.pages, totals: tt.totals}
			srv := serve(t, ps.handler)
			got, err := newTestClient(t, srv.URL).ListAllSharings(testContext(t))
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !slices.Equal(ids(got), tt.wantIDs) {
				t.Errorf("ids %v, want %v", ids(got), tt.wantIDs)
			}
			// Page 1 comes first; the others are asked for concurrently.
			if len(ps.asked) == 0 || ps.asked[0] != "1" {
				t.Errorf("asked for pages %v, want page 1 first", ps.asked)
			}
			if asked := slices.Sorted(slices.Values(ps.asked)); !slices.Equal(asked, tt.wantAsked) {
				t.Errorf("asked for pages %v, want %v in any order after page 1", ps.asked, tt.wantAsked)
			}
			for _, s := range got {
				if s.ID == 3 && s.Token != "tok-3new" {
					t.Errorf("duplicate id 3 kept token %q, want the one seen last", s.Token)
				}
				if s.ServerTime.IsZero() {
					t.Errorf("sharing %d has no ServerTime", s.ID)
				}
			}
		})
	}
}

func TestListSharingsPage(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "1":
			writeJSON(w, 200, `{"success":true,"data":[`+sharingJSON(61, "aZeZWFwAQQ", 1)+`],"meta":{"page":1,"totalPages":4,"totalItemsCount":31}}`)
		case "2": // no meta: taken as the last page
			writeJSON(w, 200, `{"success":true,"data":[`+sharingJSON(62, "bZeZWFwAQQ", 0)+`]}`)
		case "3":
			writeJSON(w, 200, `{"success":true,"data":[],"meta":{"page":3,"totalPages":"4"}}`)
		default:
			writeJSON(w, 200, `{"success":true,"data":{"id":1}}`)
		}
	})
	c := newTestClient(t, srv.URL)
	p, err := c.ListSharings(testContext(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Page != 1 || p.TotalPages != 4 || p.TotalItemsCount != 31 || !slices.Equal(ids(p.Sharings), []int64{61}) {
		t.Errorf("page %+v", p)
	}
	p, err = c.ListSharings(testContext(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &Page{Sharings: p.Sharings, Page: 2, TotalPages: 2, TotalItemsCount: 1}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("page without meta %+v, want %+v", p, want)
	}
	_, err = c.ListSharings(testContext(t), 3)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Operation != "list sharings" || !strings.Contains(apiErr.Message, "totalPages") {
		t.Errorf("bad meta: got %v", err)
	}
	_, err = c.ListSharings(testContext(t), 4)
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "malformed sharing list") {
		t.Errorf("object instead of list: got %v", err)
	}
	if _, err := c.ListSharings(testContext(t), 0); err == nil {
		t.Error("page 0 accepted")
	}
}

func TestListAllSharingsError(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Query().Get("page") == "2" {
			writeJSON(w, 401, `{"success":false,"message":"Unauthorized"}`)
			return
		}
		writeJSON(w, 200, `{"success":true,"data":[`+sharingJSON(1, "tok-1aaa", 0)+`],"meta":{"page":1,"totalPages":3,"totalItemsCount":3}}`)
	})
	got, err := newTestClient(t, srv.URL).ListAllSharings(testContext(t))
	if got != nil || !IsUnauthorized(err) || err.Error() != "list sharings: HTTP 401: Unauthorized" {
		t.Fatalf("got %v, %v", got, err)
	}
	// Pages 2 and 3 are asked for at once; page 2's refusal wins.
	if n := hits.Load(); n < 2 || n > 3 {
		t.Errorf("%d requests, want 2 or 3", n)
	}
}

// TestConcurrentUse shares one client among many goroutines (run with
// -race), with some transient failures on the way.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	ps := &pagedServer{
		pages:  [][]string{{sharingJSON(2, "tok-2aaa", 0)}, {sharingJSON(1, "tok-1aaa", 0)}},
		totals: []int{2, 2},
	}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%5 == 0 {
			writeJSON(w, 503, `{"success":false,"message":"busy"}`)
			return
		}
		if r.URL.Query().Has("page") {
			ps.handler(w, r)
			return
		}
		writeJSON(w, 200, okSharing(61))
	})
	var logs logRecorder
	c := newTestClient(t, srv.URL, withRetries(5), withLog(&logs))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				s, err := c.GetSharing(testContext(t), 61)
				if err == nil && s.ID != 61 {
					err = fmt.Errorf("got id %d", s.ID)
				}
				errs <- err
				return
			}
			all, err := c.ListAllSharings(testContext(t))
			if err == nil && !slices.Equal(ids(all), []int64{1, 2}) {
				err = fmt.Errorf("got ids %v", ids(all))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// familyServer plays a list endpoint the way Albato's sibling endpoints
// page: "page" (1-based) and "per-page", a default size of 20 that also
// serves when per-page is out of range, and meta totals. It may answer a
// page out of range with the last page, or ignore "page" altogether.
type familyServer struct {
	items, maxPerPage int
	ignorePage        bool
	mu                sync.Mutex
	asked             []string // "page/per-page" asked for
}

func (f *familyServer) handler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.asked = append(f.asked, q.Get("page")+"/"+q.Get("per-page"))
	f.mu.Unlock()
	size := 20
	if n, err := strconv.Atoi(q.Get("per-page")); err == nil && n >= 1 && n <= f.maxPerPage {
		size = n
	}
	total := max((f.items+size-1)/size, 1)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 || f.ignorePage {
		page = 1
	}
	page = min(page, total) // out of range: the last page
	var data []string
	for id := (page-1)*size + 1; id <= min(page*size, f.items); id++ {
		data = append(data, sharingJSON(int64(id), fmt.Sprintf("tok-%04d", id), 0))
	}
	writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
		strings.Join(data, ","), page, total, f.items))
}

// TestListAllSharingsPaging: whatever size the API grants, the list is read
// in full up to totalPages, asking per-page=50; an API that ignores the page
// is an error, never a loop or duplicated sharings.
func TestListAllSharingsPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		api        *familyServer
		wantPages  int
		wantErrSub string
	}{
		{name: "per-page 50 granted", api: &familyServer{items: 120, maxPerPage: 50}, wantPages: 3},
		{name: "per-page out of range falls back to 20", api: &familyServer{items: 45, maxPerPage: 40}, wantPages: 3},
		{name: "one page, out-of-range pages answered with the last", api: &familyServer{items: 7, maxPerPage: 50}, wantPages: 1},
		{name: "empty list", api: &familyServer{items: 0, maxPerPage: 50}, wantPages: 1},
		{name: "page ignored", api: &familyServer{items: 45, maxPerPage: 20, ignorePage: true}, wantPages: 3,
			wantErrSub: "page 2 repeats page 1"},
		{name: "page ignored on a 2-page account", api: &familyServer{items: 25, maxPerPage: 20, ignorePage: true}, wantPages: 2,
			wantErrSub: "page 2 repeats page 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := tc.api
			got, err := newTestClient(t, serve(t, api.handler).URL).ListAllSharings(testContext(t))
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("got %d sharings, %v; want an error with %q", len(got), err, tc.wantErrSub)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				want := make([]int64, tc.api.items)
				for i := range want {
					want[i] = int64(i + 1)
				}
				if !slices.Equal(ids(got), want) {
					t.Errorf("ids %v, want 1..%d once each in order", ids(got), tc.api.items)
				}
			}
			api.mu.Lock()
			asked := slices.Sorted(slices.Values(api.asked))
			api.mu.Unlock()
			var want []string
			for p := 1; p <= tc.wantPages; p++ {
				want = append(want, fmt.Sprintf("%d/50", p))
			}
			if !slices.Equal(asked, want) {
				t.Errorf("asked for %v, want %v (page/per-page, up to totalPages only)", asked, want)
			}
		})
	}
}

// A caller that has read page 1 already (to count the pages) lists the rest
// without reading it again.
func TestListAllSharingsFromFirstPage(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: 2, MaxPerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Token: testToken, AuthScheme: "Bearer"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.CreateSharing(testContext(t), 225, fmt.Sprintf("link %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListSharings(testContext(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	sb.ResetRequests()
	all, err := c.ListAllSharingsFrom(testContext(t), first)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("listed %d sharings, want 5", len(all))
	}
	var pages []string
	for _, r := range sb.Requests() {
		pages = append(pages, r.Query)
	}
	if len(pages) != 2 {
		t.Errorf("read %d pages (%v), want pages 2 and 3 only", len(pages), pages)
	}
}

// quirkyList is a list endpoint of links 1..n with the quirks APIs have:
// per-page ignored (its own size), page ignored, a page out of range
// answered with the last page or an empty one, one page answered with
// another's links, and a meta that says less than the pages hold.
type quirkyList struct {
	n, size, pages       int // pages: how many the links fill
	ignorePage, lastPage bool
	repeatAt, repeatFrom int // page repeatAt answers page repeatFrom's links; 0: none
	shownPages, shownN   int // the meta's totals
}

func drawQuirkyList(rt *rapid.T) *quirkyList {
	q := &quirkyList{n: rapid.IntRange(0, 130).Draw(rt, "links")}
	if rapid.Bool().Draw(rt, "per-page ignored") {
		q.size = rapid.IntRange(1, 30).Draw(rt, "own size")
	} else {
		q.size = min(ListPageSize, rapid.IntRange(1, 60).Draw(rt, "largest size"))
	}
	q.pages = (q.n + q.size - 1) / q.size
	q.ignorePage = rapid.Bool().Draw(rt, "page ignored")
	q.lastPage = rapid.Bool().Draw(rt, "out of range: the last page")
	if rapid.Bool().Draw(rt, "a repeated page") {
		q.repeatAt = rapid.IntRange(2, q.pages+2).Draw(rt, "repeated at")
		q.repeatFrom = rapid.IntRange(1, q.repeatAt-1).Draw(rt, "repeating")
	}
	q.shownPages, q.shownN = q.pages, q.n
	if q.n > 0 && rapid.Bool().Draw(rt, "meta says less") {
		// Less than the pages hold, in what a client reads up to the meta's
		// totalPages: a meta that its own pages agree with is no quirk a
		// client can see.
		q.shownPages = rapid.IntRange(0, q.pages).Draw(rt, "totalPages")
		held := min(q.n, max(q.shownPages, 1)*q.size)
		if q.shownN = rapid.IntRange(0, q.n).Draw(rt, "totalItemsCount"); q.shownN == held {
			q.shownN = held - 1 // held is at least 1: q.n > 0
		}
	}
	return q
}

// faithful reports whether a client reading up to totalPages meets no quirk.
func (q *quirkyList) faithful() bool {
	return !(q.ignorePage && q.shownPages >= 2) && !(q.repeatAt >= 2 && q.repeatAt <= q.shownPages) &&
		q.shownPages == q.pages && q.shownN == q.n
}

func (q *quirkyList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	asked, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || asked < 1 {
		writeJSON(w, 400, `{"success":false,"message":"bad page"}`)
		return
	}
	page := asked
	switch {
	case q.ignorePage:
		page = 1
	case page == q.repeatAt:
		page = q.repeatFrom
	}
	if page > q.pages && q.lastPage {
		page = q.pages
	}
	var data []string
	for id := (page-1)*q.size + 1; page >= 1 && id <= min(page*q.size, q.n); id++ {
		data = append(data, sharingJSON(int64(id), fmt.Sprintf("tok-%04d", id), 0))
	}
	writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
		strings.Join(data, ","), asked, q.shownPages, q.shownN))
}

// TestListProperties: a listing returns every link exactly once, or fails
// with a listing error, never a part of the list; and it succeeds against
// an API without quirks; over any number of links, page size and quirk.
func TestListProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		q := drawQuirkyList(rt)
		srv := httptest.NewServer(q)
		defer srv.Close()
		c := propClient(rt, Config{BaseURL: srv.URL, MaxRetries: 0})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		odd := func(s Sharing) bool { return s.ID%2 == 1 }
		var want []int64
		mode := rapid.SampledFrom([]string{"all", "matching", "union"}).Draw(rt, "listing")
		for id := int64(1); id <= int64(q.n); id++ {
			if mode == "all" || odd(Sharing{ID: id}) {
				want = append(want, id)
			}
		}
		var got []Sharing
		var err error
		switch mode {
		case "all":
			got, err = c.ListAllSharings(ctx)
		case "matching":
			got, err = c.ListSharingsMatching(ctx, odd, 0)
		default: // the look after an ambiguous create
			got, err = c.listSharings(ctx, listQuery{union: true, match: odd})
		}
		var apiErr *Error
		switch {
		case ctx.Err() != nil:
			rt.Fatalf("the listing did not stop within 10 s: %v", err)
		case err == nil && !slices.Equal(ids(got), want):
			rt.Fatalf("got %d sharings %v, want %d (every one once, in order): a part of the list with no error",
				len(got), ids(got), len(want))
		case err != nil && q.faithful():
			rt.Fatalf("an API without quirks: %v", err)
		case err != nil && (!errors.As(err, &apiErr) || apiErr.Operation != "list sharings"):
			rt.Fatalf("error %v, want a listing's *Error", err)
		}
	})
}

// TestListMetaSaysLess: pages that hold more sharings than page 1 counts
// (or fewer, as when totalPages is short) are an error naming both, never
// the part of the list that was read.
func TestListMetaSaysLess(t *testing.T) {
	t.Parallel()
	three := strings.Join([]string{sharingJSON(1, "tok-1aaa", 0), sharingJSON(2, "tok-2aaa", 0), sharingJSON(3, "tok-3aaa", 0)}, ",")
	for _, tc := range []struct{ name, meta, want string }{
		{"0 pages and 0 sharings", `{"page":1,"totalPages":0,"totalItemsCount":0}`, "page 1 counts 0 sharings on 0 pages, but the 1 pages read hold 3"},
		{"1 page of 17 sharings", `{"page":1,"totalPages":1,"totalItemsCount":17}`, "page 1 counts 17 sharings on 1 pages, but the 1 pages read hold 3"},
		{"1 page of 2 sharings", `{"page":1,"totalPages":1,"totalItemsCount":2}`, "page 1 counts 2 sharings on 1 pages, but the 1 pages read hold 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, `{"success":true,"data":[`+three+`],"meta":`+tc.meta+`}`)
			})
			got, err := newTestClient(t, srv.URL).ListAllSharings(testContext(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %d sharings, %v; want an error with %q", len(got), err, tc.want)
			}
		})
	}
}

// An API that ignores page, on an account of two pages of 20 (25 links, or
// 40, where page 1 read twice holds as many as the meta counts): every
// listing fails with a listing error, never returns the 20 of page 1 as if
// they were all.
func TestListPageIgnoredOnTwoPages(t *testing.T) {
	t.Parallel()
	for _, n := range []int{25, 40} {
		q := &quirkyList{n: n, size: 20, pages: 2, ignorePage: true, shownPages: 2, shownN: n}
		c := newTestClient(t, serve(t, q.ServeHTTP).URL, withRetries(0))
		all := func(Sharing) bool { return true }
		for name, list := range map[string]func(context.Context) ([]Sharing, error){
			"all":      c.ListAllSharings,
			"matching": func(ctx context.Context) ([]Sharing, error) { return c.ListSharingsMatching(ctx, all, 0) },
			"union": func(ctx context.Context) ([]Sharing, error) {
				return c.listSharings(ctx, listQuery{union: true, match: all})
			},
		} {
			got, err := list(testContext(t))
			var apiErr *Error
			if err == nil || !errors.As(err, &apiErr) || apiErr.Operation != "list sharings" {
				t.Errorf("%d links, %s: got %d sharings, %v; want a listing error", n, name, len(got), err)
			}
		}
	}
}

// matchingWorld is a sandbox account of n sharings at pageSize a page, the
// last three of partner 227 and the others of partner 225.
func matchingWorld(t *testing.T, n, pageSize int, opts ...func(*sandbox.Options)) (*sandbox.Server, *Client) {
	t.Helper()
	o := sandbox.Options{Token: testToken, PageSize: pageSize, MaxPerPage: pageSize}
	for _, f := range opts {
		f(&o)
	}
	sb, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	// Seeded through the handler itself: through the network an account
	// of 10,000 would be slow to set up.
	for i := range n {
		partner := 225
		if i >= n-3 {
			partner = 227
		}
		req := httptest.NewRequest(http.MethodPost, "/credentials/grant-access-sharing",
			strings.NewReader(fmt.Sprintf(`{"partnerId":%d,"title":"link %d"}`, partner, i)))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		var created struct {
			Data struct{ ID int64 } `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.Data.ID == 0 {
			t.Fatalf("seeding sharing %d: HTTP %d %s", i, rec.Code, rec.Body.String())
		}
	}
	sb.ResetRequests()
	return sb, newTestClient(t, srv.URL, func(c *Config) { c.AuthScheme = "Bearer" })
}

// pagesRead are the page numbers the sandbox was asked for, sorted.
func pagesRead(t *testing.T, sb *sandbox.Server) []int {
	t.Helper()
	var pages []int
	for _, r := range sb.Requests() {
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil {
			t.Fatalf("request %s %s?%s has no page", r.Method, r.Path, r.Query)
		}
		pages = append(pages, n)
	}
	slices.Sort(pages)
	return pages
}

func partner(id int64) func(Sharing) bool {
	return func(s Sharing) bool { return s.PartnerID == id }
}

// A query of an account of 10,000 reads each of its 200 pages once, and a
// limit stops the reading at the page that completes it.
func TestListSharingsMatchingRequests(t *testing.T) {
	t.Parallel()
	sb, c := matchingWorld(t, 10000, 50)
	cases := []struct {
		name      string
		match     func(Sharing) bool
		limit     int
		wantN     int
		wantPages int // pages 1..wantPages, each once
	}{
		{"everything", nil, 0, 10000, 200},
		{"a filter that matches the last three", partner(227), 0, 3, 200},
		{"a limit that the last page completes", partner(227), 100, 3, 200},
		{"limit 10", nil, 10, 10, 1},
		{"limit 50, one full page", nil, 50, 50, 1},
		{"limit 51", nil, 51, 51, 2},
		{"limit 100, two full pages", nil, 100, 100, 2},
		{"limit 120", partner(225), 120, 120, 3},
		{"limit 1 with a filter that page 1 satisfies", partner(225), 1, 1, 1},
	}
	for _, tc := range cases {
		// Sequential: they share the sandbox's request log.
		sb.ResetRequests()
		got, err := c.ListSharingsMatching(testContext(t), tc.match, tc.limit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != tc.wantN {
			t.Errorf("%s: %d sharings, want %d", tc.name, len(got), tc.wantN)
		}
		if !slices.IsSortedFunc(got, byID) {
			t.Errorf("%s: not sorted by id", tc.name)
		}
		pages := pagesRead(t, sb)
		want := make([]int, tc.wantPages)
		for i := range want {
			want[i] = i + 1
		}
		if !slices.Equal(pages, want) {
			t.Errorf("%s: read pages %v, want 1..%d each once (%d requests)", tc.name, pages, tc.wantPages, len(pages))
		}
		t.Logf("%s: %d requests", tc.name, len(pages))
	}
}

// With a limit, the results are the first matching sharings by id, as a
// reading of the whole list would give them.
func TestListSharingsMatchingFirstByID(t *testing.T) {
	t.Parallel()
	_, c := matchingWorld(t, 30, 4)
	all, err := c.ListAllSharings(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	odd := func(s Sharing) bool { return s.ID%2 == 1 }
	var want []int64
	for _, s := range all {
		if odd(s) && len(want) < 7 {
			want = append(want, s.ID)
		}
	}
	got, err := c.ListSharingsMatching(testContext(t), odd, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("got %v, want %v", ids(got), want)
	}
}

// An API that ignores the page parameter is the listing's error, worded as
// the full listing words it, not an endless loop or duplicated sharings.
func TestListSharingsMatchingRepeatedPage(t *testing.T) {
	t.Parallel()
	_, c := matchingWorld(t, 10, 4, func(o *sandbox.Options) { o.IgnorePage = true })
	_, wantErr := c.ListAllSharings(testContext(t))
	_, err := c.ListSharingsMatching(testContext(t), nil, 0)
	if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
		t.Fatalf("got %v, want the full listing's error %v", err, wantErr)
	}
	if !strings.Contains(err.Error(), "page 2 repeats page 1") {
		t.Errorf("error %q does not name the repeated page", err)
	}
}
