// Package albato is a client for the "connection via link" (sharing)
// endpoints of the Albato API. It knows nothing of Terraform.
package albato

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Config configures a Client. Only BaseURL and Token are required.
type Config struct {
	BaseURL string // e.g. https://api.albato.com, perhaps with a path prefix
	Token   string // sent as is, but for surrounding white space
	// AuthScheme is one of AuthSchemes in any letter case; "" means auto:
	// each in turn, moving on only on 401 or 403, the first accepted kept.
	AuthScheme string
	MaxRetries int          // retries after the first try
	UserAgent  string       // sent when not empty
	HTTPClient *http.Client // by default each Client has its own
	// RetryWaitMin and RetryWaitMax bound the backoff (default 1 s, 30 s);
	// MaxRetryAfter caps a Retry-After wait (default 60 s).
	RetryWaitMin, RetryWaitMax, MaxRetryAfter time.Duration
	// Logf gets a call per attempt and per retry decision; its fields never
	// hold a token, a link or a body.
	Logf func(ctx context.Context, msg string, fields map[string]any)
}

// Client talks to the Albato API, safely from many goroutines; only the
// auth scheme changes after New, once settled.
type Client struct {
	cfg        Config   // with defaults filled in
	collection *url.URL // <base>/credentials/grant-access-sharing
	auth       *authGate
	secrets    []string // the API token in every form it is sent
	now        func() time.Time
	siblings   siblings
	listed     atomic.Bool // a listing has answered: the collection's route works
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("API token is required")
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		// Never quote the token, not even in this error.
		return nil, errors.New("API token contains control characters, which an HTTP header cannot carry")
	}
	auth, err := newAuthGate(cfg.AuthScheme, token)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be 0 or more, got %d", cfg.MaxRetries)
	}
	cfg.RetryWaitMin = cmp.Or(max(cfg.RetryWaitMin, 0), time.Second) // 0 or less: the default
	cfg.RetryWaitMax = max(cmp.Or(max(cfg.RetryWaitMax, 0), 30*time.Second), cfg.RetryWaitMin)
	cfg.MaxRetryAfter = cmp.Or(max(cfg.MaxRetryAfter, 0), time.Minute)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = newHTTPClient()
	}
	cfg.Token = "" // kept in secrets alone
	return &Client{cfg: cfg, collection: base.JoinPath("credentials", "grant-access-sharing"), auth: auth,
		secrets: []string{token, basicCredentials(token)}, now: time.Now}, nil
}

