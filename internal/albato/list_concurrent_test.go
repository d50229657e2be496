package albato

// list.go's concurrent reading of pages, apart from list_test.go, which with
// these tests would pass 1,000 lines.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// listPage is what a listServer answers for one page.
type listPage struct {
	items      []string // sharing JSON
	totalPages int
	totalItems int
	delay      time.Duration
}

// listServer answers ?page=N with page(N), after its delay (cut short when
// the client goes away).
func listServer(t testing.TB, page func(n int) listPage) string {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			writeJSON(w, 400, `{"success":false,"message":"bad page"}`)
			return
		}
		p := page(n)
		if p.delay > 0 {
			select {
			case <-time.After(p.delay):
			case <-r.Context().Done():
				return
			}
		}
		writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
			strings.Join(p.items, ","), n, p.totalPages, p.totalItems))
	}).URL
}

// numberedPage holds ids (n-1)*size+1 .. n*size, in descending order.
func numberedPage(n, size int) []string {
	out := make([]string, size)
	for i := range size {
		id := int64(n*size - i)
		out[i] = sharingJSON(id, fmt.Sprintf("tok-%05d", id), 0)
	}
	return out
}

func TestListAllSharingsBoundsConcurrency(t *testing.T) {
	t.Parallel()
	const pages = 41
	var inFlight, peak atomic.Int32
	var mu sync.Mutex
	reached := make(chan struct{}) // closed once ListConcurrency requests are in flight
	var once sync.Once
	url := listServer(t, func(n int) listPage {
		p := listPage{items: numberedPage(n, 2), totalPages: pages, totalItems: 2 * pages}
		if n == 1 {
			return p
		}
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		mu.Lock()
		peak.Store(max(peak.Load(), now))
		mu.Unlock()
		if now >= ListConcurrency {
			once.Do(func() { close(reached) })
		}
		// Hold the first requests until the bound is reached (or 2 s have
		// passed, should it never be), then let every request take a
		// moment, so that a client over the bound would show.
		select {
		case <-reached:
			time.Sleep(5 * time.Millisecond)
		case <-time.After(2 * time.Second):
		}
		return p
	})
	got, err := newTestClient(t, url).ListAllSharings(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*pages {
		t.Errorf("got %d sharings, want %d", len(got), 2*pages)
	}
	if p := peak.Load(); p != ListConcurrency {
		t.Errorf("at most %d page requests were in flight at once, want exactly %d", p, ListConcurrency)
	}
}

func TestListAllSharingsKeepsOrder(t *testing.T) {
	t.Parallel()
	const pages, size = 30, 3
	var asked sync.Map
	url := listServer(t, func(n int) listPage {
		asked.Store(n, true)
		// The count holds page 4's extra copy of id 9, as an API's would.
		p := listPage{items: numberedPage(n, size), totalPages: pages, totalItems: pages*size + 1}
		// Later pages answer first.
		p.delay = time.Duration(pages-n) * time.Millisecond
		switch n {
		case 3: // id 9 also appears on page 4, which answers before page 3
			p.delay = 40 * time.Millisecond
		case 4:
			p.items = append(p.items, sharingJSON(9, "tok-9new", 1))
		}
		return p
	})
	got, err := newTestClient(t, url).ListAllSharings(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, pages*size)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("ids %v, want 1..%d in order", ids(got), pages*size)
	}
	if got[8].Token != "tok-9new" || got[8].Status != StatusGranted {
		t.Errorf("id 9 kept %q (status %d), want the copy from the later page", got[8].Token, got[8].Status)
	}
	for n := 1; n <= pages; n++ {
		if _, ok := asked.Load(n); !ok {
			t.Errorf("page %d never asked for", n)
		}
	}
}

func TestListAllSharingsListChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                        string
		page, totalPages, totalItem int // what page reports
		want                        string
	}{
		{"more pages", 7, 21, 401, "page 1 counted 400 sharings on 20 pages, page 7 counts 401 on 21 pages"},
		{"fewer pages", 7, 19, 380, "page 1 counted 400 sharings on 20 pages, page 7 counts 380 on 19 pages"},
		{"same pages, other count", 7, 20, 399, "page 1 counted 400 sharings on 20 pages, page 7 counts 399 on 20 pages"},
		// The first and the last page read after page 1: the change is
		// kept by its page, at either end of the reading.
		{"on page 2", 2, 21, 401, "page 1 counted 400 sharings on 20 pages, page 2 counts 401 on 21 pages"},
		{"on the last page", 20, 21, 401, "page 1 counted 400 sharings on 20 pages, page 20 counts 401 on 21 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := listServer(t, func(n int) listPage {
				p := listPage{items: numberedPage(n, 20), totalPages: 20, totalItems: 400}
				if n == tt.page {
					p.totalPages, p.totalItems = tt.totalPages, tt.totalItem
				}
				return p
			})
			got, err := newTestClient(t, url).ListAllSharings(testContext(t))
			var apiErr *Error
			if got != nil || !errors.As(err, &apiErr) {
				t.Fatalf("got %d sharings and %v, want an *Error", len(got), err)
			}
			if apiErr.Operation != "list sharings" || !strings.Contains(apiErr.Message, "changed while it was being read") ||
				!strings.Contains(apiErr.Message, tt.want) || !strings.Contains(apiErr.Message, "read it again") {
				t.Errorf("error %q", err)
			}
		})
	}
}

// TestListAllSharingsReadsAgainWhenChanged checks that a list which changes
// while it is read (a link created meanwhile) is read again from page 1,
// and that one which keeps changing fails after ListReadings readings.
func TestListAllSharingsReadsAgainWhenChanged(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		changes       int // readings during which page 3 counts another list
		wantFirstPage int32
		wantErr       bool
	}{
		{"changes once", 1, 2, false},
		{"changes twice", 2, 3, false},
		{"keeps changing", math.MaxInt32, ListReadings, true}, // for ever: a loop without its bound ends only at the deadline
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var firstPages, thirdPages atomic.Int32
			url := listServer(t, func(n int) listPage {
				p := listPage{items: numberedPage(n, 20), totalPages: 5, totalItems: 100}
				switch n {
				case 1:
					firstPages.Add(1)
				case 3:
					if thirdPages.Add(1) <= int32(tt.changes) {
						p.totalItems = 101
					}
				}
				return p
			})
			got, err := newTestClient(t, url).ListAllSharings(testContext(t))
			if n := firstPages.Load(); n != tt.wantFirstPage {
				t.Errorf("page 1 read %d times, want %d", n, tt.wantFirstPage)
			}
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "changed while it was being read") {
					t.Fatalf("got %d sharings and %v, want the list-changed error", len(got), err)
				}
				return
			}
			if err != nil || len(got) != 100 {
				t.Fatalf("got %d sharings and %v, want all 100", len(got), err)
			}
		})
	}
}

