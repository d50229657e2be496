package albato

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var authHeaders = map[string]string{
	authBearer:        "Bearer " + testToken,
	authBasic:         "Basic " + testToken,
	authBasicStandard: "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken+":")),
}

// acceptingOnly answers a sharing to the Authorization header of scheme
// and 401 to any other, counting both.
func acceptingOnly(scheme string, accepted, refused *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != authHeaders[scheme] {
			refused.Add(1)
			writeJSON(w, http.StatusUnauthorized, `{"success":false,"message":"Unauthorized"}`)
			return
		}
		accepted.Add(1)
		writeJSON(w, http.StatusOK, okSharing(61))
	}
}

// TestAuthAuto: under "auto" (the default) the schemes are tried in order,
// each refusal (401) costs one request once per Client, and then every call
// is one request under the accepted scheme.
func TestAuthAuto(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scheme    string
		extraOnce int32
	}{
		{authBearer, 0},
		{authBasic, 1},
		{authBasicStandard, 2},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			t.Parallel()
			var accepted, refused atomic.Int32
			srv := serve(t, acceptingOnly(tc.scheme, &accepted, &refused))
			c := newTestClient(t, srv.URL, withRetries(0))
			if got := acceptedScheme(c); got != "" {
				t.Errorf("AuthScheme before any request = %q, want \"\"", got)
			}
			for i := range 3 {
				if _, err := c.GetSharing(testContext(t), 61); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
			}
			if refused.Load() != tc.extraOnce || accepted.Load() != 3 {
				t.Errorf("%d refused and %d accepted requests, want %d and 3", refused.Load(), accepted.Load(), tc.extraOnce)
			}
			if got := acceptedScheme(c); got != tc.scheme {
				t.Errorf("AuthScheme = %q, want %q", got, tc.scheme)
			}
		})
	}
}

// TestAuthAutoPOST: a refused POST did nothing, so it is sent again under
// the next scheme; nothing is created twice.
func TestAuthAutoPOST(t *testing.T) {
	t.Parallel()
	var accepted, refused atomic.Int32
	srv := serve(t, acceptingOnly(authBasic, &accepted, &refused))
	got, err := newTestClient(t, srv.URL, withRetries(0)).CreateSharing(testContext(t), 225, "t")
	if err != nil || got.Sharing.ID != 61 || got.Adopted {
		t.Fatalf("got %+v, %v", got, err)
	}
	if refused.Load() != 1 || accepted.Load() != 1 {
		t.Errorf("%d refused and %d accepted POSTs, want 1 and 1", refused.Load(), accepted.Load())
	}
}

// TestAuthAutoAllRefused: one *Error that names the three schemes tried,
// never the token, and still reads as a refused token.
func TestAuthAutoAllRefused(t *testing.T) {
	t.Parallel()
	var accepted, refused atomic.Int32
	srv := serve(t, acceptingOnly("none", &accepted, &refused))
	c := newTestClient(t, srv.URL, withRetries(3))
	_, err := c.GetSharing(testContext(t), 61)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !IsUnauthorized(err) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("got %v, want an *Error with HTTP 401", err)
	}
	for _, want := range []string{"read sharing: HTTP 401: ", "Bearer <token>", "Basic <token>", "Basic base64(<token>:)", "Unauthorized"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	for _, secret := range authHeaders {
		if strings.Contains(err.Error(), strings.Fields(secret)[1]) {
			t.Errorf("error %q shows the token", err)
		}
	}
	if refused.Load() != 3 || acceptedScheme(c) != "" {
		t.Errorf("%d requests and scheme %q, want 3 and none settled", refused.Load(), acceptedScheme(c))
	}
}

// TestAuthFixed: "Basic" and "Bearer" are settled from the start and
// never probe; a refusal is one request.
func TestAuthFixed(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{authBasic, authBearer} {
		var accepted, refused atomic.Int32
		srv := serve(t, acceptingOnly("none", &accepted, &refused))
		c := newTestClient(t, srv.URL, withRetries(0), func(cfg *Config) { cfg.AuthScheme = strings.ToLower(scheme) })
		if acceptedScheme(c) != scheme {
			t.Errorf("AuthScheme = %q, want %q", acceptedScheme(c), scheme)
		}
		if _, err := c.GetSharing(testContext(t), 61); !IsUnauthorized(err) || refused.Load() != 1 {
			t.Errorf("%s: got %v after %d requests, want a 401 after 1", scheme, err, refused.Load())
		}
	}
}

