package sandbox_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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

// TestClockBounds: from each offset, a move is taken exactly when the new
// offset stays within ±MaxClockOffset; otherwise it answers 400 naming the
// bound and the clock stays where it was. The wrap-around (two
// moves of 2562047h) cannot happen.
func TestClockBounds(t *testing.T) {
	const maxOff = sandbox.MaxClockOffset
	bound := "±" + maxOff.String()
	for _, tc := range []struct {
		from, move time.Duration
		ok         bool
	}{
		{0, maxOff, true}, {0, maxOff + 1, false}, {0, -maxOff, true}, {0, -maxOff - 1, false},
		{maxOff, 0, true}, {maxOff, 1, false}, {maxOff, -2 * maxOff, true}, {maxOff, -2*maxOff - 1, false},
		{-maxOff, 2 * maxOff, true}, {-maxOff, 2*maxOff + 1, false}, {-maxOff, -1, false},
		{0, math.MaxInt64, false}, {0, math.MinInt64, false}, {maxOff, math.MaxInt64, false}, {-maxOff, math.MinInt64, false},
		{0, 2562047 * time.Hour, false}, {49 * time.Hour, -49 * time.Hour, true},
	} {
		name := fmt.Sprintf("from %s move %s", tc.from, tc.move)
		e := newEnv(t, sandbox.Options{EnableControl: true})
		if err := e.srv.MoveClock(tc.from); err != nil {
			t.Fatalf("%s: setting up: %v", name, err)
		}
		before := e.srv.Now()
		resp, b := e.do("POST", "/_sandbox/clock", `{"advance":"`+tc.move.String()+`"}`, map[string]string{"Content-Type": "application/json"})
		moved := e.srv.Now().Sub(before)
		switch {
		case tc.ok && (resp.StatusCode != 200 || moved != tc.move):
			t.Errorf("%s: status %d, moved %s; %s", name, resp.StatusCode, moved, b)
		case !tc.ok && (resp.StatusCode != 400 || moved != 0 || !strings.Contains(string(b), bound)):
			t.Errorf("%s: status %d, moved %s, want 400 naming %s; %s", name, resp.StatusCode, moved, bound, b)
		}
		// The Go method, from the same offset, decides the same.
		if err := e.srv.MoveClock(-moved); err != nil {
			t.Fatal(err)
		}
		before = e.srv.Now()
		err := e.srv.MoveClock(tc.move)
		if (err == nil) != tc.ok || err != nil && (!strings.Contains(err.Error(), bound) || !e.srv.Now().Equal(before)) {
			t.Errorf("%s: MoveClock: %v", name, err)
		}
	}
	// A duration Go cannot hold is refused as such.
	e := newEnv(t, sandbox.Options{EnableControl: true})
	control(t, e, "POST", "/_sandbox/clock", `{"advance":"2562048h"}`, 400)
}
