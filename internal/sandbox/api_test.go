package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9]{10}$`)

func TestCreateAnswersLikeTheDocument(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	resp, b := e.api("POST", "/credentials/grant-access-sharing", `{"partnerId": 225, "title": "Connection by link for CRM Integration"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	// The exact set of keys, with credentialId and dateCreated null.
	var raw struct {
		Success bool                       `json:"success"`
		Data    map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if !raw.Success {
		t.Fatalf("success false: %s", b)
	}
	keys := []string{"id", "partnerId", "token", "status", "credentialId", "title", "dateCreated"}
	if len(raw.Data) != len(keys) {
		t.Errorf("data has %d keys, want %d: %s", len(raw.Data), len(keys), b)
	}
	for _, k := range keys {
		if _, ok := raw.Data[k]; !ok {
			t.Errorf("data lacks %q: %s", k, b)
		}
	}
	if string(raw.Data["dateCreated"]) != "null" || string(raw.Data["credentialId"]) != "null" {
		t.Errorf("dateCreated and credentialId must be null in the POST answer: %s", b)
	}
	r := decodeRec(t, b)
	if r.ID <= 0 || r.PartnerID != 225 || r.Status != 0 || r.Title != "Connection by link for CRM Integration" {
		t.Errorf("unexpected record %+v", r)
	}
	if !tokenRE.MatchString(r.Token) {
		t.Errorf("token %q is not 10 alphanumerics", r.Token)
	}
	r2 := e.create(225, "second")
	if r2.ID != r.ID+1 || r2.Token == r.Token {
		t.Errorf("second record %+v after %+v", r2, r)
	}
}

func TestGetFormatsDateCreatedInUTC(t *testing.T) {
	zone := time.FixedZone("UTC+3", 3*3600)
	clk := clocktest.NewFake(time.Date(2025, 8, 14, 22, 12, 13, 500, zone))
	e := newEnv(t, sandbox.Options{Clock: clk})
	r := e.create(225, "x")
	got := e.get(r.ID)
	if got.DateCreated == nil || *got.DateCreated != "2025-08-14 19:12:13" {
		t.Fatalf("dateCreated = %v, want 2025-08-14 19:12:13", got.DateCreated)
	}
	if got.Token != r.Token || got.Status != 0 || got.CredentialID != nil {
		t.Errorf("GET %+v differs from POST %+v", got, r)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	p := "/credentials/grant-access-sharing"
	for _, tc := range []struct {
		name   string
		header string
		status int
	}{
		{"basic", "Basic " + testToken, 200},
		{"bearer lower case", "bearer " + testToken, 200},
		{"BEARER", "BEARER " + testToken, 200},
		{"wrong token", "Basic nope", 401},
		{"token prefix", "Basic " + testToken[:5], 401},
		{"other scheme", "Token " + testToken, 401},
		{"no scheme", testToken, 401},
		{"missing", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			resp, b := e.do("GET", p, "", h)
			if tc.status == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				return
			}
			env := wantFailure(t, resp, b, tc.status)
			if strings.Contains(env.Message, testToken) {
				t.Errorf("message echoes the token: %q", env.Message)
			}
		})
	}
	// The default token, from this machine (see TestGuardAPIWithDefaultToken).
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := serve(srv, "GET", "http://127.0.0.1:8080"+p, "", "Bearer "+sandbox.DefaultToken)
	if rec.Code != 200 {
		t.Errorf("default token: status %d", rec.Code)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, sandbox.Options{PageSize: 2})
	resp, b := e.api("GET", "/credentials/grant-access-sharing", "")
	env := decode(t, b)
	if resp.StatusCode != 200 || string(env.Data) != "[]" || env.Meta == nil || *env.Meta != (meta{1, 0, 0}) {
		t.Fatalf("empty list: %d %s", resp.StatusCode, b)
	}
	var ids []int64
	for i := range 5 {
		ids = append(ids, e.create(225, fmt.Sprint("link ", i)).ID)
	}
	var seen []int64
	for page := 1; page <= 3; page++ {
		resp, b := e.api("GET", fmt.Sprintf("/credentials/grant-access-sharing?page=%d", page), "")
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", page, resp.StatusCode, b)
		}
		env := decode(t, b)
		if env.Meta == nil || *env.Meta != (meta{page, 3, 5}) {
			t.Fatalf("page %d meta: %s", page, b)
		}
		var recs []apiRec
		if err := json.Unmarshal(env.Data, &recs); err != nil {
			t.Fatal(err)
		}
		want := 2
		if page == 3 {
			want = 1
		}
		if len(recs) != want {
			t.Fatalf("page %d has %d records", page, len(recs))
		}
		for _, r := range recs {
			if r.DateCreated == nil || r.Token == "" {
				t.Errorf("list record lacks fields: %+v", r)
			}
			seen = append(seen, r.ID)
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("ids %v, want %v (ascending)", seen, ids)
	}
	// The default page is 1.
	_, b = e.api("GET", "/credentials/grant-access-sharing", "")
	if env := decode(t, b); env.Meta.Page != 1 {
		t.Errorf("default page: %s", b)
	}
	// Past the end: the last page, as the framework answers.
	resp, b = e.api("GET", "/credentials/grant-access-sharing?page=4", "")
	env = decode(t, b)
	if resp.StatusCode != 200 || !strings.Contains(string(env.Data), `"title":"link 4"`) || *env.Meta != (meta{3, 3, 5}) {
		t.Errorf("page past the end: %d %s", resp.StatusCode, b)
	}
	for _, bad := range []string{"0", "-1", "abc", "1.5", "", "99999999999999999999999"} {
		resp, b := e.api("GET", "/credentials/grant-access-sharing?page="+bad, "")
		wantFailure(t, resp, b, 400)
	}
}

