package albato

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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
