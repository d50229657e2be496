package albato

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Error is every failure the Albato API reports: an HTTP status of 400 or
// more, an envelope with "success": false at any status, or a body that
// cannot be decoded.
type Error struct {
	// Operation names what the client was doing, such as "read sharing".
	Operation string
	// StatusCode is the HTTP status of the answer; it may be 200 when the
	// envelope says "success": false or the body is unusable.
	StatusCode int
	// Message is the API's own description, or a short description of what
	// was wrong with the body. Secrets are already redacted from it.
	Message string

	// Tries and Elapsed are how many tries the request took and how long,
	// when it took more than one (after retries: a 429, a 5xx).
	Tries   int
	Elapsed time.Duration

	// unreadable marks a success status (below 400) whose body could not be
	// read as the API's answer: the request may well have taken effect.
	unreadable bool
}

// triesText is " (5 tries over 18s)" for a failure after retries, else "".
func triesText(tries int, elapsed time.Duration) string {
	if tries < 2 {
		return ""
	}
	round := time.Second
	switch {
	case elapsed < time.Second:
		round = time.Millisecond
	case elapsed < 10*time.Second:
		round = 100 * time.Millisecond
	}
	return fmt.Sprintf(" (%d tries over %s)", tries, elapsed.Round(round))
}

// Error returns the operation, the HTTP status and the message, e.g.
// "read sharing: HTTP 404: Sharing not found".
func (e *Error) Error() string {
	op := e.Operation
	if op == "" {
		op = "albato API"
	}
	if e.Message == "" {
		return fmt.Sprintf("%s: HTTP %d%s", op, e.StatusCode, triesText(e.Tries, e.Elapsed))
	}
	return fmt.Sprintf("%s: HTTP %d: %s%s", op, e.StatusCode, e.Message, triesText(e.Tries, e.Elapsed))
}

// IsNotFound reports whether err is, or wraps, an *Error with HTTP status 404.
func IsNotFound(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsUnauthorized reports whether err is, or wraps, an *Error with HTTP status
// 401 or 403, which both mean the API token was refused.
func IsUnauthorized(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) &&
		(apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden)
}

// UnknownHost reports whether err is, or wraps, a name lookup that found
// no such host, and names the host: the API URL has a typo, or this machine
// resolves no names (no network), neither of which a retry heals.
func UnknownHost(err error) (host string, ok bool) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return dnsErr.Name, true
	}
	return "", false
}

// requestError is a transport failure (after all retries). It names the
// method and path but never the full URL, so that no query string reaches a
// diagnostic, and it redacts the API token in case a proxy echoed it.
type requestError struct {
	method   string
	path     string
	attempts int
	elapsed  time.Duration
	err      error
	secrets  []string
}

func (e *requestError) Error() string {
	return fmt.Sprintf("%s %s: request failed%s: %s", e.method, e.path, triesText(e.attempts, e.elapsed),
		redact(e.err.Error(), e.secrets))
}

func (e *requestError) Unwrap() error { return e.err }

// stripURLError drops the *url.Error layer, whose message carries the full
// URL, and keeps the cause so that errors.Is and errors.As still work.
func stripURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		return urlErr.Err
	}
	return err
}

const redacted = "[redacted]"

// minSharingTokenLen keeps very short values found in a body from being
// "redacted" all over a message: real sharing tokens are about 10 characters.
const minSharingTokenLen = 4

var (
	// tokenValueRe finds the value of a "token" JSON member, also when JSON
	// is embedded (escaped) in a string, and also when the body is cut off
	// before the closing quote.
	tokenValueRe = regexp.MustCompile(`(?i)(\\?"token\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)`)
	// tokenQueryRe finds a token in a query string, such as a connect link.
	tokenQueryRe = regexp.MustCompile(`(?i)([?&;]token=)([^&\s"'<>#\\]*)`)
	// authHeaderRe finds an echoed Authorization header, whatever token it
	// carries.
	authHeaderRe = regexp.MustCompile(`(?i)(authorization\\?"?'?\s*[:=]\s*\\?"?'?\s*(?:basic|bearer)\s+)([^\s"'\\,;]+)`)
)

// sharingTokens returns the values of "token" members in body, which are the
// sharing tokens the answer carried, so that they can be redacted wherever
// else they appear (e.g. inside an API message).
func sharingTokens(body []byte) []string {
	var out []string
	for _, m := range tokenValueRe.FindAllSubmatch(body, 64) {
		if v := string(m[2]); len(v) >= minSharingTokenLen {
			out = append(out, v)
		}
	}
	return out
}

// redact replaces every known secret and every token-shaped value in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	s = tokenValueRe.ReplaceAllString(s, "${1}"+redacted)
	s = tokenQueryRe.ReplaceAllString(s, "${1}"+redacted)
	s = authHeaderRe.ReplaceAllString(s, "${1}"+redacted)
	return s
}
