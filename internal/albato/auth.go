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

// AuthSchemes are the values of the auth scheme setting (Config.AuthScheme),
// in any letter case: "auto" tries the ways below in turn, "Bearer" and
// "Basic" send only that one. The one list of them, for callers that
// validate the setting before building a Client.
var AuthSchemes = []string{authAuto, authBearer, authBasic}

const authAuto = "auto"

// The names of the ways to send the API token, as logged once accepted.
const (
	// authBearer is "Authorization: Bearer <token>".
	authBearer = "Bearer"
	// authBasic is "Authorization: Basic <token>", the token as is, as
	// Albato's examples send it.
	authBasic = "Basic"
	// authBasicStandard is "Authorization: Basic base64(<token>:)", the
	// token as the user name of standard Basic authentication.
	authBasicStandard = "Basic base64"
)

// authScheme is one way to send the API token.
type authScheme struct {
	name   string // one of the auth constants
	shown  string // the header's form, for an error: never the token
	header string // the Authorization header
}

// authGate settles which scheme the API accepts, once per Client. With a
// scheme set in the Config there is one, settled from the start; with
// "auto" the schemes are tried in order by one request at a time, moving
// on only when the API refuses the credentials, and the first accepted is
// kept. Requests made meanwhile wait for the one trying: each trying the
// refused schemes again would be a burst of 401s, which looks like an
// attack.
type authGate struct {
	schemes []authScheme
	settled atomic.Int64  // 1 + index of the accepted scheme; 0 while unsettled
	turn    chan struct{} // held by the request trying the schemes
	// refused counts the schemes, in order, that the API refused, so
	// that a request settling the scheme after one that failed otherwise
	// does not send them again. Guarded by turn.
	refused int
}

// newAuthGate reads the scheme setting: one of AuthSchemes in any letter
// case, or "" for auto.
func newAuthGate(setting, token string) (*authGate, error) {
	bearer := authScheme{authBearer, "Bearer <token>", "Bearer " + token}
	basic := authScheme{authBasic, "Basic <token>", "Basic " + token}
	standard := authScheme{authBasicStandard, "Basic base64(<token>:)", "Basic " + basicCredentials(token)}
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

// basicCredentials is the token as the user name of standard Basic
// authentication, with an empty password.
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

// authorized runs send with the settled scheme's Authorization header, or
// settles the scheme first. A request refused for its credentials did
// nothing, so sending it again under the next scheme is safe, a POST
// included. A failure that says nothing of the credentials (no answer, a
// 5xx, a 429) settles nothing: the next request tries again.
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
					// Which reading of Albato's documents holds, for
					// TF_LOG=DEBUG: the scheme's name, never the token.
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
	c.auth.refused = 0 // all refused: the next request tries them all again
	names := make([]string, len(c.auth.schemes))
	for i, s := range c.auth.schemes {
		names[i] = s.shown
	}
	return answer{}, &Error{Operation: op, StatusCode: refused.StatusCode, Message: fmt.Sprintf(
		"the API token was refused under each auth scheme tried (%s): %s", strings.Join(names, ", "),
		cmp.Or(refused.Message, http.StatusText(refused.StatusCode)))}
}

// credentialsAccepted reports whether an outcome shows the API took the
// credentials: a success, or a client error other than a refusal of them
// (401, 403), a timeout (408) or a rate limit (429), which may come before
// the credentials are looked at.
func credentialsAccepted(err error) bool {
	if err == nil {
		return true
	}
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return apiErr.StatusCode >= 400 && apiErr.StatusCode < 500
}
