package albato

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
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
	writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":99}}`,
		strings.Join(p.pages[n-1], ","), n, p.totals[n-1]))
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
			name: "empty page ends the listing",
			pages: [][]string{
				{sharingJSON(1, "tok-1aaa", 0)},
				{},
				{sharingJSON(3, "tok-3aaa", 0)},
			},
			totals:    []int{3, 3, 3},
			wantIDs:   []int64{1},
			wantAsked: []string{"1", "2", "3"}, // 2 and 3 are asked for at once
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := &pagedServer{pages: tt.pages, totals: tt.totals}
			srv := serve(t, ps.handler)
			got, err := newTestClient(t, srv.URL).ListAllSharings(context.Background())
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
	p, err := c.ListSharings(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Page != 1 || p.TotalPages != 4 || p.TotalItemsCount != 31 || !slices.Equal(ids(p.Sharings), []int64{61}) {
		t.Errorf("page %+v", p)
	}
	p, err = c.ListSharings(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &Page{Sharings: p.Sharings, Page: 2, TotalPages: 2, TotalItemsCount: 1}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("page without meta %+v, want %+v", p, want)
	}
	_, err = c.ListSharings(context.Background(), 3)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Operation != "list sharings" || !strings.Contains(apiErr.Message, "totalPages") {
		t.Errorf("bad meta: got %v", err)
	}
	_, err = c.ListSharings(context.Background(), 4)
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "malformed sharing list") {
		t.Errorf("object instead of list: got %v", err)
	}
	if _, err := c.ListSharings(context.Background(), 0); err == nil {
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
	got, err := newTestClient(t, srv.URL).ListAllSharings(context.Background())
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
				s, err := c.GetSharing(context.Background(), 61)
				if err == nil && s.ID != 61 {
					err = fmt.Errorf("got id %d", s.ID)
				}
				errs <- err
				return
			}
			all, err := c.ListAllSharings(context.Background())
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