func TestRegenerateResetsAndKeepsDateCreated(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "crm")
	created := e.get(r.ID)
	if _, err := e.srv.Grant(r.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Hour)
	resp, b := e.api("PUT", path(r.ID), "")
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	put := decodeRec(t, b)
	if put.ID != r.ID || put.Status != 0 || put.CredentialID != nil || put.Token == r.Token || !tokenRE.MatchString(put.Token) {
		t.Errorf("PUT answer %+v", put)
	}
	if put.DateCreated == nil || *put.DateCreated != *created.DateCreated {
		t.Errorf("dateCreated moved: %v -> %v", *created.DateCreated, put.DateCreated)
	}
	if got := e.get(r.ID); got.Token != put.Token || got.Status != 0 {
		t.Errorf("GET after PUT: %+v", got)
	}
	sh, _ := e.srv.Sharing(r.ID)
	if !sh.TokenIssuedAt.Equal(start.Add(3*time.Hour)) || !sh.DateCreated.Equal(start) {
		t.Errorf("times after PUT: issued %v created %v", sh.TokenIssuedAt, sh.DateCreated)
	}
	// The old link is dead, the new one works.
	if resp, _ := e.do("GET", connectURL(225, r.Token), "", nil); resp.StatusCode != 404 {
		t.Errorf("old link: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.do("GET", connectURL(225, put.Token), "", nil); resp.StatusCode != 200 {
		t.Errorf("new link: status %d, want 200", resp.StatusCode)
	}
	// A regenerated link gets a fresh 48 hours.
	e.clock.Advance(47 * time.Hour)
	if resp, _ := e.do("GET", connectURL(225, put.Token), "", nil); resp.StatusCode != 200 {
		t.Errorf("regenerated link 47h later: status %d, want 200", resp.StatusCode)
	}
	// A revoked sharing cannot be regenerated.
	if err := e.srv.Revoke(r.ID); err != nil {
		t.Fatal(err)
	}
	resp, b = e.api("PUT", path(r.ID), "")
	if env := wantFailure(t, resp, b, 409); !strings.Contains(env.Message, "revoked") {
		t.Errorf("message %q", env.Message)
	}
	// Unknown ids.
	resp, b = e.api("PUT", path(9999), "")
	wantFailure(t, resp, b, 404)
}

// The other reading of Albato's documents: a PUT moves dateCreated to the
// new token's issue.
func TestRegenerateMovesDateCreatedWhenSetTo(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	set := e.srv.Settings()
	set.RegenerateMovesDate = true
	if err := e.srv.SetSettings(set); err != nil {
		t.Fatal(err)
	}
	r := e.create(225, "crm")
	e.clock.Advance(3 * time.Hour)
	if resp, b := e.api("PUT", path(r.ID), ""); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	sh, _ := e.srv.Sharing(r.ID)
	if !sh.DateCreated.Equal(start.Add(3*time.Hour)) || !sh.TokenIssuedAt.Equal(sh.DateCreated) {
		t.Errorf("times after PUT: issued %v created %v, want both %v", sh.TokenIssuedAt, sh.DateCreated, start.Add(3*time.Hour))
	}
}