// newHTTPClient: idle connections for Terraform's parallelism, and no
// redirects (the API documents none): a redirected POST would become a GET,
// and another host drop Authorization.
func newHTTPClient() *http.Client {
	transport := cleanhttp.DefaultPooledTransport()
	transport.MaxIdleConnsPerHost = 32
	return &http.Client{
		Transport:     transport,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// GetSharing reads one sharing (GET /credentials/grant-access-sharing/{id}).
func (c *Client) GetSharing(ctx context.Context, id int64) (*Sharing, error) {
	return c.itemCall(ctx, "read sharing", http.MethodGet, id)
}

// RegenerateSharing issues a new token and resets the status to waiting
// (PUT /credentials/grant-access-sharing/{id}, no body).
func (c *Client) RegenerateSharing(ctx context.Context, id int64) (*Sharing, error) {
	return c.itemCall(ctx, "regenerate sharing", http.MethodPut, id)
}

// RevokeSharing revokes a sharing (DELETE .../{id}) and returns it.
func (c *Client) RevokeSharing(ctx context.Context, id int64) (*Sharing, error) {
	return c.itemCall(ctx, "revoke sharing", http.MethodDelete, id)
}

// itemCall is a call on sharing id's route; its answer must be for id. A
// 404 says "no such sharing" (IsNotFound) only in the API's envelope
// ("success": false) from a route that otherwise works: a listing of the
// collection has answered (once, by this Client; page 1 is read if none
// has). Else the API URL is wrong, and the 404 says nothing of the sharing.
func (c *Client) itemCall(ctx context.Context, op, method string, id int64) (*Sharing, error) {
	s, err := c.sharingCall(ctx, op, method, c.collection.JoinPath(strconv.FormatInt(id, 10)), nil)
	var e *Error
	switch {
	case errors.As(err, &e) && e.StatusCode == http.StatusNotFound:
		if e.envelope && !c.listed.Load() {
			_, _ = c.ListSharings(ctx, 1) // sets listed if it answers
		}
		if e.gone = e.envelope && c.listed.Load(); !e.gone {
			e.Message += fmt.Sprintf(" (not the sharing API's answer: %s does not serve it; check the API URL)",
				shownURL(c.collection))
		}
		return nil, e
	case err == nil && s.ID != id:
		return nil, &Error{Operation: op, StatusCode: http.StatusOK,
			Message: fmt.Sprintf("asked for sharing %d, the API answered with sharing %d", id, s.ID)}
	}
	return s, err
}

// ListSharings reads one page (1-based) of the account's sharings (GET
// /credentials/grant-access-sharing?page=N&per-page=50).
func (c *Client) ListSharings(ctx context.Context, page int) (*Page, error) {
	const op = "list sharings"
	if page < 1 {
		return nil, fmt.Errorf("%s: page must be 1 or more, got %d", op, page)
	}
	u := *c.collection
	u.RawQuery = url.Values{"page": {strconv.Itoa(page)}, "per-page": {strconv.Itoa(ListPageSize)}}.Encode()
	ans, err := c.do(ctx, op, http.MethodGet, &u, nil)
	if err != nil {
		return nil, err
	}
	p, problem := decodePage(ans.env, page, ans.serverTime)
	if problem != "" {
		return nil, c.answerError(op, ans, problem)
	}
	c.listed.Store(true)
	return &p, nil
}

func (c *Client) sharingCall(ctx context.Context, op, method string, u *url.URL, body []byte) (*Sharing, error) {
	ans, err := c.do(ctx, op, method, u, body)
	if err != nil {
		return nil, err
	}
	s, problem := decodeSharing(ans.env.data, ans.serverTime)
	if problem != "" {
		apiErr := c.answerError(op, ans, problem)
		apiErr.unreadable = true // the envelope said success
		return nil, apiErr
	}
	return &s, nil
}

// answer is a response whose envelope reported success.
type answer struct {
	env           envelope
	status, tries int
	serverTime    time.Time
	body          []byte // kept to redact its tokens from a later error
	elapsed       time.Duration
}

var errBodyTooLarge = errors.New("response body exceeds 10 MiB")

// do sends one logical request, with retries and auth schemes, and checks
// the answer's envelope.
func (c *Client) do(ctx context.Context, op, method string, u *url.URL, body []byte) (answer, error) {
	return c.authorized(ctx, op, func(turn *authTurn) (answer, error) {
		return c.send(ctx, op, method, u, body, turn)
	})
}

// send is do with retries, each attempt under the header turn gives it.
func (c *Client) send(ctx context.Context, op, method string, u *url.URL, body []byte, turn *authTurn) (ans answer, err error) {
	st := &call{c: c, ctx: ctx, op: op, method: method, path: u.EscapedPath(), began: turn.began, attempt: turn.tries, turn: turn}
	defer func() {
		turn.tries, ans.tries, ans.elapsed, err = st.attempt, st.attempt, time.Since(st.began), st.withTries(err)
	}()
	var raw any // a nil []byte in an interface would not be a nil body
	if body != nil {
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), raw)
	if err != nil {
		return answer{}, fmt.Errorf("%s: building request: %w", op, stripURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}

	resp, err := st.retryClient().Do(req)
	if st.wantedRetry && ctx.Err() == nil { // retries ran out while the policy wanted one more
		st.logOutcome("Giving up on Albato API request: no retries left", map[string]any{})
	}
	if resp != nil { // with err too, on a cancellation after an answer came
		defer func() { _ = resp.Body.Close() }()
	}
	if err != nil {
		return answer{}, st.failed("", stripURLError(err))
	}

	date, _ := http.ParseTime(resp.Header.Get("Date")) // zero when missing or unparsable
	ans = answer{status: resp.StatusCode, serverTime: date.UTC()}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return answer{}, c.apiError(op, resp.StatusCode, redirectMessage(resp), nil)
	}
	ans.body, err = st.readBody(resp)
	switch {
	case errors.Is(err, errBodyTooLarge) && ctx.Err() == nil:
		return answer{}, &Error{Operation: op, StatusCode: resp.StatusCode, Message: err.Error(), unreadable: resp.StatusCode < 400}
	case err != nil:
		return answer{}, st.failed(": reading response body", err)
	}
	env, problem := decodeEnvelope(resp.StatusCode, resp.Header.Get("Content-Type"), ans.body, c.secrets...)
	if problem != "" {
		apiErr := c.apiError(op, resp.StatusCode, problem, ans.body)
		// A success but for an unreadable body may have done what was asked.
		apiErr.envelope = env.saysFailure
		apiErr.unreadable = resp.StatusCode < 400 && !apiErr.envelope
		return answer{}, apiErr
	}
	ans.env = env
	return ans, nil
}

// apiError is an *Error without the API token or the body's sharing tokens.
func (c *Client) apiError(op string, status int, msg string, body []byte) *Error {
	secrets := append(sharingTokens(body), c.secrets...)
	msg = strings.TrimSpace(redact(msg, secrets))
	msg = strings.TrimSpace(strings.TrimRight(msg, "."))
	return &Error{Operation: op, StatusCode: status, Message: shorten(msg, maxMessageRunes)}
}

// answerError is the *Error of a success whose data is unusable.
func (c *Client) answerError(op string, ans answer, problem string) *Error {
	e := c.apiError(op, ans.status, problem, ans.body)
	e.Tries, e.Elapsed = ans.tries, ans.elapsed
	return e
}

// redirectMessage names where a redirect, never followed, pointed.
func redirectMessage(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil || loc == nil {
		return "unexpected redirect (redirects are not followed)"
	}
	return fmt.Sprintf("unexpected redirect to %s (redirects are not followed; check the API URL)", shownURL(loc))
}
