package albato

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 8, 15, 13, 10, 24, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"120", 2 * time.Minute, true},
		{"99999999999999999999", time.Duration(math.MaxInt64), true},
		{"9223372036854775807", time.Duration(math.MaxInt64), true},
		{"Fri, 15 Aug 2025 13:10:30 GMT", 6 * time.Second, true},
		{"Friday, 15-Aug-25 13:10:34 GMT", 10 * time.Second, true}, // RFC 850
		{"Fri Aug 15 13:10:26 2025", 2 * time.Second, true},        // ANSI C
		{"Fri, 15 Aug 2025 13:00:00 GMT", 0, true},                 // in the past
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"3 seconds", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, "https://api.albato.com", func(cfg *Config) {
		cfg.RetryWaitMin, cfg.RetryWaitMax, cfg.MaxRetryAfter = 10*time.Millisecond, 80*time.Millisecond, 5*time.Second
	})
	now := time.Now()
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	tests := []struct {
		name       string
		resp       *http.Response
		want       time.Duration // exact when source is retry_after
		wantSource string
	}{
		{"429 seconds", resp(429, "3"), 3 * time.Second, "retry_after"},
		{"503 seconds", resp(503, "2"), 2 * time.Second, "retry_after"},
		{"429 capped", resp(429, "3600"), 5 * time.Second, "retry_after"},
		{"429 date", resp(429, now.Add(90*time.Minute).UTC().Format(http.TimeFormat)), 5 * time.Second, "retry_after"},
		{"429 unreadable", resp(429, "later"), 0, "backoff"},
		{"429 without header", resp(429, ""), 0, "backoff"},
		{"500 ignores Retry-After", resp(500, "3"), 0, "backoff"},
		{"transport error", nil, 0, "backoff"},
	}
	for _, tt := range tests {
		for retry := range 6 {
			got, source := c.retryWait(retry, tt.resp, now)
			if source != tt.wantSource {
				t.Errorf("%s: source %q, want %q", tt.name, source, tt.wantSource)
			}
			if source == "retry_after" && got != tt.want {
				t.Errorf("%s: wait %v, want %v", tt.name, got, tt.want)
			}
			if source == "backoff" && (got < 10*time.Millisecond || got > 80*time.Millisecond) {
				t.Errorf("%s: backoff %v outside [10ms, 80ms]", tt.name, got)
			}
		}
	}
}

func TestJitterBackoff(t *testing.T) {
	t.Parallel()
	lo, hi := 100*time.Millisecond, 3*time.Second
	for retry := range 40 {
		ceiling := min(hi, lo<<min(retry+1, 20))
		seen := map[time.Duration]bool{}
		for range 200 {
			d := jitterBackoff(lo, hi, retry)
			if d < lo || d > ceiling {
				t.Fatalf("retry %d: %v outside [%v, %v]", retry, d, lo, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("retry %d: only %d distinct waits, want jitter", retry, len(seen))
		}
	}
	for range 50 { // the narrowest window, [1ns, 2ns]
		if d := jitterBackoff(1, 10, 0); d < 1 || d > 2 {
			t.Fatalf("1ns to 10ns, retry 0: %v", d)
		}
	}
	if d := jitterBackoff(time.Second, time.Second, 3); d != time.Second {
		t.Errorf("min == max: %v", d)
	}
	if d := jitterBackoff(time.Duration(math.MaxInt64/2+1), time.Duration(math.MaxInt64), 1000); d <= 0 {
		t.Errorf("overflow: %v", d)
	}
}

// rateLimited answers 429 (with retryAfter, if any) to the first n
// requests, then a sharing.
func rateLimited(n int32, retryAfter func() string, hits *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) <= n {
			if retryAfter != nil {
				w.Header().Set("Retry-After", retryAfter())
			}
			writeJSON(w, http.StatusTooManyRequests, `{"success":false,"message":"Too many requests"}`)
			return
		}
		writeJSON(w, 200, okSharing(61))
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		retryAfter    func() string
		maxRetryAfter time.Duration
		wantWait      time.Duration
	}{
		{"seconds", func() string { return "1" }, time.Minute, time.Second},
		{"seconds capped", func() string { return "120" }, 80 * time.Millisecond, 80 * time.Millisecond},
		{"HTTP date capped", func() string { return time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat) }, 150 * time.Millisecond, 150 * time.Millisecond},
		{"HTTP date in the past", func() string { return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat) }, time.Minute, 0},
		{"zero", func() string { return "0" }, time.Minute, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			var logs logRecorder
			srv := serve(t, rateLimited(1, tt.retryAfter, &hits))
			c := newTestClient(t, srv.URL, withLog(&logs), func(cfg *Config) {
				cfg.MaxRetryAfter = tt.maxRetryAfter
				cfg.RetryWaitMin, cfg.RetryWaitMax = time.Millisecond, time.Millisecond
			})
			start := time.Now()
			if _, err := c.GetSharing(testContext(t), 61); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			if hits.Load() != 2 {
				t.Errorf("%d requests, want 2", hits.Load())
			}
			retries := logs.retries()
			if len(retries) != 1 {
				t.Fatalf("%d retry logs, want 1", len(retries))
			}
			if got := retries[0].fields["wait_ms"]; got != tt.wantWait.Milliseconds() || retries[0].fields["wait_source"] != "retry_after" {
				t.Errorf("retry log %v, want wait_ms %d from retry_after", retries[0].fields, tt.wantWait.Milliseconds())
			}
			if elapsed < tt.wantWait || elapsed > tt.wantWait+2*time.Second {
				t.Errorf("took %v, want about %v", elapsed, tt.wantWait)
			}
		})
	}
}