func TestDeleteKeepsRecordWithStatus3(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "crm")
	for range 2 { // deleting again answers 200 again
		resp, b := e.api("DELETE", path(r.ID), "")
		if resp.StatusCode != 200 {
			t.Fatalf("DELETE: %d %s", resp.StatusCode, b)
		}
		if got := decodeRec(t, b); got.Status != 3 || got.Token != r.Token || got.DateCreated == nil {
			t.Errorf("DELETE answer %+v", got)
		}
	}
	if got := e.get(r.ID); got.Status != 3 {
		t.Errorf("GET after DELETE: %+v", got)
	}
	_, b := e.api("GET", "/credentials/grant-access-sharing", "")
	if env := decode(t, b); env.Meta.TotalItemsCount != 1 {
		t.Errorf("list after DELETE: %s", b)
	}
	if resp, _ := e.do("GET", connectURL(225, r.Token), "", nil); resp.StatusCode != 410 {
		t.Errorf("link after DELETE: %d, want 410", resp.StatusCode)
	}
	resp, b := e.api("DELETE", path(12345), "")
	wantFailure(t, resp, b, 404)
}

func TestDeleteWithNotFoundAfterDelete(t *testing.T) {
	e := newEnv(t, sandbox.Options{NotFoundAfterDelete: true})
	r := e.create(225, "crm")
	keep := e.create(226, "mailer")
	resp, b := e.api("DELETE", path(r.ID), "")
	if resp.StatusCode != 200 || decodeRec(t, b).Status != 3 {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, b)
	}
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		resp, b := e.api(m, path(r.ID), "")
		wantFailure(t, resp, b, 404)
	}
	_, b = e.api("GET", "/credentials/grant-access-sharing", "")
	env := decode(t, b)
	var recs []apiRec
	json.Unmarshal(env.Data, &recs)
	if env.Meta.TotalItemsCount != 1 || len(recs) != 1 || recs[0].ID != keep.ID {
		t.Errorf("list after DELETE: %s", b)
	}
	// The Go API still sees it, marked deleted.
	if sh, ok := e.srv.Sharing(r.ID); !ok || sh.Status != 3 || !sh.Deleted {
		t.Errorf("Sharing: %+v %v", sh, ok)
	}
	// An out-of-band revoke is not a delete: the record stays visible.
	if err := e.srv.Revoke(keep.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.get(keep.ID); got.Status != 3 {
		t.Errorf("revoked record: %+v", got)
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	p := "/credentials/grant-access-sharing"
	for _, tc := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"unknown partner", `{"partnerId": 999, "title": "x"}`, 400, "999"},
		{"missing partner", `{"title": "x"}`, 400, "partnerId"},
		{"partner as string", `{"partnerId": "225", "title": "x"}`, 400, ""},
		{"missing title", `{"partnerId": 225}`, 400, "title"},
		{"empty title", `{"partnerId": 225, "title": ""}`, 400, "title"},
		{"long title", `{"partnerId": 225, "title": "` + strings.Repeat("a", 256) + `"}`, 400, "255"},
		{"malformed", `{"partnerId": 225,`, 400, ""},
		{"not an object", `[1,2]`, 400, ""},
		{"trailing data", `{"partnerId": 225, "title": "x"} {}`, 400, ""},
		{"empty body", ``, 400, ""},
		{"too large", `{"partnerId": 225, "title": "x", "pad": "` + strings.Repeat("a", 1<<20) + `"}`, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.api("POST", p, tc.body)
			env := wantFailure(t, resp, b, tc.status)
			if !strings.Contains(env.Message, tc.msg) {
				t.Errorf("message %q lacks %q", env.Message, tc.msg)
			}
		})
	}
	if n := len(e.srv.Sharings()); n != 0 {
		t.Errorf("%d sharings created by invalid requests", n)
	}
	// The bounds themselves are fine, counted in characters.
	e.create(225, "a")
	e.create(227, strings.Repeat("é", 255))
	e.create(226, strings.Repeat("a", 255))
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/", 404, ""},
		{"GET", "/credentials", 404, ""},
		{"GET", "/credentials/grant-access-sharing/61/extra", 404, ""},
		{"GET", "/credentials/grant-access-sharingX", 404, ""},
		{"GET", "/_sandbox/sharings", 404, ""}, // control disabled
		{"PATCH", "/credentials/grant-access-sharing/61", 405, "GET, PUT, DELETE"},
		{"POST", "/credentials/grant-access-sharing/61", 405, "GET, PUT, DELETE"},
		{"DELETE", "/credentials/grant-access-sharing", 405, "GET, POST"},
		{"HEAD", "/credentials/grant-access-sharing", 405, "GET, POST"},
		{"GET", "/credentials/grant-access-sharing/abc", 400, ""},
		{"GET", "/credentials/grant-access-sharing/-1", 400, ""},
		{"GET", "/credentials/grant-access-sharing/0", 400, ""},
		{"GET", "/credentials/grant-access-sharing/99999999999999999999", 400, ""},
		{"GET", "/credentials/grant-access-sharing/4242", 404, ""},
	} {
		resp, b := e.api(tc.method, tc.path, "")
		if tc.method == "HEAD" {
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: %d", tc.method, tc.path, resp.StatusCode)
			}
			continue
		}
		wantFailure(t, resp, b, tc.status)
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

