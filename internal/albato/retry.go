package albato

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is the state of one logical request across its attempts. The
// retryablehttp hooks, policy and backoff of one request run one after
// another on the caller's goroutine, so it needs no lock.
type call struct {
	c                *Client
	ctx              context.Context
	op, method, path string

	attempt     int       // 1-based number of the current attempt
	began       time.Time // the first attempt's start
	start       time.Time // the current attempt's start
	lastStatus  int       // status of the last attempt, 0 after a transport error
	lastErr     error     // transport error of the last attempt, if any
	wantedRetry bool      // whether the policy wanted another try after the last attempt

	// The last attempt's body, once read (by checkRetry or by send).
	body     []byte
	bodyErr  error
	bodyRead bool
}

// readBody reads the last attempt's body once, at most maxBodyBytes of it.
func (st *call) readBody(resp *http.Response) ([]byte, error) {
	if !st.bodyRead {
		st.bodyRead = true
		st.body, st.bodyErr = io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
		if len(st.body) > maxBodyBytes {
			st.body, st.bodyErr = nil, errBodyTooLarge
		}
	}
	return st.body, st.bodyErr
}

// retryClient wraps the Client's *http.Client in a retryablehttp.Client
// for one request, because retryablehttp passes Backoff no context and,
// after a transport error, no response: the call's state fills the gap.
func (st *call) retryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:      st.c.httpClient,
		Logger:          nil, // it would log URLs; Logf gets sanitised fields instead
		RetryMax:        st.c.maxRetries,
		RequestLogHook:  st.requestHook,
		ResponseLogHook: st.responseHook,
		CheckRetry:      st.checkRetry,
		Backoff:         st.backoff,
		// Hand the last response back as is, so that a final 429 or 503 is
		// decoded into an *Error carrying the API's own message.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

func (st *call) requestHook(_ retryablehttp.Logger, _ *http.Request, retry int) {
	st.attempt = retry + 1
	st.start = time.Now()
	st.body, st.bodyErr, st.bodyRead = nil, nil, false
}

func (st *call) responseHook(_ retryablehttp.Logger, resp *http.Response) {
	ctx := st.ctx
	if resp.Request != nil {
		ctx = resp.Request.Context()
	}
	st.log(ctx, "Albato API request", map[string]any{"status": resp.StatusCode, "duration_ms": time.Since(st.start).Milliseconds()})
}

