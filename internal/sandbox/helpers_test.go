package sandbox_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

const testToken = "test-token-123"

var start = time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)

type env struct {
	t     *testing.T
	srv   *sandbox.Server
	ts    *httptest.Server
	clock *clocktest.Fake
}

// newEnv starts a sandbox with a fake clock behind an httptest server.
func newEnv(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	clk := clocktest.NewFake(start)
	if opts.Token == "" {
		opts.Token = testToken
	}
	if opts.Clock == nil {
		opts.Clock = clk
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, srv: srv, ts: ts, clock: clk}
}

type apiRec struct {
	ID           int64   `json:"id"`
	PartnerID    int64   `json:"partnerId"`
	Token        string  `json:"token"`
	Status       int     `json:"status"`
	CredentialID *int64  `json:"credentialId"`
	Title        string  `json:"title"`
	DateCreated  *string `json:"dateCreated"`
}

type meta struct {
	Page            int `json:"page"`
	TotalPages      int `json:"totalPages"`
	TotalItemsCount int `json:"totalItemsCount"`
}

type envelope struct {
	Success bool            `json:"success"`
	Data    json.RawMessage `json:"data"`
	Meta    *meta           `json:"meta"`
	Message string          `json:"message"`
}

// do sends a request with optional headers and returns the response with its body read.
func (e *env) do(method, path, body string, header map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, b
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// api sends an authenticated API request.
func (e *env) api(method, path, body string) (*http.Response, []byte) {
	e.t.Helper()
	h := map[string]string{"Authorization": "Basic " + testToken}
	if body != "" {
		h["Content-Type"] = "application/json"
	}
	return e.do(method, path, body, h)
}

func decode(t *testing.T, b []byte) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return env
}

func decodeRec(t *testing.T, b []byte) apiRec {
	t.Helper()
	env := decode(t, b)
	if !env.Success {
		t.Fatalf("success false: %s", b)
	}
	var r apiRec
	if err := json.Unmarshal(env.Data, &r); err != nil {
		t.Fatalf("decoding data %s: %v", env.Data, err)
	}
	return r
}

// wantFailure checks a success:false JSON answer with the given status.
func wantFailure(t *testing.T, resp *http.Response, b []byte, status int) envelope {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
	env := decode(t, b)
	if env.Success || env.Message == "" {
		t.Fatalf("want success:false with a message, got %s", b)
	}
	return env
}

// create makes a sharing through the API.
func (e *env) create(partnerID int64, title string) apiRec {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"partnerId": partnerID, "title": title})
	resp, b := e.api("POST", "/credentials/grant-access-sharing", string(body))
	if resp.StatusCode != 200 {
		e.t.Fatalf("create: status %d: %s", resp.StatusCode, b)
	}
	return decodeRec(e.t, b)
}

func (e *env) get(id int64) apiRec {
	e.t.Helper()
	resp, b := e.api("GET", path(id), "")
	if resp.StatusCode != 200 {
		e.t.Fatalf("get %d: status %d: %s", id, resp.StatusCode, b)
	}
	return decodeRec(e.t, b)
}

func path(id int64) string {
	return "/credentials/grant-access-sharing/" + itoa(id)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// connectURL is the path of the link for rec.
func connectURL(partnerID int64, token string) string {
	return "/connect?" + url.Values{"id": {itoa(partnerID)}, "token": {token}}.Encode()
}

// form posts a urlencoded form.
func (e *env) form(path string, v url.Values) (*http.Response, []byte) {
	e.t.Helper()
	return e.do("POST", path, v.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// serve runs one request through ServeHTTP directly.
func serve(h http.Handler, method, target, body, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
