package albato

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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

	// Tries is how many times the request was sent, retries included (0
	// for a failure no single request's answer made), and Elapsed how long
	// they took; Error mentions both after more than one try.
	Tries   int
	Elapsed time.Duration

	// unreadable marks a success status (below 400) whose body could not be
	// read as the API's answer: the request may well have taken effect.
	unreadable bool
}

// Error returns the operation, the HTTP status, the message and, after
// retries, how many tries over how long, e.g. "read sharing: HTTP 404:
// Sharing not found" or "read sharing: HTTP 500: boom (5 tries over 18.2s)".
func (e *Error) Error() string {
	s := cmp.Or(e.Operation, "albato API") + ": HTTP " + strconv.Itoa(e.StatusCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + triesText(e.Tries, e.Elapsed)
}

// triesText is " (N tries over D)" after more than one try, else "". The
// duration is rounded to the millisecond below a second, else to 100 ms.
func triesText(tries int, elapsed time.Duration) string {
	if tries <= 1 {
		return ""
	}
	if elapsed >= time.Second {
		elapsed = elapsed.Round(100 * time.Millisecond)
	} else {
		elapsed = elapsed.Round(time.Millisecond)
	}
	return fmt.Sprintf(" (%d tries over %s)", tries, elapsed)
}

// IsNotFound reports whether err is, or wraps, an *Error with HTTP status 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is, or wraps, an *Error with HTTP status
// 401 or 403, which both mean the API token was refused.
func IsUnauthorized(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

// statusOf is the HTTP status of the *Error that err is or wraps, or 0.
func statusOf(err error) int {
	if apiErr := (*Error)(nil); errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// UnknownHost reports whether err is, or wraps, a name lookup that found no
// such host, and names the host: a typo or no network, which no retry heals.
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
	method, path string
	err          error
	secrets      []string
	tries        int
	elapsed      time.Duration
}

func (e *requestError) Error() string {
	return fmt.Sprintf("%s %s: request failed: %s%s", e.method, e.path, redact(e.err.Error(), e.secrets),
		triesText(e.tries, e.elapsed))
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

const (
	redacted = "[redacted]"
	// minSharingTokenLen keeps short values in a body from being "redacted"
	// all over a message: real sharing tokens are about 10 characters.
	minSharingTokenLen = 4
)

var (
	// tokenValueRe finds the value of a "token" JSON member, also in JSON
	// escaped in a string, and in a body cut off before the closing quote.
	tokenValueRe = regexp.MustCompile(`(?i)(\\?"token\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)`)
	// tokenQueryRe finds a token in a query string, such as a connect link;
	// authHeaderRe an echoed Authorization header, whatever token it carries.
	tokenQueryRe = regexp.MustCompile(`(?i)([?&;]token=)([^&\s"'<>#\\]*)`)
	authHeaderRe = regexp.MustCompile(`(?i)(authorization\\?"?'?\s*[:=]\s*\\?"?'?\s*(?:basic|bearer)\s+)([^\s"'\\,;]+)`)
)

// sharingTokens returns the sharing tokens that body carried ("token"
// members), so that they can be redacted wherever else they appear.
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
	for _, re := range []*regexp.Regexp{tokenValueRe, tokenQueryRe, authHeaderRe} {
		s = re.ReplaceAllString(s, "${1}"+redacted)
	}
	return s
}
