package albato

// A suite across files: no secret in any error, log field or URL the client
// shows, whichever part makes it.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestNoSecretsInErrors: whatever an (echoing) server sends back, neither
// the API token nor a sharing token nor a link reaches an error message.
func TestNoSecretsInErrors(t *testing.T) {
	t.Parallel()
	link := "https://connect.integrations-hub.com?id=225&token=" + testSharingToken
	tests := []struct {
		name        string
		status      int
		contentType string
		body        func(r *http.Request) string
	}{
		{"echoed header as text", 500, "text/plain", func(r *http.Request) string {
			return "proxy error; request headers: Authorization: " + r.Header.Get("Authorization")
		}},
		{"echoed header in JSON message", 400, "application/json", func(r *http.Request) string {
			return fmt.Sprintf(`{"success":false,"message":"bad header %s"}`, r.Header.Get("Authorization"))
		}},
		{"token alone in message", 400, "application/json", func(*http.Request) string {
			return `{"success":false,"message":"token ` + testToken + ` is not valid"}`
		}},
		{"sharing token in message and data", 200, "application/json", func(*http.Request) string {
			return `{"success":false,"message":"Token ` + testSharingToken + ` already used","data":{"token":"` + testSharingToken + `"}}`
		}},
		{"link in message", 410, "application/json", func(*http.Request) string {
			return `{"success":false,"message":"link ` + link + ` expired"}`
		}},
		{"sharing in raw fallback", 500, "application/json", func(*http.Request) string {
			return `{"success":false,"data":{"id":61,"token":"` + testSharingToken + `","status":0}}`
		}},
		{"truncated JSON with token", 200, "application/json", func(*http.Request) string {
			return `{"success":true,"data":{"id":61,"token":"` + testSharingToken
		}},
		{"truncated JSON mid-token", 200, "application/json", func(*http.Request) string {
			return `{"success":true,"data":{"id":61,"token":"` + testSharingToken[:6]
		}},
		{"HTML echo", 502, "text/html", func(r *http.Request) string {
			return "<html><body><pre>Authorization: " + r.Header.Get("Authorization") + "\n" + link + "</pre></body></html>"
		}},
		{"HTML title echo", 502, "text/html", func(*http.Request) string {
			return "<html><title>" + testToken + "</title></html>"
		}},
		{"token after a sea of blanks", 500, "text/plain", func(*http.Request) string {
			return strings.Repeat(" \n", 70000) + testToken
		}},
		{"escaped JSON in message", 400, "application/json", func(*http.Request) string {
			return `{"success":false,"message":"upstream said {\"token\":\"` + testSharingToken + `\"}"}`
		}},
	}
	for _, scheme := range []string{"Basic", "Bearer", "auto"} {
		for _, tt := range tests {
			t.Run(scheme+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tt.contentType)
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte(tt.body(r)))
				})
				var logs logRecorder
				c := newTestClient(t, srv.URL, withRetries(0), withLog(&logs), func(cfg *Config) { cfg.AuthScheme = scheme })
				_, err := c.GetSharing(context.Background(), 61)
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				for _, secret := range []string{testToken, basicCredentials(testToken), testSharingToken, "token=" + testSharingToken[:3]} {
					if strings.Contains(msg, secret) {
						t.Errorf("error %q contains %q", msg, secret)
					}
				}
				if tt.name != "truncated JSON mid-token" && !strings.Contains(msg, redacted) {
					t.Errorf("error %q shows no sign of redaction", msg)
				}
				assertCleanLogs(t, &logs)
			})
		}
	}
}

// assertCleanLogs checks that no log field carries a secret or a body.
func assertCleanLogs(t *testing.T, logs *logRecorder) {
	t.Helper()
	entries := logs.all()
	if len(entries) == 0 {
		t.Error("no log entries")
	}
	for _, e := range entries {
		for k, v := range e.fields {
			s := fmt.Sprint(v)
			for _, bad := range []string{testToken, testSharingToken, "token=", "{", "<"} {
				if strings.Contains(s, bad) || strings.Contains(e.msg, bad) {
					t.Errorf("log %q field %s=%q contains %q", e.msg, k, s, bad)
				}
			}
		}
	}
}