// TestFindSharingsOnAChangingList checks that a union listing, unlike
// ListAllSharings, answers on a list that changes at every reading: it
// reads it ListReadings times and returns what matched in any of them.
func TestFindSharingsOnAChangingList(t *testing.T) {
	t.Parallel()
	var readings atomic.Int32
	url := listServer(t, func(n int) listPage {
		if n == 1 {
			readings.Add(1)
		}
		p := listPage{items: numberedPage(n, 20), totalPages: 5, totalItems: 100}
		if n == 3 {
			p.totalItems = 100 + int(readings.Load()) // a link created during every reading
		}
		return p
	})
	got, err := newTestClient(t, url).listSharings(testContext(t), listQuery{match: func(s Sharing) bool { return s.ID%10 == 0 }, union: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}; !slices.Equal(ids(got), want) {
		t.Errorf("found %v, want %v", ids(got), want)
	}
	if n := readings.Load(); n != ListReadings {
		t.Errorf("read the list %d times, want %d", n, ListReadings)
	}
}

// TestFindSharingsStable checks that a list that does not change is read
// once, and that a failed page is an error.
func TestFindSharingsStable(t *testing.T) {
	t.Parallel()
	var readings atomic.Int32
	url := listServer(t, func(n int) listPage {
		if n == 1 {
			readings.Add(1)
		}
		return listPage{items: numberedPage(n, 20), totalPages: 3, totalItems: 60}
	})
	got, err := newTestClient(t, url).listSharings(testContext(t), listQuery{match: func(s Sharing) bool { return s.ID == 42 }, union: true})
	if err != nil || len(got) != 1 || got[0].ID != 42 || readings.Load() != 1 {
		t.Errorf("got %v, %v after %d readings; want id 42 after one", ids(got), err, readings.Load())
	}

	failing := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"success":false,"message":"Gone"}`)
	})
	if got, err := newTestClient(t, failing.URL, withRetries(0)).listSharings(testContext(t), listQuery{match: func(Sharing) bool { return true }, union: true}); statusOf(err) != 404 || IsNotFound(err) {
		t.Errorf("got %v, %v; want the 404", got, err)
	}
}

// TestListAllSharingsFailureCancels checks that one failed page ends the
// listing at once, cancelling the requests in flight, and that its error,
// not a cancellation, is returned.
func TestListAllSharingsFailureCancels(t *testing.T) {
	t.Parallel()
	var cancelled atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		switch {
		case n == 1:
		case n == 5:
			time.Sleep(20 * time.Millisecond)
			writeJSON(w, 404, `{"success":false,"message":"Page gone"}`)
			return
		default: // hang until the client gives up
			select {
			case <-r.Context().Done():
				cancelled.Add(1)
				return
			case <-time.After(10 * time.Second):
			}
		}
		writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":50,"totalItemsCount":100}}`,
			strings.Join(numberedPage(n, 2), ","), n))
	})
	start := time.Now()
	got, err := newTestClient(t, srv.URL, withRetries(0)).ListAllSharings(testContext(t))
	if got != nil || statusOf(err) != 404 || err.Error() != "list sharings: HTTP 404: Page gone" {
		t.Fatalf("got %v, %v", got, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: the requests in flight were not cancelled", d)
	}
}

func TestListAllSharingsCallerCancels(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(testContext(t))
	url := listServer(t, func(n int) listPage {
		p := listPage{items: numberedPage(n, 2), totalPages: 30, totalItems: 60}
		if n == 4 {
			cancel()
		}
		if n > 1 {
			p.delay = 50 * time.Millisecond
		}
		return p
	})
	got, err := newTestClient(t, url).ListAllSharings(ctx)
	if got != nil || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "list sharings: ") {
		t.Fatalf("got %d sharings, %v; want a cancellation", len(got), err)
	}
}

func TestListAllSharingsTooManyPages(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	url := listServer(t, func(n int) listPage {
		hits.Add(1)
		return listPage{items: numberedPage(n, 1), totalPages: maxListPages + 1, totalItems: maxListPages + 1}
	})
	_, err := newTestClient(t, url).ListAllSharings(testContext(t))
	var apiErr *Error
	if !errors.As(err, &apiErr) || !strings.Contains(err.Error(), "more than the 10000") || hits.Load() != 1 {
		t.Fatalf("got %v after %d requests", err, hits.Load())
	}
}