// TestAuthAutoUnsettledByOtherFailures: a failure that says nothing of the
// credentials (a 500, a 429, a 408, a dropped connection) settles nothing:
// the next request tries again, from the first scheme not yet refused.
// Settling on a scheme the API never judged would make every later request
// fail with 401.
func TestAuthAutoUnsettledByOtherFailures(t *testing.T) {
	t.Parallel()
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, code, `{"success":false,"message":"not now"}`)
		}
	}
	drop := func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	for _, tc := range []struct {
		name      string
		fail      http.HandlerFunc
		failOn    int32 // the request that fails
		scheme    string
		wantTried []string
	}{
		{"500 on the first request", status(500), 1, authBasic, []string{authBearer, authBearer, authBasic}},
		{"500 after a refusal", status(500), 2, authBasic, []string{authBearer, authBasic, authBasic}},
		{"500 after two refusals", status(500), 3, authBasicStandard, []string{authBearer, authBasic, authBasicStandard, authBasicStandard}},
		{"429 on the first request", status(429), 1, authBasic, []string{authBearer, authBearer, authBasic}},
		{"429 after a refusal", status(429), 2, authBasicStandard, []string{authBearer, authBasic, authBasic, authBasicStandard}},
		{"408 on the first request", status(408), 1, authBasicStandard, []string{authBearer, authBearer, authBasic, authBasicStandard}},
		{"dropped connection on the first request", drop, 1, authBasic, []string{authBearer, authBearer, authBasic}},
		{"dropped connection after a refusal", drop, 2, authBasicStandard, []string{authBearer, authBasic, authBasic, authBasicStandard}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var accepted, refused, n atomic.Int32
			var mu sync.Mutex
			var tried []string
			ok := acceptingOnly(tc.scheme, &accepted, &refused)
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				for name, h := range authHeaders {
					if r.Header.Get("Authorization") == h {
						tried = append(tried, name)
					}
				}
				mu.Unlock()
				if n.Add(1) == tc.failOn {
					tc.fail(w, r)
					return
				}
				ok(w, r)
			})
			// A connection per request: Go's transport silently sends a
			// request again when a reused connection drops.
			srv.Config.SetKeepAlivesEnabled(false)
			c := newTestClient(t, srv.URL, withRetries(0))
			if _, err := c.GetSharing(testContext(t), 61); err == nil || IsUnauthorized(err) || acceptedScheme(c) != "" {
				t.Fatalf("got %v and scheme %q, want the failure and none settled", err, acceptedScheme(c))
			}
			if _, err := c.GetSharing(testContext(t), 61); err != nil || acceptedScheme(c) != tc.scheme {
				t.Fatalf("got %v and scheme %q, want success under %s", err, acceptedScheme(c), tc.scheme)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(tried, tc.wantTried) {
				t.Errorf("schemes sent %v, want %v", tried, tc.wantTried)
			}
		})
	}
}

// TestAuthAutoConcurrent: while one request settles the scheme, the others
// wait for it instead of each sending the refused schemes (run with -race).
func TestAuthAutoConcurrent(t *testing.T) {
	t.Parallel()
	const callers = 8
	var accepted, refused atomic.Int32
	inner := acceptingOnly(authBasicStandard, &accepted, &refused)
	first, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(first); <-release }) // hold the first probe
		inner(w, r)
	})
	c := newTestClient(t, srv.URL, withRetries(0))

	var started sync.WaitGroup
	var done sync.WaitGroup
	errs := make(chan error, callers+1)
	call := func() {
		defer done.Done()
		_, err := c.GetSharing(testContext(t), 61)
		errs <- err
	}
	done.Add(1)
	go call()
	<-first // the first caller holds the turn and is probing Bearer
	started.Add(callers)
	done.Add(callers)
	for range callers {
		go func() { started.Done(); call() }()
	}
	started.Wait()
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if refused.Load() != 2 || accepted.Load() != callers+1 {
		t.Errorf("%d refused and %d accepted requests, want 2 (one probe of each refused scheme) and %d",
			refused.Load(), accepted.Load(), callers+1)
	}
}