// TestRateLimitedWithoutRetryAfter counts attempts and checks that the last
// 429 is decoded into an *Error with the API's message.
func TestRateLimitedWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	var logs logRecorder
	srv := serve(t, rateLimited(1000, nil, &hits))
	c := newTestClient(t, srv.URL, withRetries(3), withLog(&logs))
	_, err := c.GetSharing(testContext(t), 61)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Message != "Too many requests" {
		t.Fatalf("got %v, want HTTP 429 Too many requests", err)
	}
	if hits.Load() != 4 {
		t.Errorf("%d requests, want 4 (1 + 3 retries)", hits.Load())
	}
	retries := logs.retries()
	if len(retries) != 3 {
		t.Fatalf("%d retry logs, want 3", len(retries))
	}
	for _, r := range retries {
		if r.fields["wait_source"] != "backoff" || r.fields["status"] != 429 {
			t.Errorf("retry log %v", r.fields)
		}
		if ms, _ := r.fields["wait_ms"].(int64); ms < 1 || ms > 4 {
			t.Errorf("wait_ms %v outside [1, 4]", r.fields["wait_ms"])
		}
	}
	if n := len(logs.withPrefix("Giving up")); n != 1 {
		t.Errorf("%d giving-up logs, want 1", n)
	}
	if n := logs.attempts(); n != 4 {
		t.Errorf("%d attempt logs, want 4", n)
	}
}

// TestRetryServerErrors: a 5xx is retried but 501 (Not Implemented, which
// a retry cannot mend), up to 599. The other 5xx of every method are cells
// of TestFaultMatrix ("500 ×3" to "504 ×3": GET, PUT and DELETE retried, a
// POST never, since it may have reached the server).
func TestRetryServerErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status    int
		wantHits  int32
		wantError bool
	}{
		{599, 2, false},
		{501, 1, true},
	} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if hits.Add(1) == 1 {
					writeJSON(w, tt.status, `{"success":false,"message":"try later"}`)
					return
				}
				writeJSON(w, 200, okSharing(61))
			})
			_, err := newTestClient(t, srv.URL, withRetries(3)).GetSharing(testContext(t), 61)
			if hits.Load() != tt.wantHits {
				t.Errorf("%d requests, want %d", hits.Load(), tt.wantHits)
			}
			if !tt.wantError {
				if err != nil {
					t.Errorf("error %v, want success after a retry", err)
				}
				return
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Message != "try later" {
				t.Errorf("got %v, want HTTP %d: try later", err, tt.status)
			}
		})
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 422} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/61") { // not the listing that confirms a 404
					hits.Add(1)
				}
				writeJSON(w, status, `{"success":false,"message":"no"}`)
			})
			// A fixed scheme: under "auto", a 401 or 403 moves on to the
			// next scheme (TestAuthAuto), which is not a retry.
			c := newTestClient(t, srv.URL, withRetries(5), func(cfg *Config) { cfg.AuthScheme = "Basic" })
			_, err := c.GetSharing(testContext(t), 61)
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Errorf("got %v, want HTTP %d", err, status)
			}
			if hits.Load() != 1 {
				t.Errorf("%d requests, want 1", hits.Load())
			}
		})
	}
}

