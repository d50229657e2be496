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

// Error is every failure the API reports: an HTTP status of 400 or more,
// "success": false at any status, or a body that cannot be decoded.
type Error struct {
	Operation  string        // what the client was doing, such as "read sharing"
	StatusCode int           // 200 when "success" is false or the body is unusable
	Message    string        // the API's own, or what was wrong with the body; redacted
	Tries      int           // times sent (0 for a failure of no single answer)
	Elapsed    time.Duration // from the first try to the failure
	unreadable bool          // a success whose body is unreadable: it may well have taken effect
	envelope   bool          // the failure came in the API's envelope ("success": false)
	gone       bool          // a 404 that the sharing API itself gave (see itemCall)
}

// Error reads e.g. "read sharing: HTTP 404: Sharing not found" or "read
// sharing: HTTP 500: boom (5 tries over 18.2s)".
func (e *Error) Error() string {
	s := cmp.Or(e.Operation, "albato API") + ": HTTP " + strconv.Itoa(e.StatusCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + triesText(e.Tries, e.Elapsed)
}

// triesText is " (N tries over D)" after more than one try, D rounded to
// the millisecond below a second, else to 100 ms.
func triesText(tries int, elapsed time.Duration) string {
	if tries <= 1 {
		return ""
	}
	unit := time.Millisecond
	if elapsed >= time.Second {
		unit = 100 * time.Millisecond
	}
	return fmt.Sprintf(" (%d tries over %s)", tries, elapsed.Round(unit))
}

// IsNotFound reports whether err is, or wraps, the sharing API's own 404
// for one sharing: no such sharing. A 404 from anything else (an HTML page,
// a wrong path prefix) is not.
func IsNotFound(err error) bool {
	apiErr := (*Error)(nil)
	return errors.As(err, &apiErr) && apiErr.gone
}

// IsUnauthorized reports whether err is, or wraps, an *Error with HTTP status
// 401 or 403: the API token was refused.
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

// UnknownHost names the host of a lookup that found no such host in err: a
// typo or no network, which no retry heals.
func UnknownHost(err error) (host string, ok bool) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return dnsErr.Name, true
	}
	return "", false
}

// requestError is a transport failure after all retries: method and path,
// never a URL's query, and no API token a proxy may have echoed.
type requestError struct {
	text    string // method, path and the redacted cause
	err     error
	tries   int
	elapsed time.Duration
}

func (e *requestError) Error() string { return e.text + triesText(e.tries, e.elapsed) }

func (e *requestError) Unwrap() error { return e.err }

// stripURLError drops *url.Error, which quotes the URL, and keeps its cause.
func stripURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		return urlErr.Err
	}
	return err
}

const (
	redacted           = "[redacted]"
	minSharingTokenLen = 4 // real ones are about 10; a shorter value would be redacted everywhere
)

var (
	// tokenValueRe: a "token" member's value, also escaped in a string or
	// cut off before its closing quote.
	tokenValueRe = regexp.MustCompile(`(?i)(\\?"token\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)`)
	// tokenQueryRe finds a token in a query string, such as a connect link;
	// authHeaderRe an echoed Authorization header, whatever token it carries.
	tokenQueryRe = regexp.MustCompile(`(?i)([?&;]token=)([^&\s"'<>#\\]*)`)
	authHeaderRe = regexp.MustCompile(`(?i)(authorization\\?"?'?\s*[:=]\s*\\?"?'?\s*(?:basic|bearer)\s+)([^\s"'\\,;]+)`)
)

// sharingTokens are body's "token" values, to redact wherever they appear.
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