// TestAuthAutoOn403: Albato may refuse credentials with 403 as well as 401;
// under "auto" a 403 moves on to the next scheme like a 401, and a 403 to
// all three reads as a refused token naming the three.
func TestAuthAutoOn403(t *testing.T) {
	t.Parallel()
	for _, accept := range []string{authBasicStandard, "none"} {
		var accepted, refused atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != authHeaders[accept] {
				refused.Add(1)
				writeJSON(w, http.StatusForbidden, `{"success":false,"message":"Forbidden"}`)
				return
			}
			accepted.Add(1)
			writeJSON(w, http.StatusOK, okSharing(61))
		})
		c := newTestClient(t, srv.URL, withRetries(0))
		_, err := c.GetSharing(testContext(t), 61)
		if accept == "none" {
			var apiErr *Error
			if !errors.As(err, &apiErr) || !IsUnauthorized(err) || apiErr.StatusCode != http.StatusForbidden ||
				!strings.Contains(err.Error(), "Basic base64(<token>:)") {
				t.Errorf("all refused with 403: got %v, want a refused token with HTTP 403 naming the schemes", err)
			}
			if refused.Load() != 3 || acceptedScheme(c) != "" {
				t.Errorf("all refused with 403: %d requests, scheme %q; want 3 and none", refused.Load(), acceptedScheme(c))
			}
			continue
		}
		if err != nil || refused.Load() != 2 || accepted.Load() != 1 || acceptedScheme(c) != accept {
			t.Errorf("got %v after %d refusals, scheme %q; want success after 2 under %s", err, refused.Load(), acceptedScheme(c), accept)
		}
	}
}

// A client error other than a refusal (400 to 499 but 401, 403, 408, 429)
// answers a request whose credentials were taken: the scheme is settled.
func TestAuthAutoSettledByAClientError(t *testing.T) {
	t.Parallel()
	for _, code := range []int{400, 404, 499} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, code, `{"success":false,"message":"no"}`)
			})
			c := newTestClient(t, srv.URL, withRetries(0))
			_, err := c.GetSharing(testContext(t), 61)
			if statusOf(err) != code || acceptedScheme(c) != authBearer {
				t.Fatalf("got %v and scheme %q, want HTTP %d and %s settled", err, acceptedScheme(c), code, authBearer)
			}
		})
	}
}

// authDouble is an API double for the auth properties: it accepts one
// scheme (or none) and answers each request, in the order they arrive,
// with a drawn answer: the credentials' verdict, or a status that says
// nothing of them (429, 5xx, 408), or one that accepts them whatever they
// are (404: the API looked the sharing up). It records what the client did.
type authDouble struct {
	accept  string
	answers []int // per arrival: 0 for the credentials' verdict, else that status

	mu           sync.Mutex
	arrivals     int
	inFlight     int
	anyAccepted  bool            // an accepted answer was sent
	maxUnsettled int             // most requests in flight before any accepted answer
	accepted     map[string]bool // schemes that got an accepted answer
	tries        map[string]int  // per request path or POST title
}

func (d *authDouble) handler(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		key = string(body)
	}
	d.mu.Lock()
	d.inFlight++
	if !d.anyAccepted {
		d.maxUnsettled = max(d.maxUnsettled, d.inFlight)
	}
	status := 0
	if d.arrivals < len(d.answers) {
		status = d.answers[d.arrivals]
	}
	d.arrivals++
	d.tries[key]++
	scheme := ""
	for name, h := range authHeaders {
		if r.Header.Get("Authorization") == h {
			scheme = name
		}
	}
	if status == 0 {
		status = http.StatusOK
		if scheme != d.accept {
			status = http.StatusUnauthorized
		}
	}
	d.mu.Unlock()
	time.Sleep(time.Duration(len(key)%3) * time.Millisecond) // overlap, were the client to allow it
	d.mu.Lock()
	d.inFlight-- // before the answer leaves: the client cannot act on it yet
	// The API judged and took the credentials: a success or a client error
	// that comes after they are checked (not 401, 403, 408 or 429).
	if status < 300 || (status < 500 && !slices.Contains([]int{401, 403, 408, 429}, status)) {
		d.anyAccepted = true
		d.accepted[scheme] = true
	}
	d.mu.Unlock()
	switch id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/credentials/grant-access-sharing/"), 10, 64); {
	case status != http.StatusOK:
		writeJSON(w, status, `{"success":false,"message":"no"}`)
	case r.URL.Query().Has("page"): // the listing that judges a 404
		writeJSON(w, status, `{"success":true,"data":[],"meta":{"page":1,"totalPages":1,"totalItemsCount":0}}`)
	case err == nil: // a GET answers the sharing it asked for
		writeJSON(w, status, okSharing(id))
	default:
		writeJSON(w, status, okSharing(61))
	}
}

