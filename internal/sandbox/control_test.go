package sandbox_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

func TestDataFilePersistence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	clk := clocktest.NewFake(start)

	a := newEnv(t, sandbox.Options{DataFile: file, Clock: clk})
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file at start: %v %v", fi, err)
	}
	r1 := a.create(225, "one")
	r2 := a.create(227, "two")
	cred, err := a.srv.Grant(r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.api("DELETE", path(r2.ID), "")
	a.srv.Advance(time.Hour)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(data2str(data), testToken) {
		t.Error("the data file holds the API token")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}

	// A second server on the same file sees the same state.
	b := newEnv(t, sandbox.Options{DataFile: file, Clock: clk})
	for _, id := range []int64{r1.ID, r2.ID} {
		sa, _ := a.srv.Sharing(id)
		sb, ok := b.srv.Sharing(id)
		if !ok || sa.Token != sb.Token || sa.Status != sb.Status || !sa.DateCreated.Equal(sb.DateCreated) ||
			!sa.TokenIssuedAt.Equal(sb.TokenIssuedAt) || sa.Deleted != sb.Deleted || sa.Title != sb.Title {
			t.Errorf("sharing %d: %+v vs %+v", id, sa, sb)
		}
	}
	if got := b.get(r1.ID); got.Status != 1 || *got.CredentialID != cred {
		t.Errorf("granted record: %+v", got)
	}
	if !b.srv.Now().Equal(start.Add(time.Hour)) {
		t.Errorf("clock offset not restored: %v", b.srv.Now())
	}
	// Ids keep counting up.
	if r3 := b.create(226, "three"); r3.ID != r2.ID+1 {
		t.Errorf("next id %d, want %d", r3.ID, r2.ID+1)
	}
	if r3 := b.create(227, "four"); true {
		c2, err := b.srv.Grant(r3.ID)
		if err != nil || c2 != cred+1 {
			t.Errorf("next credential %d (%v), want %d", c2, err, cred+1)
		}
	}
	// Old tokens still lead to the right pages.
	resp, _ := b.do("GET", connectURL(227, r2.Token), "", nil)
	if resp.StatusCode != 410 {
		t.Errorf("revoked link after reload: %d", resp.StatusCode)
	}
}

func data2str(b []byte) string { return string(b) }

func TestDataFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	if _, err := sandbox.New(sandbox.Options{DataFile: bad}); err == nil {
		t.Error("corrupt data file accepted")
	}
	os.WriteFile(bad, []byte(`{"version":1,"sharings":[{"id":1,"partnerId":1,"token":"x"}]}`), 0o600)
	if _, err := sandbox.New(sandbox.Options{DataFile: bad}); err == nil || !strings.Contains(err.Error(), "partner") {
		t.Errorf("unknown partner in data file: %v", err)
	}
	if _, err := sandbox.New(sandbox.Options{DataFile: filepath.Join(dir, "missing-dir", "s.json")}); err == nil {
		t.Error("unwritable data file accepted")
	}
}

func control(t *testing.T, e *env, method, p, body string, status int) map[string]any {
	t.Helper()
	resp, b := e.do(method, p, body, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, p, resp.StatusCode, status, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, p, err, b)
	}
	return out
}

