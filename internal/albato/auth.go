package albato

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
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

// authScheme is one way to send the API token.
type authScheme struct{ name, header string }

// authGate settles the scheme the API accepts, once per Client. Under auto
// one request at a time tries them, the others wait: a burst of 401s would
// look like an attack.
type authGate struct {
	schemes []authScheme
	settled atomic.Int64  // 1 + index of the accepted scheme; 0 while unsettled
	turn    chan struct{} // held by the request trying the schemes
	refused int           // schemes refused, not to be sent again; guarded by turn
}

// newAuthGate reads the scheme setting: one of AuthSchemes, or "" for auto.
func newAuthGate(setting, token string) (*authGate, error) {
	bearer := authScheme{authBearer, "Bearer " + token}
	basic := authScheme{authBasic, "Basic " + token}
	standard := authScheme{authBasicStandard, "Basic " + basicCredentials(token)}
	g := &authGate{turn: make(chan struct{}, 1)}
	switch s := strings.TrimSpace(setting); {
	case s == "" || strings.EqualFold(s, authAuto):
		g.schemes = []authScheme{bearer, basic, standard}
		return g, nil
	case strings.EqualFold(s, authBasic):
		g.schemes = []authScheme{basic}
	case strings.EqualFold(s, authBearer):
		g.schemes = []authScheme{bearer}
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

// accepted returns the settled scheme.
func (g *authGate) accepted() (authScheme, bool) {
	if i := g.settled.Load(); i > 0 {
		return g.schemes[i-1], true
	}
	return authScheme{}, false
}

// authorized runs send under the settled scheme, or settles it first: a
// request refused for its credentials did nothing, so the next scheme may
// send it again, a POST too. What says nothing of them settles nothing.
func (c *Client) authorized(ctx context.Context, op string, send func(header string) (answer, error)) (answer, error) {
	if s, ok := c.auth.accepted(); ok {
		return send(s.header)
	}
	select {
	case c.auth.turn <- struct{}{}:
	case <-ctx.Done():
		return answer{}, fmt.Errorf("%s: %w", op, ctx.Err())
	}
	defer func() { <-c.auth.turn }()
	if s, ok := c.auth.accepted(); ok { // settled while this one waited
		return send(s.header)
	}
	var refused *Error
	for i := c.auth.refused; i < len(c.auth.schemes); i++ {
		ans, err := send(c.auth.schemes[i].header)
		if !IsUnauthorized(err) {
			if credentialsAccepted(err) {
				c.auth.settled.Store(int64(i + 1))
				if c.logf != nil && len(c.auth.schemes) > 1 {
					// Which reading of the documents holds: a name, no token.
					c.logf(ctx, "The Albato API accepted the token", map[string]any{
						"operation": op, "auth_scheme": c.auth.schemes[i].name, "refused_before": i,
					})
				}
			}
			return ans, err
		}
		errors.As(err, &refused)
		c.auth.refused = i + 1
	}
	// All refused (only auto gets here): the next request tries them all again.
	c.auth.refused = 0
	return answer{}, &Error{Operation: op, StatusCode: refused.StatusCode, Message: "the API token was refused under " +
		"each auth scheme tried (Bearer <token>, Basic <token>, Basic base64(<token>:)): " +
		cmp.Or(refused.Message, http.StatusText(refused.StatusCode))}
}

// credentialsAccepted: a success, or a 4xx but 401, 403, and 408 and 429,
// which may come before credentials are looked at; no answer, or a 5xx,
// says nothing of them.
func credentialsAccepted(err error) bool {
	switch s := statusOf(err); {
	case err == nil:
		return true
	case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return false
	default:
		return s >= 400 && s < 500
	}
}