func TestPOSTRetriedOn429(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	bodies := make(chan string, 4)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"success":false,"message":"Too many requests"}`)
			return
		}
		writeJSON(w, 200, okSharing(61))
	})
	s, err := newTestClient(t, srv.URL).CreateSharing(testContext(t), 225, "CRM")
	if err != nil || s.Sharing.ID != 61 || s.Adopted {
		t.Fatalf("got %+v, %v", s, err)
	}
	if hits.Load() != 2 {
		t.Fatalf("%d requests, want 2", hits.Load())
	}
	first, second := <-bodies, <-bodies
	if first != second || !strings.Contains(first, `"partnerId":225`) {
		t.Errorf("bodies %q and %q, want the same request twice", first, second)
	}
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// TestConnectionRefused: a refused connection never reached the server, so
// even POST is retried; with MaxRetries 0 there is one try only. The error
// names neither the URL's query nor the token.
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		retries      int
		call         func(*Client) error
		wantAttempts int
		wantPrefix   string
		wantTries    string
	}{
		{
			name: "POST", retries: 2,
			call:         func(c *Client) error { _, err := c.postSharing(testContext(t), 225, "t"); return err },
			wantAttempts: 3,
			wantPrefix:   "create sharing: POST /credentials/grant-access-sharing: request failed: ",
			wantTries:    " (3 tries over ",
		},
		{
			name: "GET without retries", retries: 0,
			call:         func(c *Client) error { _, err := c.GetSharing(testContext(t), 7); return err },
			wantAttempts: 1,
			wantPrefix:   "read sharing: GET /credentials/grant-access-sharing/7: request failed: ",
		},
		{
			name: "list", retries: 1,
			call:         func(c *Client) error { _, err := c.ListSharings(testContext(t), 3); return err },
			wantAttempts: 2,
			wantPrefix:   "list sharings: GET /credentials/grant-access-sharing: request failed: ",
			wantTries:    " (2 tries over ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logRecorder
			c := newTestClient(t, "http://"+closedAddr(t), withRetries(tt.retries), withLog(&logs))
			err := tt.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			if n := logs.attempts(); n != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", n, tt.wantAttempts)
			}
			var opErr *net.OpError
			var apiErr *Error
			if !errors.As(err, &opErr) || errors.As(err, &apiErr) {
				t.Errorf("error %v (%T) should wrap a *net.OpError and not be an *Error", err, err)
			}
			msg := err.Error()
			if tries := regexp.MustCompile(` \(\d+ tries over [^)]+\)$`).FindString(msg); !strings.HasPrefix(tries, tt.wantTries) || (tries == "") != (tt.wantTries == "") {
				t.Errorf("error %q, want it to end in %q…", msg, tt.wantTries)
			}
			if !strings.HasPrefix(msg, tt.wantPrefix) || strings.Contains(msg, "page=") || strings.Contains(msg, "http://") || strings.Contains(msg, testToken) {
				t.Errorf("error %q, want prefix %q and no URL", msg, tt.wantPrefix)
			}
		})
	}
}

// resettingServer reads each request in full and then resets the
// connection, as a server that crashed while handling it would.
func resettingServer(t *testing.T, requests *atomic.Int32) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				requests.Add(1)
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0) // close with RST
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestResetAfterRequest(t *testing.T) {
	t.Parallel()
	t.Run("POST is not repeated", func(t *testing.T) {
		t.Parallel()
		var requests atomic.Int32
		c := newTestClient(t, resettingServer(t, &requests), withRetries(3))
		_, err := c.postSharing(testContext(t), 225, "t")
		var apiErr *Error
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("got %v, want a transport error", err)
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("server got %d requests, want exactly 1", n)
		}
	})
	t.Run("GET is repeated", func(t *testing.T) {
		t.Parallel()
		var requests atomic.Int32
		c := newTestClient(t, resettingServer(t, &requests), withRetries(2))
		if _, err := c.GetSharing(testContext(t), 61); err == nil {
			t.Fatal("no error")
		}
		if n := requests.Load(); n != 3 {
			t.Errorf("server got %d requests, want 3", n)
		}
	})
}

// TestCancelDuringRetryAfter: a long Retry-After wait ends at once when the
// context is cancelled, and the error says so.
func TestCancelDuringRetryAfter(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := serve(t, rateLimited(1000, func() string { return "30" }, &hits))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetryAfter = time.Minute })

	ctx, cancel := context.WithCancel(testContext(t))
	cancelled := make(chan time.Time, 1)
	// Cancel once the first answer (429, Retry-After 30 s) is in, so the
	// client is inside its wait, however slow the machine.
	go func() {
		for deadline := time.Now().Add(10 * time.Second); hits.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		cancelled <- time.Now()
		cancel()
	}()
	_, err := c.GetSharing(ctx, 61)
	returned := time.Now()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// The wait asked for is 30 s; returning within a few seconds of the
	// cancel proves the wait was cut short (loose, for loaded machines).
	if lag := returned.Sub(<-cancelled); lag > 5*time.Second {
		t.Errorf("returned %v after cancel; the Retry-After wait was not cut short", lag)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests, want 1", hits.Load())
	}
	if !strings.HasPrefix(err.Error(), "read sharing: ") {
		t.Errorf("error %q does not name the operation", err)
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := serve(t, rateLimited(1000, func() string { return "30" }, &hits))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetryAfter = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.RevokeSharing(ctx, 61)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

// TestCancelledBeforeStart: no request goes out on a dead context.
func TestCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := serve(t, counted(&hits, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, okSharing(1)) }))
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	_, err := newTestClient(t, srv.URL).CreateSharing(ctx, 1, "t")
	if !errors.Is(err, context.Canceled) || hits.Load() != 0 {
		t.Fatalf("got %v after %d requests, want context.Canceled and none", err, hits.Load())
	}
}

// TestCancelDuringRequest: cancelling while the server is slow ends the
// call without waiting for the server.
func TestCancelDuringRequest(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newTestClient(t, srv.URL).GetSharing(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

// TestUnknownHostFailsAtOnce: a name the name server says does not exist
// is a typo or no network, not a passing failure: one try, for every
// method and every auth scheme, and the error names the host. A lookup
// that failed for a passing reason (a name server that did not answer) is
// retried as before.
func TestUnknownHostFailsAtOnce(t *testing.T) {
	t.Parallel()
	dialing := func(dnsErr *net.DNSError, dials *atomic.Int32) func(*Config) {
		return func(cfg *Config) {
			cfg.HTTPClient = &http.Client{Transport: &http.Transport{
				DialContext: func(context.Context, string, string) (net.Conn, error) {
					dials.Add(1)
					return nil, &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr}
				},
			}}
		}
	}
	for _, scheme := range []string{"auto", "Basic"} {
		var dials atomic.Int32
		notFound := &net.DNSError{Err: "no such host", Name: "api.typo.invalid", IsNotFound: true}
		var logs logRecorder
		c := newTestClient(t, "https://api.typo.invalid", withLog(&logs), dialing(notFound, &dials),
			func(cfg *Config) { cfg.AuthScheme = scheme })
		_, err := c.GetSharing(testContext(t), 61)
		if host, ok := UnknownHost(err); !ok || host != "api.typo.invalid" {
			t.Errorf("%s: UnknownHost(%v) = %q, %v", scheme, err, host, ok)
		}
		if !strings.Contains(fmt.Sprint(err), "api.typo.invalid") {
			t.Errorf("%s: %v does not name the host", scheme, err)
		}
		if _, err := c.postSharing(testContext(t), 225, "t"); err == nil {
			t.Errorf("%s: POST: no error", scheme)
		}
		if n := dials.Load(); n != 2 {
			t.Errorf("%s: %d dials for a GET and a POST, want 2 (no retry, no other auth scheme)", scheme, n)
		}
		if r := logs.retries(); len(r) != 0 {
			t.Errorf("%s: retries logged: %v", scheme, r)
		}
	}

	var dials atomic.Int32
	passing := &net.DNSError{Err: "server misbehaving", Name: "api.example", IsTemporary: true}
	c := newTestClient(t, "https://api.example", withRetries(2), dialing(passing, &dials))
	_, err := c.GetSharing(testContext(t), 61)
	if _, ok := UnknownHost(err); ok || err == nil {
		t.Errorf("a passing lookup failure %v is reported as an unknown host", err)
	}
	if n := dials.Load(); n != 3 {
		t.Errorf("%d dials after a passing lookup failure, want 3 (two retries)", n)
	}
}

// TestTriesInErrors: a failure that took more than one try says how many
// over how long, whatever the failure; one try says nothing more, and
// Message stays the API's own words.
func TestTriesInErrors(t *testing.T) {
	t.Parallel()
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, code, `{"success":false,"message":"boom"}`)
		}
	}
	for _, tt := range []struct {
		name    string
		h       http.HandlerFunc
		retries int
		post    bool
		want    string // the error up to the tries; `` ends it there
		tries   string
	}{
		{"500 on every try", status(500), 4, false, "read sharing: HTTP 500: boom", " (5 tries over "},
		{"429 on every try", status(429), 2, false, "read sharing: HTTP 429: boom", " (3 tries over "},
		{"503 on every try of a POST", status(503), 3, true, "create sharing: HTTP 503: boom", ""},
		{"500 and no retries", status(500), 0, false, "read sharing: HTTP 500: boom", ""},
		{"a 500, then an unusable sharing", func() http.HandlerFunc {
			var n atomic.Int32
			return func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					status(500)(w, r)
					return
				}
				writeJSON(w, 200, `{"success":true,"data":{"id":"x"}}`)
			}
		}(), 2, false, `read sharing: HTTP 200: malformed sharing: field "id": expected an integer, got string`, " (2 tries over "},
		{"dropped connection on every try", func(w http.ResponseWriter, _ *http.Request) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		}, 2, false, "read sharing: GET /credentials/grant-access-sharing/61: request failed: ", " (3 tries over "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, tt.h)
			srv.Config.SetKeepAlivesEnabled(false)
			c := newTestClient(t, srv.URL, withRetries(tt.retries), func(c *Config) { c.AuthScheme = "Bearer" })
			var err error
			if tt.post {
				_, err = c.postSharing(testContext(t), 225, "t")
			} else {
				_, err = c.GetSharing(testContext(t), 61)
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			tries := regexp.MustCompile(` \(\d+ tries over \d+(\.\d)?m?s\)$`).FindString(msg)
			if !strings.HasPrefix(msg, tt.want) || !strings.HasPrefix(tries, tt.tries) || (tries == "") != (tt.tries == "") {
				t.Errorf("error %q, want %q… ending in %q…", msg, tt.want, tt.tries)
			}
			want := 1
			if tries != "" {
				want, _ = strconv.Atoi(strings.Fields(tries)[0][1:])
			}
			var apiErr *Error
			if errors.As(err, &apiErr) && (strings.Contains(apiErr.Message, "tries") || apiErr.Tries != want) {
				t.Errorf("Message %q and Tries %d, want the API's words and %d", apiErr.Message, apiErr.Tries, want)
			}
		})
	}
}

// TestTriesAfterCancel: a cancellation after retries says how many there
// were too.
func TestTriesAfterCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(testContext(t))
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 2 {
			cancel()
		}
		writeJSON(w, 503, `{"success":false,"message":"busy"}`)
	})
	_, err := newTestClient(t, srv.URL, func(c *Config) { c.AuthScheme = "Bearer" }).GetSharing(ctx, 61)
	if !errors.Is(err, context.Canceled) || !regexp.MustCompile(`^read sharing: context canceled \(2 tries over \d+ms\)$`).MatchString(err.Error()) {
		t.Errorf("got %v, want the cancellation after 2 tries", err)
	}
}

func TestTriesText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		tries   int
		elapsed time.Duration
		want    string
	}{
		{0, time.Second, ""},
		{1, 18 * time.Second, ""},
		{5, 18*time.Second + 40*time.Millisecond, " (5 tries over 18s)"},
		{5, 18*time.Second + 260*time.Millisecond, " (5 tries over 18.3s)"},
		{2, 1500 * time.Microsecond, " (2 tries over 2ms)"},
		{3, 2*time.Minute + 5*time.Second, " (3 tries over 2m5s)"},
	} {
		if got := triesText(tt.tries, tt.elapsed); got != tt.want {
			t.Errorf("triesText(%d, %s) = %q, want %q", tt.tries, tt.elapsed, got, tt.want)
		}
	}
	err := &Error{Operation: "read sharing", StatusCode: 500, Message: "boom", Tries: 5, Elapsed: 18 * time.Second}
	if got := err.Error(); got != "read sharing: HTTP 500: boom (5 tries over 18s)" {
		t.Errorf("Error() = %q", got)
	}
}

// TestRetryProperties: a failed request reports exactly the tries the API
// saw, over a time no shorter than from its first try to its last and no
// longer than the call took; whatever the method, the retries allowed and
// the answers (statuses, Retry-After, dropped connections) in any order.
func TestRetryProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		answers := rapid.SliceOfN(rapid.SampledFrom([]int{200, 400, 404, 429, 500, 501, 503, 0}), 1, 8).Draw(rt, "answers")
		var mu sync.Mutex
		var seen []time.Time // arrivals
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Has("page") { // the listing that judges a 404: another request, not a try
				writeJSON(w, 200, `{"success":true,"data":[],"meta":{"page":1,"totalPages":1,"totalItemsCount":0}}`)
				return
			}
			mu.Lock()
			n := len(seen)
			seen = append(seen, time.Now())
			mu.Unlock()
			switch status := answers[min(n, len(answers)-1)]; status {
			case 0:
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = conn.Close()
				}
			case 200:
				writeJSON(w, status, okSharing(61))
			default:
				if status == 429 || status == 503 {
					w.Header().Set("Retry-After", "0")
				}
				writeJSON(w, status, `{"success":false,"message":"no"}`)
			}
		}))
		defer srv.Close()
		srv.Config.SetKeepAlivesEnabled(false) // Go's transport resends a request on a reused connection that dropped
		c := propClient(rt, Config{BaseURL: srv.URL, AuthScheme: "Bearer", MaxRetries: rapid.IntRange(0, 4).Draw(rt, "retries")})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		var err error
		switch rapid.SampledFrom([]string{"GET", "PUT", "DELETE", "POST"}).Draw(rt, "method") {
		case "GET":
			_, err = c.GetSharing(ctx, 61)
		case "PUT":
			_, err = c.RegenerateSharing(ctx, 61)
		case "DELETE":
			_, err = c.RevokeSharing(ctx, 61)
		default:
			_, err = c.postSharing(ctx, 225, "t")
		}
		took := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil {
			rt.Fatalf("the request did not stop within 10 s: %v", err)
		}
		tries, elapsed := -1, time.Duration(0)
		var apiErr *Error
		var reqErr *requestError
		switch {
		case err == nil:
			return
		case errors.As(err, &apiErr):
			tries, elapsed = apiErr.Tries, apiErr.Elapsed
		case errors.As(err, &reqErr):
			tries, elapsed = reqErr.tries, reqErr.elapsed
		}
		if tries != len(seen) || elapsed < seen[len(seen)-1].Sub(seen[0]) || elapsed > took {
			rt.Fatalf("%v: reports %d tries over %s; the API saw %d over %s, in a call of %s",
				err, tries, elapsed, len(seen), seen[len(seen)-1].Sub(seen[0]), took)
		}
		if want := triesText(len(seen), elapsed); !strings.HasSuffix(err.Error(), want) {
			rt.Fatalf("%q does not end in %q", err, want)
		}
	})
}
