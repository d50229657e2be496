package albato

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// AuthSchemes are Config.AuthScheme's values, in any letter case.
var AuthSchemes = []string{authAuto, authBearer, authBasic}

// The ways to send the API token, by the names logged once one is accepted:
// "Bearer <token>", "Basic <token>" (as Albato's examples send it) and
// "Basic base64(<token>:)" (standard Basic, the token as the user name).
const (
	authAuto          = "auto"
	authBearer        = "Bearer"
	authBasic         = "Basic"
	authBasicStandard = "Basic base64"
)

type authScheme struct{ name, header string }

// authGate settles the scheme the API accepts, once per Client. Under auto,
// until one is accepted, only the request that holds the turn sends a try,
// so that a burst of 401s never looks like an attack. It holds the turn
// until an answer says whether the scheme was accepted; one that says
// nothing of it (a 429, a 5xx, no answer) hands the turn on at once, so a
// rate limit holds no request back for another's whole retry budget.
type authGate struct {
	schemes []authScheme
	settled atomic.Int64  // 1 + index of the accepted scheme; 0 while unsettled
	turn    chan struct{} // held by the request trying a scheme
	next    int           // the first scheme not refused, to be tried next; guarded by turn
}

// newAuthGate reads the scheme setting: one of AuthSchemes, or "" for auto.
func newAuthGate(setting, token string) (*authGate, error) {
	all := []authScheme{{authBearer, "Bearer " + token}, {authBasic, "Basic " + token},
		{authBasicStandard, "Basic " + basicCredentials(token)}}
	g := &authGate{turn: make(chan struct{}, 1)}
	switch s := strings.TrimSpace(setting); {
	case s == "" || strings.EqualFold(s, authAuto):
		g.schemes = all
		return g, nil
	case strings.EqualFold(s, authBearer):
		g.schemes = all[:1]
	case strings.EqualFold(s, authBasic):
		g.schemes = all[1:2]
	default:
		return nil, fmt.Errorf("auth scheme must be one of %s, got %q", strings.Join(AuthSchemes, ", "), shorten(oneLine(s), 40))
	}
	g.settled.Store(1)
	return g, nil
}

// basicCredentials is standard Basic: the token as user, no password.
func basicCredentials(token string) string {
	return base64.StdEncoding.EncodeToString([]byte(token + ":"))
}

func (g *authGate) accepted() (authScheme, bool) {
	if i := g.settled.Load(); i > 0 {
		return g.schemes[i-1], true
	}
	return authScheme{}, false
}

// authTurn is one logical request's dealings with the gate, and its tries
// under every scheme, which its error reports.
type authTurn struct {
	g     *authGate
	held  bool // this request holds the gate's turn
	trial int  // the scheme the last attempt tried; -1 if it sent the settled one
	tries int
	began time.Time
}

// header is the next attempt's Authorization: the settled scheme, or, once
// holding the turn, the first not refused; false if ctx ended while waiting.
func (t *authTurn) header(ctx context.Context) (string, bool) {
	t.trial = -1
	if s, ok := t.g.accepted(); ok {
		return s.header, true
	}
	if !t.held {
		select {
		case t.g.turn <- struct{}{}:
			t.held = true
		case <-ctx.Done():
			return "", false
		}
		if s, ok := t.g.accepted(); ok { // settled while this one waited
			t.release()
			return s.header, true
		}
	}
	t.trial = t.g.next
	return t.g.schemes[t.trial].header, true
}

func (t *authTurn) release() {
	if t.held {
		t.held = false
		<-t.g.turn
	}
}

// authorized runs send and settles the scheme on an accepted answer. A
// request refused for its credentials did nothing, so it is sent again under
// the next scheme, a POST too, keeping the turn.
func (c *Client) authorized(ctx context.Context, op string, send func(turn *authTurn) (answer, error)) (answer, error) {
	t := &authTurn{g: c.auth, trial: -1, began: time.Now()}
	defer t.release()
	var refused *Error
	for range c.auth.schemes { // at most one refusal per scheme and request
		ans, err := send(t)
		i := t.trial
		switch {
		case i < 0: // the settled scheme, or nothing sent
			return ans, err
		case !IsUnauthorized(err):
			if credentialsAccepted(err) {
				c.auth.settled.Store(int64(i + 1))
				if c.cfg.Logf != nil { // only auto tries: which reading of the documents holds (no token)
					c.cfg.Logf(ctx, "The Albato API accepted the token", map[string]any{
						"operation": op, "auth_scheme": c.auth.schemes[i].name, "refused_before": i,
					})
				}
			}
			return ans, err
		}
		errors.As(err, &refused)
		c.auth.next = i + 1 // a refusal keeps the turn: still held here
		if c.auth.next == len(c.auth.schemes) {
			break
		}
	}
	// All refused (only auto gets here): the next request tries them all again.
	c.auth.next = 0
	return answer{}, &Error{Operation: op, StatusCode: refused.StatusCode, Message: "the API token was refused under " +
		"each auth scheme tried (Bearer <token>, Basic <token>, Basic base64(<token>:)): " +
		cmp.Or(refused.Message, http.StatusText(refused.StatusCode)), Tries: t.tries, Elapsed: time.Since(t.began)}
}

// credentialsAccepted: a success, or a 4xx but 401, 403, 408 and 429 (which
// may come before credentials are looked at); a 5xx or no answer says nothing.
func credentialsAccepted(err error) bool {
	s := statusOf(err)
	return err == nil || (s >= 400 && s < 500 && !slices.Contains([]int{http.StatusUnauthorized, http.StatusForbidden,
		http.StatusRequestTimeout, http.StatusTooManyRequests}, s))
}