// TestAuthAutoProperties: auth auto settles only on a scheme that got an
// accepted answer; until an accepted answer comes, at most one request is
// in flight (so refused credentials never come in a burst); and every
// failure reports exactly the tries made for it, over no more than its
// time; whatever answers arrive, in any order, to concurrent GETs and POSTs.
func TestAuthAutoProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		schemes := []string{authBearer, authBasic, authBasicStandard, "none"}
		d := &authDouble{
			accept: rapid.SampledFrom(schemes).Draw(rt, "accept"),
			answers: rapid.SliceOfN(rapid.SampledFrom([]int{0, 0, 0, 429, 500, 503, 408, 404}), 0, 30).
				Draw(rt, "answers"),
			accepted: map[string]bool{}, tries: map[string]int{},
		}
		srv := httptest.NewServer(http.HandlerFunc(d.handler))
		defer srv.Close()
		retries := rapid.IntRange(0, 3).Draw(rt, "retries")
		c := propClient(rt, Config{BaseURL: srv.URL, MaxRetries: retries, RetryWaitMax: 2 * time.Millisecond})
		posts := rapid.SliceOfN(rapid.Bool(), 1, 6).Draw(rt, "posts") // one request each: POST or GET
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		type outcome struct {
			key     string
			err     error
			elapsed time.Duration
		}
		out := make([]outcome, len(posts))
		var wg sync.WaitGroup
		for i, post := range posts {
			wg.Go(func() {
				start := time.Now()
				var err error
				if post {
					out[i].key = fmt.Sprintf(`{"partnerId":225,"title":"r%d"}`, i)
					_, err = c.postSharing(ctx, 225, fmt.Sprintf("r%d", i))
				} else {
					out[i].key = fmt.Sprintf("/credentials/grant-access-sharing/%d", 100+i)
					_, err = c.GetSharing(ctx, int64(100+i))
				}
				out[i].err, out[i].elapsed = err, time.Since(start)
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			rt.Fatalf("the requests did not end within 10 s: a wait for the auth turn never ended")
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if s := acceptedScheme(c); s != "" && !d.accepted[s] {
			rt.Fatalf("settled on %s, which got no accepted answer (accepted: %v)", s, d.accepted)
		} else if s == "" && d.anyAccepted {
			rt.Fatalf("an accepted answer came (%v) but nothing settled", d.accepted)
		}
		if d.maxUnsettled > 1 {
			rt.Fatalf("%d requests in flight before any accepted answer, want at most 1", d.maxUnsettled)
		}
		for _, o := range out {
			var apiErr *Error
			var reqErr *requestError
			switch {
			case errors.As(o.err, &apiErr):
				if apiErr.Tries != d.tries[o.key] || apiErr.Elapsed > o.elapsed {
					rt.Fatalf("%s: error %v reports %d tries over %s; %d were made in %s", o.key, o.err,
						apiErr.Tries, apiErr.Elapsed, d.tries[o.key], o.elapsed)
				}
			case errors.As(o.err, &reqErr):
				rt.Fatalf("%s: unexpected transport error %v", o.key, o.err)
			case o.err != nil:
				rt.Fatalf("%s: unexpected error %v", o.key, o.err)
			}
		}
	})
}

// TestAuthAutoRateLimitHoldsNoOne: under auto, a request answered 429 waits
// out its Retry-After without holding the others back: the 429 said nothing
// of the credentials, so the next request may try the scheme meanwhile.
func TestAuthAutoRateLimitHoldsNoOne(t *testing.T) {
	t.Parallel()
	limited := make(chan struct{})
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusTooManyRequests, `{"success":false,"message":"slow down"}`)
			close(limited)
			return
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/credentials/grant-access-sharing/"), 10, 64)
		writeJSON(w, http.StatusOK, okSharing(id))
	})
	c := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetryAfter = 5 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := make(chan error, 1)
	go func() { _, err := c.GetSharing(ctx, 61); first <- err }()
	select {
	case <-limited:
	case <-ctx.Done():
		t.Fatal("the first request never reached the API")
	}
	quick, cancelQuick := context.WithTimeout(ctx, time.Second)
	defer cancelQuick()
	if _, err := c.GetSharing(quick, 62); err != nil {
		t.Fatalf("a second request while the first waits out a 429's Retry-After: %v, want it answered at once", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("the first request after its 429: %v", err)
	}
}

// TestAuthAutoCancelledWhileWaiting: a request whose context ends while
// another tries a scheme sends nothing and counts no try.
func TestAuthAutoCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	probing, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			close(probing)
			<-release
		}
		writeJSON(w, http.StatusOK, okSharing(61))
	})
	c := newTestClient(t, srv.URL)
	first := make(chan error, 1)
	go func() { _, err := c.GetSharing(testContext(t), 61); first <- err }()
	<-probing
	ctx, cancel := context.WithTimeout(testContext(t), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetSharing(ctx, 62)
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "tries") {
		t.Errorf("got %v, want the deadline and no tries", err)
	}
	if err := <-first; err != nil || n.Load() != 1 {
		t.Errorf("first request: %v; the API saw %d requests, want 1", err, n.Load())
	}
}
