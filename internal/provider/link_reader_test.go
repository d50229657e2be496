package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// newReaderWorld starts a sandbox holding n sharings, listed pageSize a page,
// and returns a client for it and the ids.
func newReaderWorld(t *testing.T, n, pageSize int) (*sandbox.Server, *albato.Client, []int64) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: pageSize, MaxPerPage: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := albato.New(albato.Config{BaseURL: srv.URL, Token: testToken, AuthScheme: "Bearer", RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Seeded through the handler itself: the client and the network
	// would make an account of 10,000 slow to set up.
	ids := make([]int64, n)
	for i := range ids {
		req := httptest.NewRequest(http.MethodPost, "/credentials/grant-access-sharing",
			strings.NewReader(fmt.Sprintf(`{"partnerId":225,"title":"link %d"}`, i)))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		var created struct {
			Data struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.Data.ID == 0 {
			t.Fatalf("seeding link %d: HTTP %d %s", i, rec.Code, rec.Body.String())
		}
		ids[i] = created.Data.ID
	}
	sb.ResetRequests()
	return sb, c, ids
}

// readAll refreshes ids through one reader, parallelism at a time, as
// Terraform's refresh does, and returns what each read gave.
func readAll(t *testing.T, r *sharingReader, ids []int64, parallelism int) map[int64]*albato.Sharing {
	t.Helper()
	var (
		mu   sync.Mutex
		got  = map[int64]*albato.Sharing{}
		wg   sync.WaitGroup
		next = make(chan int64)
	)
	for range parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				s, err := r.Get(t.Context(), id)
				if err != nil && !albato.IsNotFound(err) {
					t.Errorf("reading %d: %v", id, err)
				}
				mu.Lock()
				got[id] = s
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	return got
}

// The targets for reading many links (DESIGN.md): a plan of 500 links in an
// account of 10 pages costs at most 30 requests, one link in a large account 2.
func TestSharingReaderRequestCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name               string
		account, refreshed int
		pageSize           int
		maxRequests        int
	}{
		{"500 links in an account of 500 at 50 a page", 500, 500, 50, 30},
		{"1 link in an account of 10,000 at 50 a page", 10000, 1, 50, 2},
		{"2 links in an account of 10,000 at 50 a page", 10000, 2, 50, 3},
		{"30 links in an account of 100 at 50 a page", 100, 30, 50, 6},
		{"100 links in an account of 100 at 50 a page", 100, 100, 50, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sb, client, ids := newReaderWorld(t, c.account, c.pageSize)
			got := readAll(t, &sharingReader{client: client, pages: 0}, ids[:c.refreshed], 10)
			for _, id := range ids[:c.refreshed] {
				if got[id] == nil || got[id].ID != id {
					t.Fatalf("link %d read as %+v", id, got[id])
				}
			}
			n := len(sb.Requests())
			t.Logf("%d requests", n)
			if n > c.maxRequests {
				t.Errorf("%d requests, want at most %d", n, c.maxRequests)
			}
		})
	}
}

// The reader's thresholds, read one link at a time: a GET for the first
// link; page 1 at the second, which serves it when it is there and tells the
// account's pages; GETs until they number the pages; then one listing from
// page 2 serves the rest.
func TestSharingReaderRequestSequence(t *testing.T) {
	t.Parallel()
	sb, client, ids := newReaderWorld(t, 100, 10) // 10 pages; page 1 holds ids[:10]
	get := func(from, to int) []string {
		var out []string
		for _, id := range ids[from:to] {
			out = append(out, fmt.Sprintf("GET %d", id))
		}
		return out
	}
	pages := func(from, to int) []string {
		var out []string
		for p := from; p <= to; p++ {
			out = append(out, fmt.Sprintf("page %d", p))
		}
		return out
	}
	cases := []struct {
		name string
		read []int64
		want []string
	}{
		{"the second link on page 1", []int64{ids[20], ids[5]}, append(get(20, 21), "page 1")},
		{"the second link first on page 1", []int64{ids[20], ids[0]}, append(get(20, 21), "page 1")},
		{"30 links past page 1", ids[10:40], slices.Concat(get(10, 11), pages(1, 1), get(11, 20), pages(2, 10))},
	}
	for _, c := range cases {
		sb.ResetRequests()
		got := readAll(t, &sharingReader{client: client}, c.read, 1)
		for _, id := range c.read {
			if got[id] == nil || got[id].ID != id {
				t.Fatalf("%s: link %d read as %+v", c.name, id, got[id])
			}
		}
		// A listing reads its pages at once, in any order: each run of
		// pages is compared in page order.
		var sent []string
		var run []int
		for _, r := range append(sb.Requests(), sandbox.Request{}) {
			q, _ := url.ParseQuery(r.Query)
			if p, err := strconv.Atoi(q.Get("page")); err == nil {
				run = append(run, p)
				continue
			}
			slices.Sort(run)
			for _, p := range run {
				sent = append(sent, fmt.Sprintf("page %d", p))
			}
			if run = nil; r.Path != "" {
				sent = append(sent, "GET "+path.Base(r.Path))
			}
		}
		if !slices.Equal(sent, c.want) {
			t.Errorf("%s: requests\n%v\nwant\n%v", c.name, sent, c.want)
		}
	}
}

