package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

func TestAuthSchemes(t *testing.T) {
	headers := map[string]string{
		"bearer":       "Bearer " + testToken,
		"basic-raw":    "Basic " + testToken,
		"basic":        "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken+":")),
		"basic, no :":  "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken)),
		"wrong token":  "Basic " + base64.StdEncoding.EncodeToString([]byte("nope:")),
		"token as pwd": "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+testToken)),
	}
	for _, tc := range []struct {
		scheme   sandbox.AuthScheme
		accepted []string
	}{
		{"", []string{"bearer", "basic-raw", "basic"}},
		{sandbox.AuthAny, []string{"bearer", "basic-raw", "basic"}},
		{sandbox.AuthBearer, []string{"bearer"}},
		{sandbox.AuthBasicRaw, []string{"basic-raw"}},
		{sandbox.AuthBasic, []string{"basic"}},
	} {
		e := newEnv(t, sandbox.Options{AuthScheme: tc.scheme})
		for name, h := range headers {
			t.Run(fmt.Sprintf("%s/%s", tc.scheme, name), func(t *testing.T) {
				resp, b := e.do("GET", listPath, "", map[string]string{"Authorization": h})
				if !slices.Contains(tc.accepted, name) {
					wantFailure(t, resp, b, 401)
					if len(resp.Header.Values("WWW-Authenticate")) == 0 {
						t.Error("401 without WWW-Authenticate")
					}
					return
				}
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
			})
		}
	}
}

func TestLinkID(t *testing.T) {
	for _, tc := range []struct {
		linkID     sandbox.LinkID
		bySharing  bool // the link that works carries the sharing id
		wantHidden string
	}{
		{"", false, `name="id" value="225"`},
		{sandbox.LinkPartnerID, false, `name="id" value="225"`},
		{sandbox.LinkSharingID, true, `name="id" value="61"`},
	} {
		t.Run(string(tc.linkID), func(t *testing.T) {
			e := newEnv(t, sandbox.Options{LinkID: tc.linkID})
			r := e.create(225, "crm")
			good, other := r.PartnerID, r.ID
			if tc.bySharing {
				good, other = other, good
			}
			resp, b := e.do("GET", connectURL(other, r.Token), "", nil)
			wantPage(t, resp, b, 404, "This link is not valid")
			resp, b = e.form("/connect", linkForm(other, r.Token, "api_key", "k", "subdomain", "acme"))
			wantPage(t, resp, b, 404, "This link is not valid")

			resp, b = e.do("GET", connectURL(good, r.Token), "", nil)
			wantPage(t, resp, b, 200, tc.wantHidden)
			resp, b = e.form("/connect", linkForm(good, r.Token, "api_key", "k", "subdomain", "acme"))
			wantPage(t, resp, b, 200, "Connection created")
			if got := e.get(r.ID); got.Status != sandbox.StatusGranted {
				t.Errorf("status %d after the form", got.Status)
			}
		})
	}
}