func TestDateHeaderFollowsTheSandboxClock(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true})
	check := func(method, p string, h map[string]string, want time.Time) {
		t.Helper()
		resp, _ := e.do(method, p, "", h)
		if got := resp.Header.Get("Date"); got != want.UTC().Format(http.TimeFormat) {
			t.Errorf("%s %s: Date %q, want %q", method, p, got, want.UTC().Format(http.TimeFormat))
		}
	}
	auth := map[string]string{"Authorization": "Basic " + testToken}
	check("GET", "/credentials/grant-access-sharing", auth, start)
	check("GET", "/credentials/grant-access-sharing", nil, start) // 401 too
	e.clock.Advance(90 * time.Minute)
	check("GET", "/connect?id=225&token=abc", nil, start.Add(90*time.Minute))
	e.srv.Advance(49 * time.Hour)
	want := start.Add(90*time.Minute + 49*time.Hour)
	if !e.srv.Now().Equal(want) {
		t.Errorf("Now = %v, want %v", e.srv.Now(), want)
	}
	check("GET", "/_sandbox/clock", nil, want)
	check("GET", "/nowhere", nil, want)
}

func TestGoControlAPIErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	crm := e.create(225, "crm")
	cal := e.create(227, "cal")
	if _, err := e.srv.Grant(4242); !errorsIs(err, sandbox.ErrNotFound) {
		t.Errorf("Grant unknown: %v", err)
	}
	if err := e.srv.StartOAuth(crm.ID); !errorsIs(err, sandbox.ErrNotOAuth) {
		t.Errorf("StartOAuth on API-key partner: %v", err)
	}
	if err := e.srv.StartOAuth(cal.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.get(cal.ID); got.Status != 2 {
		t.Errorf("status after StartOAuth: %d", got.Status)
	}
	c1, err := e.srv.Grant(cal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.get(cal.ID); got.Status != 1 || got.CredentialID == nil || *got.CredentialID != c1 {
		t.Errorf("after Grant: %+v", got)
	}
	if _, err := e.srv.Grant(cal.ID); !errorsIs(err, sandbox.ErrGranted) {
		t.Errorf("Grant twice: %v", err)
	}
	e.srv.Advance(48 * time.Hour)
	if _, err := e.srv.Grant(crm.ID); !errorsIs(err, sandbox.ErrExpired) {
		t.Errorf("Grant expired: %v", err)
	}
	if got := e.get(crm.ID); got.Status != 0 {
		t.Errorf("the API status must not change on expiry: %d", got.Status)
	}
	if err := e.srv.Revoke(crm.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Revoke(crm.ID); err != nil {
		t.Errorf("second Revoke: %v", err)
	}
	if _, err := e.srv.Grant(crm.ID); !errorsIs(err, sandbox.ErrRevoked) {
		t.Errorf("Grant revoked: %v", err)
	}
	if err := e.srv.Remove(crm.ID); err != nil {
		t.Fatal(err)
	}
	resp, b := e.api("GET", path(crm.ID), "")
	wantFailure(t, resp, b, 404)
	if _, ok := e.srv.Sharing(crm.ID); ok {
		t.Error("Sharing after Remove")
	}
	if err := e.srv.Remove(crm.ID); !errorsIs(err, sandbox.ErrNotFound) {
		t.Errorf("Remove twice: %v", err)
	}
	all := e.srv.Sharings()
	if len(all) != 1 || all[0].ID != cal.ID || *all[0].CredentialID != c1 {
		t.Errorf("Sharings: %+v", all)
	}
	// Snapshots are copies.
	*all[0].CredentialID = 1
	if sh, _ := e.srv.Sharing(cal.ID); *sh.CredentialID != c1 {
		t.Error("Sharings returned shared memory")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []sandbox.Options{
		{PageSize: -1},
		{MaxPerPage: -1},
		{AuthScheme: "digest"},
		{AuthScheme: "Basic"},
		{LinkID: "id"},
		{DateFormat: "iso"},
		{Token: "has space"},
		{Latency: -time.Second},
	} {
		if _, err := sandbox.New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

// TestListFollowsCreateAndRemove checks that the list, which keeps its
// records in id order between requests, sees every record added or removed
// since the last page it served.
func TestListFollowsCreateAndRemove(t *testing.T) {
	e := newEnv(t, sandbox.Options{PageSize: 10})
	listIDs := func() []int64 {
		t.Helper()
		_, b := e.api("GET", "/credentials/grant-access-sharing?page=1", "")
		var recs []apiRec
		if err := json.Unmarshal(decode(t, b).Data, &recs); err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(recs))
		for i, r := range recs {
			ids[i] = r.ID
		}
		return ids
	}
	a, b := e.create(225, "a").ID, e.create(225, "b").ID
	if got := listIDs(); fmt.Sprint(got) != fmt.Sprint([]int64{a, b}) {
		t.Fatalf("list %v, want %v", got, []int64{a, b})
	}
	c := e.create(226, "c").ID
	if got := listIDs(); fmt.Sprint(got) != fmt.Sprint([]int64{a, b, c}) {
		t.Fatalf("after a create: list %v, want %v", got, []int64{a, b, c})
	}
	if err := e.srv.Remove(b); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(); fmt.Sprint(got) != fmt.Sprint([]int64{a, c}) {
		t.Fatalf("after a remove: list %v, want %v", got, []int64{a, c})
	}
}

// TestWhitespaceTitle: Albato documents no rule for a title of only
// spaces, so the sandbox keeps such a title as sent, like any other.
func TestWhitespaceTitle(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	for _, title := range []string{" ", "\t \n", "\u00a0"} {
		r := e.create(225, title)
		if got := e.get(r.ID); got.Title != title {
			t.Errorf("title %q read back as %q", title, got.Title)
		}
	}
}

// The sandbox's API handlers, called through ServeHTTP with no network and
// no latency: what one request costs the sandbox itself, which runs beside
// Terraform and the provider in `make bench`.

const benchAuth = "Basic " + testToken

// benchSandbox returns a sandbox holding n sharings, made through the API.
func benchSandbox(b *testing.B, n, pageSize int) *sandbox.Server {
	b.Helper()
	srv, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: pageSize})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		body := fmt.Sprintf(`{"partnerId":225,"title":"bench %d"}`, i)
		if rec := serve(srv, http.MethodPost, "/credentials/grant-access-sharing", body, benchAuth); rec.Code != http.StatusOK {
			b.Fatalf("seeding: HTTP %d: %s", rec.Code, rec.Body)
		}
	}
	srv.ResetRequests()
	return srv
}

// benchRequests runs the same API request b.N times and checks the status.
func benchRequests(b *testing.B, srv *sandbox.Server, method, target string, body func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := serve(srv, method, target, body(i), benchAuth)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s: HTTP %d: %s", method, target, rec.Code, rec.Body)
		}
		if i++; i%4096 == 0 {
			srv.ResetRequests() // the request log would otherwise grow with b.N
		}
	}
}