// TestLogFields checks the fields of attempt and retry logs.
func TestLogFields(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 503, `{"success":false,"message":"busy"}`)
			return
		}
		writeJSON(w, 200, okSharing(61))
	})
	var logs logRecorder
	c := newTestClient(t, srv.URL+"/prefix", withLog(&logs))
	if _, err := c.RegenerateSharing(context.Background(), 61); err != nil {
		t.Fatal(err)
	}
	entries := logs.all()
	if len(entries) != 4 {
		t.Fatalf("%d log entries, want 4 (attempt, retry, attempt, the auth scheme accepted): %v", len(entries), entries)
	}
	if e := entries[3]; e.msg != "The Albato API accepted the token" || e.fields["auth_scheme"] != authBearer {
		t.Errorf("last entry %q: %v, want the accepted auth scheme, Bearer", e.msg, e.fields)
	}
	entries = entries[:3]
	wantStatus := []int{503, 503, 200}
	wantAttempt := []int{1, 1, 2}
	for i, e := range entries {
		f := e.fields
		if f["operation"] != "regenerate sharing" || f["method"] != "PUT" || f["path"] != "/prefix/credentials/grant-access-sharing/61" ||
			f["attempt"] != wantAttempt[i] || f["status"] != wantStatus[i] {
			t.Errorf("entry %d %q: %v", i, e.msg, f)
		}
	}
	if _, ok := entries[1].fields["wait_ms"]; !ok {
		t.Errorf("retry entry without wait_ms: %v", entries[1].fields)
	}
	assertCleanLogs(t, &logs)
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"token":"abcdef"}`, `{"token":"[redacted]"}`},
		{`{"Token" : "ab\/cd"}`, `{"Token" : "[redacted]"}`},
		{`{\"token\":\"abcdef\"}`, `{\"token\":\"[redacted]\"}`},
		{`{"token":"abc`, `{"token":"[redacted]`},
		{`https://c.example?id=1&token=abc&x=1`, `https://c.example?id=1&token=[redacted]&x=1`},
		{`Authorization: Bearer eyJhbGciOi.x.y rest`, `Authorization: Bearer [redacted] rest`},
		{`"authorization":"Basic zzz"`, `"authorization":"Basic [redacted]"`},
		{`my SECRET is here`, `my [redacted] is here`},
		{`nothing to hide`, `nothing to hide`},
	}
	for _, tt := range tests {
		if got := redact(tt.in, []string{"SECRET", ""}); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := sharingTokens([]byte(`[{"token":"abcdef"},{"token":"xy"},{"token":null}]`)); len(got) != 1 || got[0] != "abcdef" {
		t.Errorf("sharingTokens = %q", got)
	}
}

// urlSecret is a secret that a user might put in a URL's userinfo, query or
// fragment; no message may show it.
const urlSecret = "SECRET-in-url-42"

// TestShownURL: a URL is shown with its scheme, host and path only.
func TestShownURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://api.albato.com", "https://api.albato.com"},
		{"https://user:" + urlSecret + "@api.example/v1?api_key=" + urlSecret + "#" + urlSecret, "https://api.example/v1"},
		{" http://" + urlSecret + "@127.0.0.1:8080/a%2Fb? ", "http://127.0.0.1:8080/a%2Fb"},
		{"https://h.example/?", "https://h.example/"},
		{"https://h.example/#" + urlSecret, "https://h.example/"},
		{"http://h.example:" + urlSecret + "/", "(not a URL)"},
		{"https://h.example/\x7f?k=" + urlSecret, "(not a URL)"},
		{"?token=" + urlSecret, "(not a URL)"},
		{urlSecret + "@api.example/v1?" + urlSecret, "api.example/v1"},
		{"api.example", "api.example"},
	}
	for _, tt := range tests {
		if got := ShownURL(tt.in); got != tt.want {
			t.Errorf("ShownURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestBaseURLErrorsHideSecrets: a refused API URL is named without the
// userinfo, query or fragment that made it refused, nor the rest of a value
// that does not parse.
func TestBaseURLErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://host.example/?api_key=" + urlSecret,
		"https://host.example/#" + urlSecret,
		"https://host.example/#",
		"https://me:" + urlSecret + "@host.example/",
		urlSecret + "@host.example/?" + urlSecret,
		"ftp://host.example/?" + urlSecret,
		"https:///?k=" + urlSecret,
		"https://host.example:" + urlSecret + "/",
		"https://host.example/%zz?k=" + urlSecret,
		"https://host.example/ \x01?k=" + urlSecret,
	} {
		_, err := ParseBaseURL(raw)
		if err == nil {
			t.Errorf("ParseBaseURL(%q) accepted it", raw)
			continue
		}
		if strings.Contains(err.Error(), urlSecret) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseBaseURL(%q): %q shows the secret", raw, err)
		}
		if _, err := New(Config{BaseURL: raw, Token: testToken}); err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("New(%q): %v", raw, err)
		}
	}
	_, err := ParseBaseURL("https://host.example/api?api_key=" + urlSecret)
	if err == nil || !strings.Contains(err.Error(), `"https://host.example/api"`) {
		t.Errorf("the error %v does not name the URL without its query", err)
	}
}

