package sandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

func wantPage(t *testing.T, resp *http.Response, b []byte, status int, contains ...string) string {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body:\n%s", resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	checkSecurityHeaders(t, resp)
	page := string(b)
	for _, c := range contains {
		if !strings.Contains(page, c) {
			t.Errorf("page lacks %q:\n%s", c, page)
		}
	}
	return page
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func linkForm(partnerID int64, token string, kv ...string) url.Values {
	v := url.Values{"id": {itoa(partnerID)}, "token": {token}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestConnectAPIKeyPartner(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "CRM for ACME")
	resp, b := e.do("GET", connectURL(225, r.Token), "", nil)
	page := wantPage(t, resp, b, 200, "Demo CRM", "CRM for ACME", `name="api_key"`, `name="subdomain"`,
		`type="password"`, `name="token" value="`+r.Token+`"`, `action="/connect"`)
	if strings.Contains(page, "<script") {
		t.Error("the page carries a script")
	}

	// Empty fields: the form again, with errors, 422; nothing changes.
	resp, b = e.form("/connect", linkForm(225, r.Token, "api_key", "", "subdomain", ""))
	wantPage(t, resp, b, 422, "API key is required", "Subdomain is required", `name="api_key"`)
	// A bad subdomain keeps the typed non-secret value but never echoes the key.
	resp, b = e.form("/connect", linkForm(225, r.Token, "api_key", "sekrit-key-42", "subdomain", "-Bad"))
	page = wantPage(t, resp, b, 422, "Subdomain must be", `value="-Bad"`)
	if strings.Contains(page, "sekrit-key-42") {
		t.Error("the page echoes the API key")
	}
	if got := e.get(r.ID); got.Status != 0 {
		t.Fatalf("status after invalid submissions: %d", got.Status)
	}

	resp, b = e.form("/connect", linkForm(225, r.Token, "api_key", "sekrit-key-42", "subdomain", "acme-1"))
	page = wantPage(t, resp, b, 200, "Connection created", "Demo CRM", "CRM for ACME")
	if strings.Contains(page, "sekrit-key-42") {
		t.Error("the success page echoes the API key")
	}
	got := e.get(r.ID)
	if got.Status != 1 || got.CredentialID == nil || *got.CredentialID <= 0 {
		t.Fatalf("after the form: %+v", got)
	}
	if !strings.Contains(page, "#"+itoa(*got.CredentialID)) {
		t.Errorf("the success page does not name connection %d", *got.CredentialID)
	}
	// The link is spent.
	resp, b = e.do("GET", connectURL(225, r.Token), "", nil)
	wantPage(t, resp, b, 410, "This link was already used")
	resp, b = e.form("/connect", linkForm(225, r.Token, "api_key", "k", "subdomain", "acme"))
	wantPage(t, resp, b, 410, "This link was already used")
}

func TestConnectLoginPartner(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(226, "Mailer")
	resp, b := e.do("GET", connectURL(226, r.Token), "", nil)
	wantPage(t, resp, b, 200, "Demo Mailer", `name="login"`, `name="password"`)
	resp, b = e.form("/connect", linkForm(226, r.Token, "login", "bob"))
	wantPage(t, resp, b, 422, "Password is required", `value="bob"`)
	resp, b = e.form("/connect", linkForm(226, r.Token, "login", "bob", "password", "pw"))
	wantPage(t, resp, b, 200, "Connection created")
	if got := e.get(r.ID); got.Status != 1 || got.CredentialID == nil {
		t.Fatalf("after the form: %+v", got)
	}
}

func TestConnectOAuthAllow(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(227, "Calendar")
	resp, b := e.do("GET", connectURL(227, r.Token), "", nil)
	page := wantPage(t, resp, b, 200, "Connect with Demo Calendar")
	if strings.Contains(page, `name="api_key"`) {
		t.Error("OAuth form has fields")
	}
	resp, _ = e.form("/connect", linkForm(227, r.Token))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /connect: %d, want 303", resp.StatusCode)
	}
	checkSecurityHeaders(t, resp)
	loc := resp.Header.Get("Location")
	wantLoc := "/connect/oauth/authorize?" + url.Values{"id": {"227"}, "token": {r.Token}}.Encode()
	if loc != wantLoc {
		t.Fatalf("Location = %q", loc)
	}
	if got := e.get(r.ID); got.Status != 2 || got.CredentialID != nil {
		t.Fatalf("after starting OAuth: %+v", got)
	}
	resp, b = e.do("GET", loc, "", nil)
	wantPage(t, resp, b, 200, "Demo Calendar", `value="allow"`, `value="deny"`, "Allow", "Deny")
	resp, b = e.form("/connect/oauth/authorize", linkForm(227, r.Token, "decision", "maybe"))
	wantPage(t, resp, b, 400)
	resp, b = e.form("/connect/oauth/authorize", linkForm(227, r.Token, "decision", "allow"))
	wantPage(t, resp, b, 200, "Connection created")
	if got := e.get(r.ID); got.Status != 1 || got.CredentialID == nil {
		t.Fatalf("after allow: %+v", got)
	}
	resp, b = e.do("GET", loc, "", nil)
	wantPage(t, resp, b, 410, "already used")
}

func TestConnectOAuthDeny(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(227, "Calendar")
	// The consent page needs the flow to be started first.
	resp, b := e.do("GET", "/connect/oauth/authorize?id=227&token="+r.Token, "", nil)
	wantPage(t, resp, b, 409, "not active")
	if resp, _ := e.form("/connect", linkForm(227, r.Token)); resp.StatusCode != 303 {
		t.Fatalf("POST /connect: %d", resp.StatusCode)
	}
	resp, b = e.form("/connect/oauth/authorize", linkForm(227, r.Token, "decision", "deny"))
	wantPage(t, resp, b, 200, "Access was denied", connectPathEscaped(227, r.Token))
	if got := e.get(r.ID); got.Status != 0 || got.CredentialID != nil {
		t.Fatalf("after deny: %+v", got)
	}
	// The link still works.
	resp, b = e.do("GET", connectURL(227, r.Token), "", nil)
	wantPage(t, resp, b, 200, "Connect with Demo Calendar")
}

// connectPathEscaped is connectURL as html/template writes it in an href.
func connectPathEscaped(partnerID int64, token string) string {
	return strings.ReplaceAll(connectURL(partnerID, token), "&", "&amp;")
}

func TestConnectErrorPages(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	crm := e.create(225, "crm")
	revoked := e.create(225, "revoked")
	if resp, _ := e.api("DELETE", path(revoked.ID), ""); resp.StatusCode != 200 {
		t.Fatal("DELETE")
	}
	for _, tc := range []struct {
		name, target string
		status       int
		text         string
	}{
		{"unknown token", connectURL(225, "AAAAAAAAAA"), 404, "This link is not valid"},
		{"partner mismatch", connectURL(226, crm.Token), 404, "This link is not valid"},
		{"revoked", connectURL(225, revoked.Token), 410, "This link was revoked"},
		{"no params", "/connect", 400, "incomplete"},
		{"no token", "/connect?id=225", 400, "incomplete"},
		{"bad id", "/connect?id=abc&token=" + crm.Token, 400, "incomplete"},
		{"garbled token", "/connect?id=225&token=%3Cx%3E", 400, "incomplete"},
		{"unknown page", "/connect/elsewhere", 404, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.do("GET", tc.target, "", nil)
			wantPage(t, resp, b, tc.status, tc.text)
		})
	}
	resp, b := e.do("PUT", connectURL(225, crm.Token), "", nil)
	wantPage(t, resp, b, 405)
	if resp.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}

	// Expiry: fine just before 48 hours, gone at 48 hours, API status unchanged.
	e.srv.Advance(48*time.Hour - time.Second)
	resp, b = e.do("GET", connectURL(225, crm.Token), "", nil)
	wantPage(t, resp, b, 200)
	e.srv.Advance(time.Second)
	resp, b = e.do("GET", connectURL(225, crm.Token), "", nil)
	wantPage(t, resp, b, 410, "This link has expired")
	resp, b = e.form("/connect", linkForm(225, crm.Token, "api_key", "k", "subdomain", "acme"))
	wantPage(t, resp, b, 410, "This link has expired")
	if got := e.get(crm.ID); got.Status != 0 {
		t.Errorf("status after expiry = %d, want 0", got.Status)
	}
	// Regenerating brings the link back to life.
	_, b = e.api("PUT", path(crm.ID), "")
	fresh := decodeRec(t, b)
	resp, b = e.do("GET", connectURL(225, fresh.Token), "", nil)
	wantPage(t, resp, b, 200)
}

func TestConnectEscapesHTML(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	title := `<script>alert("x")</script> & "quotes"`
	r := e.create(225, title)
	resp, b := e.do("GET", connectURL(225, r.Token), "", nil)
	page := wantPage(t, resp, b, 200, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;")
	if strings.Contains(page, "<script>") {
		t.Error("title not escaped")
	}
	// A typed value is escaped too.
	resp, b = e.form("/connect", linkForm(225, r.Token, "api_key", "", "subdomain", `"><script>`))
	page = wantPage(t, resp, b, 422)
	if strings.Contains(page, `"><script>`) {
		t.Error("typed value not escaped")
	}
	// And the API gives the title back verbatim.
	if got := e.get(r.ID); got.Title != title {
		t.Errorf("title = %q", got.Title)
	}
}

func TestConnectIsNotLoggedAsAPI(t *testing.T) {
	e := newEnv(t, sandbox.Options{EnableControl: true})
	r := e.create(225, "x")
	e.do("GET", connectURL(225, r.Token), "", nil)
	e.do("GET", "/_sandbox/sharings", "", nil)
	if n := e.srv.Count(""); n != 1 {
		t.Errorf("Count = %d, want 1 (the POST)", n)
	}
}
