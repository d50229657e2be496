package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// Hosts a request can name, and whether the sandbox is theirs: loopback in
// any spelling, or the one extra host allowed; a rebound DNS name is not.
var guardHosts = []struct {
	host  string
	local bool
}{
	{"127.0.0.1:8080", true}, {"127.0.0.1", true}, {"127.9.8.7:1", true}, {"localhost:8080", true},
	{"LocalHost", true}, {"localhost.", true}, {"[::1]:8080", true}, {"[::1]", true},
	{"sandbox.test:8080", true}, {"SANDBOX.test", true},
	{"attacker.test:8080", false}, {"127.0.0.1.attacker.test", false}, {"localhost.attacker.test", false},
	{"10.0.0.5:8080", false}, {"[::2]:8080", false}, {"", false},
}

// Origins a browser can send ("" for none, as from curl or Go), and whether
// the page is the user's own.
var guardOrigins = []struct {
	origin string
	local  bool
}{
	{"", true}, {"http://localhost:3000", true}, {"http://127.0.0.1:8080", true}, {"http://[::1]:8080", true},
	{"http://sandbox.test", true},
	{"http://attacker.test", false}, {"https://attacker.test:8080", false}, {"null", false}, {"::garbage", false},
}

// TestGuardControl: over the cross product of Host, Origin and body type, a
// control change is made exactly when the Host and the Origin are the
// user's and the body is JSON; otherwise it answers 403 (Host or Origin
// first) or 415, and the clock does not move.
func TestGuardControl(t *testing.T) {
	contentTypes := []struct {
		ct   string
		json bool
	}{
		{"application/json", true}, {"application/json; charset=utf-8", true}, {"Application/JSON", true},
		{"text/plain", false}, {"application/x-www-form-urlencoded", false}, {"multipart/form-data; boundary=x", false},
		{"", false}, {"application/jsonp", false},
	}
	srv, err := sandbox.New(sandbox.Options{EnableControl: true, AllowedHosts: []string{"Sandbox.Test"}, Clock: clocktest.NewFake(start)})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range guardHosts {
		for _, o := range guardOrigins {
			for _, c := range contentTypes {
				req := httptest.NewRequest("POST", "/_sandbox/clock", strings.NewReader(`{"advance":"1h"}`))
				req.Host = h.host
				if o.origin != "" {
					req.Header.Set("Origin", o.origin)
				}
				if c.ct != "" {
					req.Header.Set("Content-Type", c.ct)
				}
				before := srv.Now()
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				want := http.StatusOK
				switch {
				case !h.local || !o.local:
					want = http.StatusForbidden
				case !c.json:
					want = http.StatusUnsupportedMediaType
				}
				moved := !srv.Now().Equal(before)
				if rec.Code != want || moved != (want == http.StatusOK) {
					t.Errorf("Host %q Origin %q Content-Type %q: status %d (clock moved: %v), want %d; %s",
						h.host, o.origin, c.ct, rec.Code, moved, want, rec.Body)
				}
			}
		}
	}
}

// TestGuardControlReads: reading the control endpoints (all tokens, at
// GET /_sandbox/sharings) needs the user's Host and Origin too, and a POST
// with no body and no Content-Type (curl -X POST) is still taken.
func TestGuardControlReads(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true, AllowedHosts: []string{"sandbox.test"}})
	r := e.create(225, "x")
	for _, h := range guardHosts {
		for _, o := range guardOrigins {
			req := httptest.NewRequest("GET", "/_sandbox/sharings", nil)
			req.Host = h.host
			if o.origin != "" {
				req.Header.Set("Origin", o.origin)
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			want := map[bool]int{true: 200, false: 403}[h.local && o.local]
			if rec.Code != want || (want == 403) == strings.Contains(rec.Body.String(), r.Token) {
				t.Errorf("Host %q Origin %q: status %d, want %d; %s", h.host, o.origin, rec.Code, want, rec.Body)
			}
		}
	}
	resp, b := e.do("POST", "/_sandbox/sharings/"+itoa(r.ID)+"/revoke", "", nil)
	if resp.StatusCode != 200 {
		t.Errorf("POST without a body: %d %s", resp.StatusCode, b)
	}
	// A browser's preflight is refused, so it sends no JSON across sites.
	resp, _ = e.do("OPTIONS", "/_sandbox/clock", "", map[string]string{"Origin": "http://attacker.test"})
	if resp.StatusCode < 400 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight: %d, %v", resp.StatusCode, resp.Header)
	}
}

// TestGuardAPIWithDefaultToken: the default token is public, so with it
// the API answers only the user's Host and Origin; a token of one's own is
// what guards the API otherwise, from any host.
func TestGuardAPIWithDefaultToken(t *testing.T) {
	for _, token := range []string{"", testToken} {
		srv, err := sandbox.New(sandbox.Options{Token: token, AllowedHosts: []string{"sandbox.test"}})
		if err != nil {
			t.Fatal(err)
		}
		auth := "Bearer " + map[string]string{"": sandbox.DefaultToken, testToken: testToken}[token]
		for _, h := range guardHosts {
			for _, o := range guardOrigins {
				req := httptest.NewRequest("GET", "/credentials/grant-access-sharing", nil)
				req.Host = h.host
				req.Header.Set("Authorization", auth)
				if o.origin != "" {
					req.Header.Set("Origin", o.origin)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				want := 200
				if token == "" && (!h.local || !o.local) {
					want = 403
				}
				if rec.Code != want {
					t.Errorf("token %q Host %q Origin %q: status %d, want %d; %s", token, h.host, o.origin, rec.Code, want, rec.Body)
				}
			}
		}
	}
	if _, err := sandbox.New(sandbox.Options{AllowedHosts: []string{"sandbox:8080"}}); err == nil {
		t.Error("an allowed host with a port was accepted")
	}
}

// TestConnectFormRefusesCrossSitePosts: the connect page's forms are taken
// from the sandbox's own pages and from clients that are not browsers, and
// refused (403, the link left as it was) from any other site.
func TestConnectFormRefusesCrossSitePosts(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	for _, tc := range []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"no browser headers", nil, true},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.ts.URL}, true},
		{"typed by the user", map[string]string{"Sec-Fetch-Site": "none"}, true},
		{"own Origin, no Sec-Fetch-Site", map[string]string{"Origin": e.ts.URL}, true},
		{"cross site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://attacker.test"}, false},
		{"same site, other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"}, false},
		{"foreign Origin only", map[string]string{"Origin": "http://attacker.test"}, false},
		{"null Origin only", map[string]string{"Origin": "null"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, partner := range []int64{225, 227} {
				r := e.create(partner, "x")
				target := "/connect"
				form := linkForm(partner, r.Token, "api_key", "k-123456", "subdomain", "acme")
				if partner == 227 {
					if err := e.srv.StartOAuth(r.ID); err != nil {
						t.Fatal(err)
					}
					target = "/connect/oauth/authorize"
					form = linkForm(partner, r.Token, "decision", "allow")
				}
				h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
				for k, v := range tc.header {
					h[k] = v
				}
				resp, b := e.do("POST", target, form.Encode(), h)
				sh, _ := e.srv.Sharing(r.ID)
				granted := sh.Status == sandbox.StatusGranted
				if tc.ok != (resp.StatusCode == 200) || granted != tc.ok {
					t.Errorf("%s: status %d, granted %v, want ok %v; %s", target, resp.StatusCode, granted, tc.ok, b)
				}
				if !tc.ok {
					wantPage(t, resp, b, http.StatusForbidden, "another site")
				}
			}
		})
	}
}