// TestRedirectHidesSecrets: a redirect is reported with where it led, but
// not its userinfo, query or fragment, in the error or in the logs.
func TestRedirectHidesSecrets(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMultipleChoices, http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect} {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://u:"+urlSecret+"@elsewhere.example/login?next="+urlSecret+"#"+urlSecret)
			w.WriteHeader(status)
		})
		var logs logRecorder
		c := newTestClient(t, srv.URL, withLog(&logs), withRetries(0))
		_, err := c.GetSharing(context.Background(), 61)
		if err == nil {
			t.Fatalf("%d: no error", status)
		}
		if !strings.Contains(err.Error(), "https://elsewhere.example/login") {
			t.Errorf("%d: %q does not say where the redirect led", status, err)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%d: %q shows the secret", status, err)
		}
		for _, e := range logs.all() {
			if s := fmt.Sprint(e.msg, e.fields); strings.Contains(s, "SECRET") {
				t.Errorf("%d: log %s shows the secret", status, s)
			}
		}
	}
}

// A URL without its scheme is told to add one, without its secrets.
func TestBaseURLWithoutScheme(t *testing.T) {
	t.Parallel()
	for raw, shown := range map[string]string{
		"127.0.0.1:8080":     "127.0.0.1:8080",
		"localhost:8080/api": "localhost:8080/api",
		"api.albato.com":     "api.albato.com",
	} {
		_, err := ParseBaseURL(raw)
		want := `has no scheme: use "https://` + shown + `" (or "http://` + shown + `" for a local sandbox)`
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3") {
			t.Errorf("%q: error %v, want %q and no secret", raw, err, want)
		}
	}
	for _, raw := range []string{"https://api.albato.com", "ftp://api.albato.com"} {
		if _, err := ParseBaseURL(raw); err != nil && strings.Contains(err.Error(), "no scheme") {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

// TestRedactedBeforeCut: a secret that straddles the cut of a long message
// leaves no part of itself: redaction comes before shortening.
func TestRedactedBeforeCut(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("a ", (maxMessageRunes-6)/2)
	for name, body := range map[string]string{
		"API token":     `{"success":false,"message":"` + pad + testToken + ` was refused"}`,
		"sharing token": `{"success":false,"message":"` + pad + `tok-0123456789 expired","data":{"token":"tok-0123456789"}}`,
	} {
		_, msg := decodeEnvelope(400, "application/json", []byte(body), testToken)
		if strings.Contains(msg, testToken[:6]) || strings.Contains(msg, "tok-01") {
			t.Errorf("%s: %q keeps part of the secret", name, msg)
		}
	}
}

// TestShortSharingTokens: a body's sharing token of minSharingTokenLen
// characters is redacted wherever it appears; a shorter value is not, or
// it would be blotted out of every word.
func TestShortSharingTokens(t *testing.T) {
	t.Parallel()
	if got := sharingTokens([]byte(`{"token":"abcd"}`)); len(got) != 1 || got[0] != "abcd" {
		t.Errorf("4 characters: %q, want [abcd]", got)
	}
	if got := sharingTokens([]byte(`{"token":"abc"}`)); len(got) != 0 {
		t.Errorf("3 characters: %q, want none", got)
	}
}