func TestLinkIDOAuthFlow(t *testing.T) {
	e := newEnv(t, sandbox.Options{LinkID: sandbox.LinkSharingID})
	r := e.create(227, "cal")
	resp, b := e.form("/connect", linkForm(r.ID, r.Token))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/connect/oauth/authorize?"+strings.TrimPrefix(connectURL(r.ID, r.Token), "/connect?") {
		t.Fatalf("POST /connect: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	resp, b = e.form("/connect/oauth/authorize", linkForm(r.ID, r.Token, "decision", "allow"))
	wantPage(t, resp, b, 200, "Connection created")
}

// listMeta lists page q (a query string) of a sandbox with n sharings.
func listPage(t *testing.T, opts sandbox.Options, n int, q string) (ids []int64, m meta) {
	t.Helper()
	e := newEnv(t, opts)
	for i := range n {
		e.create(225, fmt.Sprint("link ", i))
	}
	resp, b := e.api("GET", listPath+q, "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	env := decode(t, b)
	var recs []apiRec
	if err := json.Unmarshal(env.Data, &recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids, *env.Meta
}

func TestPaging(t *testing.T) {
	small := sandbox.Options{PageSize: 2, MaxPerPage: 3}
	for _, tc := range []struct {
		name    string
		opts    sandbox.Options
		n       int
		query   string
		wantIDs string
		want    meta
	}{
		{"defaults: 20 a page", sandbox.Options{}, 25, "", "[61 ... 80]", meta{1, 2, 25}},
		{"defaults: per-page 50 honoured", sandbox.Options{}, 60, "?per-page=50&page=2", "[111 ... 120]", meta{2, 2, 60}},
		{"defaults: per-page 51 falls back to 20", sandbox.Options{}, 60, "?per-page=51", "[61 ... 80]", meta{1, 3, 60}},
		{"page size", small, 5, "?page=2", "[63 64]", meta{2, 3, 5}},
		{"per-page at the max", small, 5, "?per-page=3&page=2", "[64 65]", meta{2, 2, 5}},
		{"per-page under the max", small, 5, "?per-page=1&page=5", "[65]", meta{5, 5, 5}},
		{"per-page above the max", small, 5, "?per-page=4", "[61 62]", meta{1, 3, 5}},
		{"per-page 0", small, 5, "?per-page=0", "[61 62]", meta{1, 3, 5}},
		{"per-page negative", small, 5, "?per-page=-3", "[61 62]", meta{1, 3, 5}},
		{"per-page not a number", small, 5, "?per-page=many", "[61 62]", meta{1, 3, 5}},
		{"page past the end: the last page", small, 5, "?page=9", "[65]", meta{3, 3, 5}},
		{"page past the end, empty page", sandbox.Options{PageSize: 2, EmptyPageWhenOutOfRange: true}, 5, "?page=9", "[]", meta{9, 3, 5}},
		{"empty list", small, 0, "?page=3", "[]", meta{1, 0, 0}},
		{"ignore page", sandbox.Options{PageSize: 2, IgnorePage: true}, 5, "?page=2", "[61 62]", meta{1, 3, 5}},
		{"ignore page, garbled page", sandbox.Options{PageSize: 2, IgnorePage: true}, 5, "?page=x", "[61 62]", meta{1, 3, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, m := listPage(t, tc.opts, tc.n, tc.query)
			got := fmt.Sprint(ids)
			if len(ids) > 3 {
				got = fmt.Sprintf("[%d ... %d]", ids[0], ids[len(ids)-1])
			}
			if got != tc.wantIDs || m != tc.want {
				t.Errorf("ids %s meta %+v, want %s %+v", got, m, tc.wantIDs, tc.want)
			}
		})
	}
}

func TestDateFormats(t *testing.T) {
	created := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	for _, tc := range []struct {
		format sandbox.DateFormat
		want   string // the JSON of dateCreated
	}{
		{"", `"2025-08-14 19:12:13"`},
		{sandbox.DateTime, `"2025-08-14 19:12:13"`},
		{sandbox.DateUnix, `1755198733`},
		{sandbox.DateUnixString, `"1755198733"`},
		{sandbox.DateRFC3339, `"2025-08-14T22:12:13+03:00"`},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			e := newEnv(t, sandbox.Options{DateFormat: tc.format})
			r := e.create(225, "x")
			answers := map[string][]byte{}
			_, answers["GET"] = e.api("GET", path(r.ID), "")
			_, answers["PUT"] = e.api("PUT", path(r.ID), "")
			_, answers["list"] = e.api("GET", listPath, "")
			_, answers["DELETE"] = e.api("DELETE", path(r.ID), "")
			for name, b := range answers {
				if !strings.Contains(string(b), `"dateCreated":`+tc.want) {
					t.Errorf("%s: %s lacks dateCreated %s", name, b, tc.want)
				}
			}
			if tc.want[0] == '"' {
				if got, err := time.Parse(time.RFC3339, strings.Trim(tc.want, `"`)); err == nil && !got.Equal(created) {
					t.Errorf("%s is not %v", tc.want, created)
				}
			}
		})
	}
}

func TestControlSettings(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true, PageSize: 7})
	out := control(t, e, "GET", "/_sandbox/settings", "", 200)
	if fmt.Sprint(out) != "map[authScheme:any dateFormat:datetime emptyPageWhenOutOfRange:false ignorePage:false linkId:partner_id maxPerPage:50 pageSize:7 regenerateMovesDate:false]" {
		t.Errorf("defaults: %v", out)
	}
	// A POST changes only the fields it names.
	out = control(t, e, "POST", "/_sandbox/settings", `{"authScheme":"bearer","linkId":"sharing_id","ignorePage":true,"regenerateMovesDate":true}`, 200)
	if out["authScheme"] != "bearer" || out["linkId"] != "sharing_id" || out["ignorePage"] != true || out["pageSize"] != 7.0 {
		t.Errorf("after POST: %v", out)
	}
	want := sandbox.Settings{AuthScheme: sandbox.AuthBearer, LinkID: sandbox.LinkSharingID, PageSize: 7,
		MaxPerPage: sandbox.DefaultMaxPerPage, IgnorePage: true, DateFormat: sandbox.DateTime, RegenerateMovesDate: true}
	if got := e.srv.Settings(); got != want {
		t.Errorf("Settings() = %+v, want %+v", got, want)
	}
	resp, b := e.api("GET", listPath, "") // Basic is refused now
	wantFailure(t, resp, b, 401)

	for _, bad := range []string{`{"authScheme":"digest"}`, `{"dateFormat":"iso"}`, `{"pageSize":-1}`, `{"page":2}`, `{"linkId":5}`, `[`} {
		control(t, e, "POST", "/_sandbox/settings", bad, 400)
	}
	if got := e.srv.Settings(); got != want {
		t.Errorf("a refused POST changed the settings: %+v", got)
	}
	control(t, e, "DELETE", "/_sandbox/settings", "", 405)
	// Zero values restore the defaults.
	out = control(t, e, "POST", "/_sandbox/settings", `{"authScheme":"","linkId":"","ignorePage":false,"pageSize":0}`, 200)
	if out["authScheme"] != "any" || out["linkId"] != "partner_id" || out["pageSize"] != 20.0 {
		t.Errorf("reset: %v", out)
	}
}

