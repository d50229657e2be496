package albato

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

const (
	testToken        = "api-secret-token-123"
	testSharingToken = "aZeZWFwAQQ"
)

// newTestClient returns a client for baseURL with millisecond waits, so
// that retry tests stay fast; mods adjust the config.
func newTestClient(t testing.TB, baseURL string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:       baseURL,
		Token:         testToken,
		MaxRetries:    3,
		UserAgent:     "terraform-provider-albato/test (+https://www.terraform.io) Terraform/1.9.0",
		RetryWaitMin:  time.Millisecond,
		RetryWaitMax:  4 * time.Millisecond,
		MaxRetryAfter: 50 * time.Millisecond,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// propClient is newTestClient for a property's run: the token and
// millisecond waits unless cfg sets them.
func propClient(rt *rapid.T, cfg Config) *Client {
	cfg.Token = cmp.Or(cfg.Token, testToken)
	cfg.RetryWaitMin = cmp.Or(cfg.RetryWaitMin, time.Millisecond)
	cfg.RetryWaitMax = cmp.Or(cfg.RetryWaitMax, 4*time.Millisecond)
	cfg.MaxRetryAfter = cmp.Or(cfg.MaxRetryAfter, 50*time.Millisecond)
	c, err := New(cfg)
	if err != nil {
		rt.Fatalf("New: %v", err)
	}
	return c
}

// testContext ends when the test does or after 20 s: a listing, retry or
// wait that never stops fails the test in seconds, as "<operation>:
// context deadline exceeded".
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func withRetries(n int) func(*Config) { return func(c *Config) { c.MaxRetries = n } }

func withLog(r *logRecorder) func(*Config) { return func(c *Config) { c.Logf = r.logf } }

// serve starts a test server that is closed when the test ends.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// counted wraps h and counts the requests it gets.
func counted(n *atomic.Int32, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}
}

// sharingJSON is one sharing as the API writes it.
func sharingJSON(id int64, token string, status int) string {
	return fmt.Sprintf(`{"id":%d,"partnerId":225,"token":%q,"status":%d,"credentialId":null,`+
		`"title":"Connection by link for CRM Integration","dateCreated":"2025-08-15 13:10:24"}`, id, token, status)
}

func okSharing(id int64) string {
	return `{"success":true,"data":` + sharingJSON(id, testSharingToken, 0) + `}`
}

// writeJSON answers with status and a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

type logEntry struct {
	msg    string
	fields map[string]any
}

// logRecorder collects Logf calls; it is safe for concurrent use.
type logRecorder struct {
	mu      sync.Mutex
	entries []logEntry
}

func (r *logRecorder) logf(_ context.Context, msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	copied := make(map[string]any, len(fields))
	for k, v := range fields {
		copied[k] = v
	}
	r.entries = append(r.entries, logEntry{msg: msg, fields: copied})
}

func (r *logRecorder) all() []logEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logEntry(nil), r.entries...)
}

// withPrefix returns the entries whose message starts with prefix.
func (r *logRecorder) withPrefix(prefix string) []logEntry {
	var out []logEntry
	for _, e := range r.all() {
		if strings.HasPrefix(e.msg, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// attempts counts HTTP attempts: those answered and those that failed.
func (r *logRecorder) attempts() int {
	return len(r.withPrefix("Albato API request"))
}

func (r *logRecorder) retries() []logEntry { return r.withPrefix("Retrying") }

// acceptedScheme names the auth scheme the client settled on; "" while
// auto has not settled one.
func acceptedScheme(c *Client) string {
	s, _ := c.auth.accepted()
	return s.name
}