func TestControlEndpoints(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true})
	crm := e.create(225, "crm")
	cal := e.create(227, "cal")

	out := control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/grant", crm.ID), "", 200)
	cred, ok := out["credentialId"].(float64)
	if !ok || cred <= 0 {
		t.Fatalf("grant: %v", out)
	}
	if got := e.get(crm.ID); got.Status != 1 || *got.CredentialID != int64(cred) {
		t.Errorf("after grant: %+v", got)
	}
	control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/grant", crm.ID), "", 409)
	control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/oauth", crm.ID), "", 409)
	out = control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/oauth", cal.ID), "", 200)
	if out["status"] != 2.0 || out["statusName"] != "waiting_oauth" {
		t.Errorf("oauth: %v", out)
	}
	out = control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/revoke", cal.ID), "", 200)
	if out["status"] != 3.0 {
		t.Errorf("revoke: %v", out)
	}
	control(t, e, "GET", fmt.Sprintf("/_sandbox/sharings/%d/grant", cal.ID), "", 405)
	control(t, e, "POST", "/_sandbox/sharings/4242/grant", "", 404)
	control(t, e, "POST", "/_sandbox/sharings/abc/grant", "", 400)
	control(t, e, "POST", fmt.Sprintf("/_sandbox/sharings/%d/explode", cal.ID), "", 404)

	out = control(t, e, "GET", "/_sandbox/sharings", "", 200)
	list, _ := out["sharings"].([]any)
	if len(list) != 2 {
		t.Fatalf("sharings: %v", out)
	}
	first := list[0].(map[string]any)
	if first["token"] != crm.Token || first["statusName"] != "granted" || first["expiresAt"] != start.Add(48*time.Hour).Format(time.RFC3339) {
		t.Errorf("first sharing: %v", first)
	}
	out = control(t, e, "GET", fmt.Sprintf("/_sandbox/sharings/%d", cal.ID), "", 200)
	if out["title"] != "cal" {
		t.Errorf("one sharing: %v", out)
	}

	out = control(t, e, "POST", "/_sandbox/clock", `{"advance":"49h"}`, 200)
	if out["now"] != start.Add(49*time.Hour).Format(time.RFC3339) {
		t.Errorf("clock: %v", out)
	}
	control(t, e, "POST", "/_sandbox/clock", `{"advance":"soon"}`, 400)
	control(t, e, "POST", "/_sandbox/clock", `{"advnce":"1h"}`, 400)
	if !e.srv.Now().Equal(start.Add(49 * time.Hour)) {
		t.Errorf("Now = %v", e.srv.Now())
	}

	out = control(t, e, "POST", "/_sandbox/faults", `{"status":429,"retryAfter":"1","times":1,"latency":"5ms","method":"get"}`, 200)
	if faults, _ := out["faults"].([]any); len(faults) != 1 || fmt.Sprint(faults[0]) != "map[latency:5ms method:GET retryAfter:1 status:429 times:1]" {
		t.Errorf("faults: %v", out)
	}
	control(t, e, "POST", "/_sandbox/faults", `{"status":42}`, 400)
	control(t, e, "POST", "/_sandbox/faults", `{"latency":"forever"}`, 400)
	control(t, e, "POST", "/_sandbox/faults", `{"pathPrefix":"credentials"}`, 400)
	control(t, e, "POST", "/_sandbox/faults", `{"bodyContains":"x"}`, 400) // Go only
	control(t, e, "PUT", "/_sandbox/faults", `{}`, 405)
	resp, b := e.api("GET", listPath, "")
	wantFailure(t, resp, b, 429)
	if resp, _ := e.api("GET", listPath, ""); resp.StatusCode != 200 {
		t.Errorf("after the fault: %d", resp.StatusCode)
	}
	control(t, e, "POST", "/_sandbox/faults", `{"status":500}`, 200)
	out = control(t, e, "DELETE", "/_sandbox/faults", "", 200)
	if faults, _ := out["faults"].([]any); len(faults) != 0 {
		t.Errorf("after DELETE: %v", out)
	}
	if len(e.srv.Faults()) != 0 {
		t.Error("faults left")
	}

	out = control(t, e, "GET", "/_sandbox/requests", "", 200)
	counts := out["counts"].(map[string]any)
	reqs := out["requests"].([]any)
	if counts["POST"] != 2.0 || counts["GET"] != float64(e.srv.Count("GET")) || len(reqs) != e.srv.Count("") {
		t.Errorf("requests: %v", out)
	}
	control(t, e, "DELETE", "/_sandbox/requests", "", 200)
	if e.srv.Count("") != 0 {
		t.Error("requests not reset")
	}

	out = control(t, e, "DELETE", fmt.Sprintf("/_sandbox/sharings/%d", crm.ID), "", 200)
	if out["removed"] != true {
		t.Errorf("remove: %v", out)
	}
	resp, b = e.api("GET", path(crm.ID), "")
	wantFailure(t, resp, b, 404)
	control(t, e, "DELETE", fmt.Sprintf("/_sandbox/sharings/%d", crm.ID), "", 404)
	control(t, e, "GET", "/_sandbox/", "", 200)
	control(t, e, "GET", "/_sandbox/nothing", "", 404)
	if e.srv.Count("") != 1 {
		t.Errorf("control requests logged as API: %+v", e.srv.Requests())
	}
}

func TestControlDisabled(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "x")
	for _, tc := range [][2]string{
		{"GET", "/_sandbox/sharings"},
		{"POST", fmt.Sprintf("/_sandbox/sharings/%d/grant", r.ID)},
		{"POST", "/_sandbox/clock"},
		{"POST", "/_sandbox/faults"},
		{"GET", "/_sandbox/requests"},
	} {
		resp, b := e.do(tc[0], tc[1], `{"advance":"49h"}`, nil)
		wantFailure(t, resp, b, 404)
	}
	if got := e.get(r.ID); got.Status != 0 {
		t.Errorf("a disabled control endpoint acted: %+v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, sandbox.Options{PageSize: 7})
	const workers = 50
	var wg sync.WaitGroup
	ids := make(chan int64, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			partner := int64(225 + i%3)
			r := e.create(partner, fmt.Sprint("w", i))
			ids <- r.ID
			if got := e.get(r.ID); got.Token != r.Token {
				t.Errorf("worker %d: token changed", i)
			}
			e.api("GET", listPath+"?page=2", "")
			switch i % 4 {
			case 0:
				e.api("DELETE", path(r.ID), "")
			case 1:
				e.api("PUT", path(r.ID), "")
			case 2:
				e.srv.Grant(r.ID)
			case 3:
				e.do("GET", connectURL(partner, r.Token), "", nil)
				e.srv.Sharings()
				e.srv.Requests()
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id %d handed out twice", id)
		}
		seen[id] = true
	}
	if n := len(e.srv.Sharings()); n != workers {
		t.Errorf("%d sharings, want %d", n, workers)
	}
	if n := e.srv.Count("POST"); n != workers {
		t.Errorf("%d POSTs logged, want %d", n, workers)
	}
	tokens := map[string]bool{}
	for _, sh := range e.srv.Sharings() {
		if tokens[sh.Token] {
			t.Errorf("token reused")
		}
		tokens[sh.Token] = true
	}
}