// TestStrictSettings walks the strictest reading: standard Basic only, the
// sharing id in links, dates as Unix seconds.
func TestStrictSettings(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	if got := e.srv.Settings(); got != sandbox.DefaultSettings() || got.AuthScheme != sandbox.AuthAny || got.MaxPerPage != 50 {
		t.Errorf("Settings() = %+v, DefaultSettings() = %+v", got, sandbox.DefaultSettings())
	}
	if err := e.srv.SetSettings(sandbox.Settings{LinkID: "partner"}); err == nil {
		t.Error("SetSettings accepted an unknown link id")
	}
	if err := e.srv.SetSettings(sandbox.StrictSettings()); err != nil {
		t.Fatal(err)
	}
	resp, b := e.api("POST", listPath, `{"partnerId":225,"title":"x"}`) // raw Basic
	wantFailure(t, resp, b, 401)
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken+":"))}
	resp, b = e.do("POST", listPath, `{"partnerId":225,"title":"x"}`, basic)
	r := decodeRec(t, b)
	if resp.StatusCode != 200 {
		t.Fatalf("standard Basic: %d %s", resp.StatusCode, b)
	}
	_, b = e.do("GET", path(r.ID), "", basic)
	if !strings.Contains(string(b), fmt.Sprintf(`"dateCreated":%d`, start.Unix())) {
		t.Errorf("GET: %s", b)
	}
	resp, b = e.do("GET", connectURL(r.ID, r.Token), "", nil)
	wantPage(t, resp, b, 200, "Connect Demo CRM")
}

// TestDateHeaderOnEveryAPIAnswer checks that every kind of API answer
// carries the sandbox's own time, Advance included, so that a client can
// measure the API clock's offset from its own.
func TestDateHeaderOnEveryAPIAnswer(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "x")
	e.srv.Advance(-7*time.Hour - 30*time.Second)
	want := start.Add(-7*time.Hour - 30*time.Second).Format(http.TimeFormat)
	auth := map[string]string{"Authorization": "Basic " + testToken}
	for _, tc := range []struct {
		name, method, path string
		header             map[string]string
		fault              *sandbox.Fault
	}{
		{"list", "GET", listPath, auth, nil},
		{"read", "GET", path(r.ID), auth, nil},
		{"regenerate", "PUT", path(r.ID), auth, nil},
		{"not found", "GET", path(4242), auth, nil},
		{"unauthorized", "GET", listPath, nil, nil},
		{"fault", "GET", listPath, auth, &sandbox.Fault{Status: 429, RetryAfter: "1", Times: 1}},
		{"fault after handling", "PUT", path(r.ID), auth, &sandbox.Fault{Status: 503, AfterHandling: true, Times: 1}},
		{"shaped body", "GET", listPath, auth, &sandbox.Fault{BodyBytes: 1 << 10, Times: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				e.srv.AddFault(*tc.fault)
			}
			resp, _ := e.do(tc.method, tc.path, "", tc.header)
			if got := resp.Header.Get("Date"); got != want {
				t.Errorf("HTTP %d: Date %q, want %q", resp.StatusCode, got, want)
			}
		})
	}
}