// checkRetry is the retry policy: stop on cancellation; retry 429 for every
// method; retry 5xx (but 501) and transport errors, a body lost in transit
// included, only where a repeat is safe, which for POST means only errors
// raised before anything was sent.
func (st *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st.lastStatus, st.lastErr, st.wantedRetry = 0, err, false
	if err != nil {
		st.log(ctx, "Albato API request failed",
			map[string]any{"error": st.errorText(err), "duration_ms": time.Since(st.start).Milliseconds()})
	} else if resp != nil {
		st.lastStatus = resp.StatusCode
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	switch {
	case err != nil:
		st.wantedRetry = retryableTransportError(ctx, st.method, err)
	case resp != nil:
		st.wantedRetry = retryableStatus(st.method, resp.StatusCode)
		// A body lost after its status came (cut short, reset, too slow) is
		// a transport error like any other, so it is read here, where the
		// retry is decided, and kept for send.
		if !st.wantedRetry && idempotent(st.method) {
			if _, bodyErr := st.readBody(resp); bodyErr != nil && !errors.Is(bodyErr, errBodyTooLarge) && ctx.Err() == nil {
				st.lastErr, st.wantedRetry = bodyErr, true
			}
		}
	}
	return st.wantedRetry, nil
}

// backoff is called by retryablehttp only when another try will follow.
func (st *call) backoff(_, _ time.Duration, retry int, resp *http.Response) time.Duration {
	wait, source := st.c.retryWait(retry, resp, time.Now())
	st.logOutcome("Retrying Albato API request", map[string]any{"wait_ms": wait.Milliseconds(), "wait_source": source})
	return wait
}

// failed is a transport failure of the last try, in a *requestError, or
// the caller's cancellation when that was the cause.
func (st *call) failed(what string, err error) error {
	if st.ctx.Err() != nil {
		return fmt.Errorf("%s: %w", st.op, st.ctx.Err())
	}
	return fmt.Errorf("%s%s: %w", st.op, what, &requestError{method: st.method, path: st.path, err: err,
		secrets: st.c.secrets, tries: st.attempt, elapsed: time.Since(st.began)})
}

// withTries says in err how many tries it took over how long, when more
// than one and err does not say it already.
func (st *call) withTries(err error) error {
	var apiErr *Error
	var reqErr *requestError
	switch {
	case err == nil || errors.As(err, &reqErr):
	case errors.As(err, &apiErr):
		apiErr.Tries, apiErr.Elapsed = st.attempt, time.Since(st.began)
	case st.attempt > 1:
		return fmt.Errorf("%w%s", err, triesText(st.attempt, time.Since(st.began)))
	}
	return err
}

// logGivingUp records that retries ran out while the policy still wanted
// one more try.
func (st *call) logGivingUp() {
	if st.wantedRetry && st.ctx.Err() == nil {
		st.logOutcome("Giving up on Albato API request: no retries left", map[string]any{})
	}
}

// logOutcome logs msg with the last attempt's error, or else its status.
func (st *call) logOutcome(msg string, fields map[string]any) {
	if st.lastErr != nil {
		fields["error"] = st.errorText(st.lastErr)
	} else {
		fields["status"] = st.lastStatus
	}
	st.log(st.ctx, msg, fields)
}

func (st *call) log(ctx context.Context, msg string, extra map[string]any) {
	if st.c.logf != nil {
		// The path holds ids only: tokens never appear in a path.
		fields := map[string]any{"operation": st.op, "method": st.method, "path": st.path, "attempt": st.attempt}
		maps.Copy(fields, extra)
		st.c.logf(ctx, msg, fields)
	}
}

// errorText describes a transport error without the URL (which
// *url.Error would quote) and without the API token.
func (st *call) errorText(err error) string {
	return redact(stripURLError(err).Error(), st.c.secrets)
}

// retryableStatus decides on an HTTP status. 429 means the server refused
// the request, so even a POST may be repeated; a 5xx may come after a POST
// took effect, so only idempotent methods are repeated. 501 will not change.
func retryableStatus(method string, status int) bool {
	switch {
	case status == http.StatusTooManyRequests:
		return true
	case status >= 500 && status != http.StatusNotImplemented:
		return idempotent(method)
	default:
		return false
	}
}

// retryableTransportError decides on a transport error. Errors that cannot
// heal (unknown host, bad certificate, bad scheme, invalid header) are never
// retried; POST is retried only when the request surely never left here.
func retryableTransportError(ctx context.Context, method string, err error) bool {
	if _, unknown := UnknownHost(err); unknown {
		return false
	}
	ok, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	return ok && (idempotent(method) || isDialError(err))
}

func idempotent(method string) bool {
	return method != http.MethodPost && method != http.MethodPatch
}

// isDialError reports whether err happened while connecting (DNS lookup,
// refused or unreachable connection), i.e. before a byte of the request was
// sent. A reset or EOF after the request was written is not one.
func isDialError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED)
}

// retryWait is how long to wait before retry number retry+1, and why: what
// a 429's or 503's Retry-After asks (capped), or else jittered backoff.
func (c *Client) retryWait(retry int, resp *http.Response, now time.Time) (time.Duration, string) {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, c.maxRetryAfter), "retry_after"
		}
	}
	return jitterBackoff(c.retryWaitMin, c.retryWaitMax, retry), "backoff"
}

// jitterBackoff draws a wait uniformly from [lo, min(hi, lo*2^(retry+1))],
// so that many clients refused at once do not come back at once.
func jitterBackoff(lo, hi time.Duration, retry int) time.Duration {
	upper := lo
	for i := 0; i <= retry && upper < hi; i++ {
		if upper > hi/2 {
			upper = hi
		} else {
			upper *= 2
		}
	}
	if upper <= lo {
		return lo
	}
	return lo + rand.N(upper-lo+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// parseRetryAfter reads a Retry-After value: delay seconds ("3") or an HTTP
// date, taken relative to now. A date in the past means no wait. ok is false
// for an absent or unreadable value.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v = strings.TrimSpace(v); v != "" && v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseInt(v, 10, 64) // digits only: never negative
		switch {
		case errors.Is(err, strconv.ErrRange) || (err == nil && secs > math.MaxInt64/int64(time.Second)):
			return time.Duration(math.MaxInt64), true // the cap applies
		case err != nil:
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v) // "" fails here
	return max(t.Sub(now), 0), err == nil
}