func noBody(int) string { return "" }

func firstID(b *testing.B, srv *sandbox.Server) int64 {
	b.Helper()
	all := srv.Sharings()
	if len(all) == 0 {
		b.Fatal("no sharings")
	}
	return all[len(all)/2].ID
}

func BenchmarkSandboxCreate(b *testing.B) {
	srv := benchSandbox(b, 0, 0)
	benchRequests(b, srv, http.MethodPost, "/credentials/grant-access-sharing", func(i int) string {
		return fmt.Sprintf(`{"partnerId":225,"title":"bench %d"}`, i)
	})
}

func BenchmarkSandboxGet(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodGet, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

func BenchmarkSandboxRegenerate(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodPut, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

func BenchmarkSandboxDelete(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodDelete, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

// BenchmarkSandboxListPage reads one page of 20 out of 10,000 sharings, as
// the list benchmark of `make bench` does 500 times.
func BenchmarkSandboxListPage(b *testing.B) {
	srv := benchSandbox(b, 10000, 20)
	benchRequests(b, srv, http.MethodGet, "/credentials/grant-access-sharing?page=250", noBody)
}

// BenchmarkSandboxListPage1000 reads a page of 1,000 out of 10,000 sharings.
func BenchmarkSandboxListPage1000(b *testing.B) {
	srv := benchSandbox(b, 10000, 1000)
	benchRequests(b, srv, http.MethodGet, "/credentials/grant-access-sharing?page=5", noBody)
}