// TestPageSizeBounds: a page size or max per-page from 1 to MaxPageSize is
// taken, by Options and by POST /_sandbox/settings; any other value is
// refused naming the bound, changing nothing. At the bound the list counts
// its pages right.
func TestPageSizeBounds(t *testing.T) {
	bound := "from 1 to " + strconv.Itoa(sandbox.MaxPageSize)
	for _, field := range []string{"pageSize", "maxPerPage"} {
		for _, tc := range []struct {
			v  int64
			ok bool
		}{
			{1, true}, {sandbox.MaxPageSize, true}, {sandbox.MaxPageSize + 1, false}, {-1, false},
			{math.MaxInt64, false}, {math.MinInt64, false},
		} {
			e := newEnv(t, sandbox.Options{EnableControl: true})
			before := e.srv.Settings()
			resp, b := e.do("POST", "/_sandbox/settings", fmt.Sprintf(`{%q:%d}`, field, tc.v), map[string]string{"Content-Type": "application/json"})
			changed := e.srv.Settings() != before
			if tc.ok != (resp.StatusCode == 200) || changed != tc.ok || !tc.ok && !strings.Contains(string(b), bound) {
				t.Errorf("%s %d: status %d, changed %v; %s", field, tc.v, resp.StatusCode, changed, b)
			}
			opts := sandbox.Options{PageSize: int(tc.v)}
			if field == "maxPerPage" {
				opts = sandbox.Options{MaxPerPage: int(tc.v)}
			}
			if _, err := sandbox.New(opts); (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), bound) {
				t.Errorf("New with %s %d: %v", field, tc.v, err)
			}
		}
	}
	e := newEnv(t, sandbox.Options{PageSize: sandbox.MaxPageSize, MaxPerPage: sandbox.MaxPageSize})
	e.create(225, "a")
	for _, q := range []string{"", "?per-page=" + strconv.Itoa(sandbox.MaxPageSize)} {
		_, b := e.api("GET", "/credentials/grant-access-sharing"+q, "")
		if env := decode(t, b); env.Meta == nil || *env.Meta != (meta{Page: 1, TotalPages: 1, TotalItemsCount: 1}) {
			t.Errorf("list%s at the bound: %s", q, b)
		}
	}
}

// TestSettingsConcurrentChanges: eight parallel changes of one field each
// all land, round after round (the issue lost some in 45 of 50 rounds).
func TestSettingsConcurrentChanges(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true})
	fields := []string{
		`{"authScheme":"bearer"}`, `{"linkId":"sharing_id"}`, `{"pageSize":7}`, `{"maxPerPage":9}`,
		`{"emptyPageWhenOutOfRange":true}`, `{"ignorePage":true}`, `{"dateFormat":"unix"}`, `{"regenerateMovesDate":true}`,
	}
	want := sandbox.Settings{
		AuthScheme: sandbox.AuthBearer, LinkID: sandbox.LinkSharingID, PageSize: 7, MaxPerPage: 9,
		EmptyPageWhenOutOfRange: true, IgnorePage: true, DateFormat: sandbox.DateUnix, RegenerateMovesDate: true,
	}
	lost := 0
	for round := 0; round < 50; round++ {
		if err := e.srv.SetSettings(sandbox.Settings{}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, body := range fields {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, b := e.do("POST", "/_sandbox/settings", body, map[string]string{"Content-Type": "application/json"})
				if resp.StatusCode != 200 {
					t.Errorf("%s: %d %s", body, resp.StatusCode, b)
				}
			}()
		}
		wg.Wait()
		if got := e.srv.Settings(); got != want {
			lost++
			t.Logf("round %d: %+v", round, got)
		}
	}
	if lost > 0 {
		t.Errorf("fields lost in %d of 50 rounds", lost)
	}
}