func TestMergePages(t *testing.T) {
	t.Parallel()
	s := func(id int64, tok string) Sharing { return Sharing{ID: id, Token: tok} }
	tests := []struct {
		name  string
		pages [][]Sharing
		want  []Sharing
	}{
		{"nothing", [][]Sharing{nil}, []Sharing{}},
		{"sorted", [][]Sharing{{s(1, "a"), s(2, "b")}, {s(3, "c")}}, []Sharing{s(1, "a"), s(2, "b"), s(3, "c")}},
		{"unsorted", [][]Sharing{{s(5, "a"), s(2, "b")}, {s(3, "c")}}, []Sharing{s(2, "b"), s(3, "c"), s(5, "a")}},
		{"shifted item, later page wins", [][]Sharing{{s(1, "a"), s(2, "old")}, {s(2, "new"), s(3, "c")}},
			[]Sharing{s(1, "a"), s(2, "new"), s(3, "c")}},
		{"shifted item, unsorted", [][]Sharing{{s(2, "old"), s(1, "a")}, {s(3, "c"), s(2, "new")}},
			[]Sharing{s(1, "a"), s(2, "new"), s(3, "c")}},
		{"empty page in between", [][]Sharing{{s(1, "a")}, {}, {s(3, "c")}}, []Sharing{s(1, "a"), s(3, "c")}},
	}
	for _, tt := range tests {
		got := mergePages(tt.pages)
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// sharingPages builds pages of sharings with ascending ids, as the API
// lists them.
func sharingPages(pages, size int) [][]Sharing {
	out := make([][]Sharing, pages)
	cred := int64(248)
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for p := range pages {
		out[p] = make([]Sharing, size)
		for i := range size {
			id := int64(p*size + i + 1)
			out[p][i] = Sharing{ID: id, PartnerID: 225, Token: fmt.Sprintf("tok%07d", id), Status: StatusGranted,
				CredentialID: &cred, Title: "Connection by link", DateCreated: &created}
		}
	}
	return out
}

// BenchmarkMergePages merges 500 pages of 20 sharings (10,000), as a list
// of that size is read: already in id order, so no sort.
func BenchmarkMergePages(b *testing.B) {
	pages := sharingPages(500, 20)
	b.ReportAllocs()
	for b.Loop() {
		if got := mergePages(pages); len(got) != 10000 {
			b.Fatalf("got %d", len(got))
		}
	}
}

// BenchmarkMergePagesUnsorted merges the same 10,000 sharings with every
// page reversed, so that the sort runs.
func BenchmarkMergePagesUnsorted(b *testing.B) {
	pages := sharingPages(500, 20)
	for _, p := range pages {
		slices.Reverse(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := mergePages(pages); len(got) != 10000 {
			b.Fatalf("got %d", len(got))
		}
	}
}

// BenchmarkListAllSharings10k reads 10,000 sharings in 500 pages of 20 from
// a local server with no latency: the client's own cost of a big list
// (HTTP, decoding, merging), with its allocations.
func BenchmarkListAllSharings10k(b *testing.B) {
	const pages, size = 500, 20
	bodies := make([][]byte, pages+1)
	for n := 1; n <= pages; n++ {
		items := make([]string, size)
		for i := range size {
			id := int64((n-1)*size + i + 1)
			items[i] = sharingJSON(id, fmt.Sprintf("tok%07d", id), i%4)
		}
		bodies[n] = fmt.Appendf(nil, `{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
			strings.Join(items, ","), n, pages, pages*size)
	}
	srv := serve(b, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bodies[n])
	})
	c := newTestClient(b, srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		all, err := c.ListAllSharings(context.Background())
		if err != nil || len(all) != pages*size {
			b.Fatalf("got %d sharings, %v", len(all), err)
		}
	}
}

// The last page count that is read in full: maxListPages itself.
func TestListAllSharingsAtMostPages(t *testing.T) {
	t.Parallel()
	url := listServer(t, func(n int) listPage {
		return listPage{items: numberedPage(n, 1), totalPages: maxListPages, totalItems: maxListPages}
	})
	// 10,000 requests: a deadline of its own, longer than testContext's.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	got, err := newTestClient(t, url).ListAllSharings(ctx)
	if err != nil || len(got) != maxListPages {
		t.Fatalf("got %d sharings, %v; want %d", len(got), err, maxListPages)
	}
}