// Whatever happened outside Terraform shows, whichever way a link was read:
// a grant, a revoke, and a link gone from the account.
func TestSharingReaderSeesChanges(t *testing.T) {
	t.Parallel()
	sb, client, ids := newReaderWorld(t, 120, 10)
	granted, revoked, removed := ids[3], ids[60], ids[119]
	if _, err := sb.Grant(granted); err != nil {
		t.Fatal(err)
	}
	if err := sb.Revoke(revoked); err != nil {
		t.Fatal(err)
	}
	if err := sb.Remove(removed); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, &sharingReader{client: client, pages: 0}, ids, 10)
	if s := got[granted]; s == nil || s.Status != albato.StatusGranted || s.CredentialID == nil {
		t.Errorf("granted link read as %+v", s)
	}
	if s := got[revoked]; s == nil || s.Status != albato.StatusRevoked {
		t.Errorf("revoked link read as %+v", s)
	}
	if s := got[removed]; s != nil {
		t.Errorf("removed link read as %+v, want a 404", s)
	}
	if n := len(sb.Requests()); n >= len(ids) {
		t.Errorf("%d requests for %d links: the listing was not used", n, len(ids))
	}
}

// A reader that may not batch GETs every link and never lists, however many
// links refresh; one whose first listing fails GETs from then on, without
// listing again, and still reads every link.
func TestSharingReaderFallsBackToGETs(t *testing.T) {
	t.Parallel()
	sb, direct, ids := newReaderWorld(t, 100, 10)
	// In front of the sandbox: every listing fails (and is counted here, as
	// the sandbox never sees it), every GET works.
	var listings atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("page") {
			listings.Add(1)
			http.Error(w, `{"success":false,"message":"listing refused for the test"}`, http.StatusBadRequest)
			return
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	failingLists, err := albato.New(albato.Config{BaseURL: srv.URL, Token: testToken, AuthScheme: "Bearer", RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name         string
		reader       *sharingReader
		wantListings int64
	}{
		{"without batch", &sharingReader{client: direct, pages: -1}, 0},
		{"after a failed listing", &sharingReader{client: failingLists, pages: 0}, 1},
	} {
		sb.ResetRequests()
		listings.Store(0)
		got := readAll(t, c.reader, ids[:30], 1)
		for _, id := range ids[:30] {
			if got[id] == nil || got[id].ID != id {
				t.Fatalf("%s: link %d read as %+v", c.name, id, got[id])
			}
		}
		gets := 0
		for _, r := range sb.Requests() {
			if r.Method != http.MethodGet || strings.Contains(r.Query, "page") {
				t.Errorf("%s: unexpected request %s %s?%s", c.name, r.Method, r.Path, r.Query)
				continue
			}
			gets++
		}
		if n := listings.Load(); n != c.wantListings || gets != 30 {
			t.Errorf("%s: %d listings and %d GETs for 30 links, want %d and 30", c.name, n, gets, c.wantListings)
		}
	}
}

// readLink: a link read without a word; a bad id or a missing link is one
// error each, against the id.
func TestReadLink(t *testing.T) {
	t.Parallel()
	_, client, ids := newReaderWorld(t, 1, 10)
	pd := &providerData{client: client}
	for _, c := range []struct {
		raw, wantErr string
	}{
		{fmt.Sprint(ids[0]), ""},
		{"x", "Invalid Connection Link ID"},
		{fmt.Sprint(ids[0] + 1000), "Connection Link Not Found"},
	} {
		var diags diag.Diagnostics
		s, id := pd.readLink(t.Context(), c.raw, "", &diags)
		switch {
		case c.wantErr == "" && (diags.HasError() || s == nil || s.ID != ids[0] || id != ids[0]):
			t.Errorf("%s: %+v, %d, %v", c.raw, s, id, diags)
		case c.wantErr != "" && (diags.ErrorsCount() != 1 || diags[0].Summary() != c.wantErr):
			t.Errorf("%s: %v, want one %q", c.raw, diags, c.wantErr)
		}
	}
}

// TestLinkGone: a link is gone exactly when it was read revoked; an error
// that the sharing API did not confirm as a 404 (here: none is) says nothing.
func TestLinkGone(t *testing.T) {
	errs := []error{nil, &albato.Error{StatusCode: http.StatusNotFound}, &albato.Error{StatusCode: http.StatusInternalServerError}, fmt.Errorf("connection reset")}
	for _, status := range []albato.Status{albato.StatusWaiting, albato.StatusGranted, albato.StatusWaitingOAuth, albato.StatusRevoked} {
		for _, err := range errs {
			s := &albato.Sharing{Status: status}
			if err != nil {
				s = nil
			}
			if got, want := linkGone(s, err), err == nil && status == albato.StatusRevoked; got != want {
				t.Errorf("linkGone(status %s, %v) = %t, want %t", status.Name(), err, got, want)
			}
		}
	}
}
