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

// call is one logical request's state across its attempts (retryablehttp
// runs its hooks one after another on the caller's goroutine: no lock).
type call struct {
	c                *Client
	ctx              context.Context
	op, method, path string
	turn             *authTurn

	attempt      int       // 1-based, over the logical request's every try
	began, start time.Time // of the first attempt, of the current one
	lastStatus   int       // 0 after a transport error
	lastErr      error     // the last attempt's transport error
	wantedRetry  bool      // the policy wanted another try after the last attempt
	body         []byte    // the last attempt's body, once read by checkRetry or send
	bodyErr      error
	bodyRead     bool
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

// retryClient is a retryablehttp.Client for one request: retryablehttp
// passes Backoff no context and, after a transport error, no response, so
// the call's state fills the gap.
func (st *call) retryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     st.c.cfg.HTTPClient,
		Logger:         nil, // it would log URLs; Logf gets sanitised fields
		RetryMax:       st.c.cfg.MaxRetries,
		RequestLogHook: st.requestHook,
		ResponseLogHook: func(_ retryablehttp.Logger, resp *http.Response) {
			st.log(st.ctx, "Albato API request", map[string]any{"status": resp.StatusCode,
				"duration_ms": time.Since(st.start).Milliseconds()})
		},
		CheckRetry: st.checkRetry,
		Backoff:    st.backoff,
		// The last 429 or 503 as is, for an *Error with the API's message.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// requestHook starts an attempt under the Authorization turn gives, which
// may first wait for the turn to try a scheme.
func (st *call) requestHook(_ retryablehttp.Logger, req *http.Request, _ int) {
	h, ok := st.turn.header(st.ctx)
	st.start = time.Now()
	st.body, st.bodyErr, st.bodyRead = nil, nil, false
	if !ok {
		return // ctx ended while waiting for the turn: nothing is sent, no try counted
	}
	req.Header = req.Header.Clone() // retries share the earlier attempt's map
	req.Header.Set("Authorization", h)
	st.attempt++ // counted over every scheme tried, so not retry+1
}

// checkRetry is the retry policy: stop on cancellation; retry 429 always;
// retry server errors and transport errors (a body lost in transit too) only
// where a repeat is safe: for POST, only before anything was sent.
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
		// A body lost after its status (cut short, reset, too slow) is a
		// transport error, so it is read here, where retries are decided.
		if !st.wantedRetry && idempotent(st.method) {
			if _, bodyErr := st.readBody(resp); bodyErr != nil && !errors.Is(bodyErr, errBodyTooLarge) && ctx.Err() == nil {
				st.lastErr, st.wantedRetry = bodyErr, true
			}
		}
	}
	if st.wantedRetry || st.lastErr != nil || st.lastStatus == http.StatusTooManyRequests || st.lastStatus >= 500 {
		st.turn.release() // this answer says nothing of the credentials
	}
	return st.wantedRetry, nil
}

// backoff is called only when another try will follow.
func (st *call) backoff(_, _ time.Duration, retry int, resp *http.Response) time.Duration {
	wait, source := st.c.retryWait(retry, resp, time.Now())
	st.logOutcome("Retrying Albato API request", map[string]any{"wait_ms": wait.Milliseconds(), "wait_source": source})
	return wait
}

// failed is the last try's transport failure, or the caller's cancellation.
func (st *call) failed(what string, err error) error {
	if st.ctx.Err() != nil {
		return fmt.Errorf("%s: %w", st.op, st.ctx.Err())
	}
	text := fmt.Sprintf("%s %s: request failed: %s", st.method, st.path, redact(err.Error(), st.c.secrets))
	return fmt.Errorf("%s%s: %w", st.op, what, &requestError{text, err, st.attempt, time.Since(st.began)})
}

// withTries adds to err how many tries over how long, unless it says it.
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
	if st.c.cfg.Logf != nil {
		// The path holds ids only: tokens never appear in a path.
		fields := map[string]any{"operation": st.op, "method": st.method, "path": st.path, "attempt": st.attempt}
		maps.Copy(fields, extra)
		st.c.cfg.Logf(ctx, msg, fields)
	}
}

// errorText is a transport error without its URL and the API token.
func (st *call) errorText(err error) string {
	return redact(stripURLError(err).Error(), st.c.secrets)
}

// retryableStatus: a 429 refused the request, so even a POST may be sent
// again; a 5xx may follow a POST that took effect; 501 will not change.
func retryableStatus(method string, status int) bool {
	return status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented && idempotent(method))
}

// retryableTransportError never retries what cannot heal (unknown host,
// bad certificate, scheme or header), nor a POST that may have left here.
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

// isDialError reports whether err came while connecting (DNS, refused or
// unreachable), before a byte was sent.
func isDialError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED)
}

// retryWait is the wait before retry retry+1 and its source: a 429's or
// 503's Retry-After (capped), or else jittered backoff.
func (c *Client) retryWait(retry int, resp *http.Response, now time.Time) (time.Duration, string) {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, c.cfg.MaxRetryAfter), "retry_after"
		}
	}
	return jitterBackoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, retry), "backoff"
}

// jitterBackoff draws from [lo, min(hi, lo*2^(retry+1))]: clients refused
// together do not come back together.
func jitterBackoff(lo, hi time.Duration, retry int) time.Duration {
	upper := lo
	for i := 0; i <= retry && upper < hi; i++ {
		upper += min(upper, hi-upper) // doubled, never past hi (nor overflowing)
	}
	return lo + rand.N(upper-lo+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// parseRetryAfter reads seconds ("3") or an HTTP date (past: no wait); ok
// is false for an absent or unreadable value.
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
