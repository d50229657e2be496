package albato

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ShownURL is raw as any message or log may show it: scheme, host and path.
// Userinfo, query and fragment are dropped because they may carry secrets
// (a password, an api_key, a token); a value that does not parse as a URL
// is not shown at all. It is the one place where a URL is cleaned for
// display: every diagnostic and log line about a URL from the
// configuration, the environment or a redirect goes through it.
func ShownURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(not a URL)"
	}
	return shownURL(u)
}

// notAURL is the error of a value that does not parse, which is not quoted
// since its query may hold a secret.
const notAURL = "it is not a URL (look for spaces, control characters, a bad %-escape or a bad port)"

func shownURL(u *url.URL) string {
	if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(u.Path, "/") {
		// Without a scheme, "user:pass@host/path" reads as a path; read it
		// as the host first that its writer meant, to drop the userinfo.
		v, err := url.Parse("//" + u.Path)
		if err != nil || v.Host == "" {
			return "(not a URL)"
		}
		return strings.TrimPrefix((&url.URL{Host: v.Host, Path: v.Path, RawPath: v.RawPath}).String(), "//")
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	if c.Scheme == "" && c.Host == "" && c.Path == "" {
		return "(not a URL)"
	}
	return c.String()
}

// ParseBaseURL checks an API base URL as New does: an absolute http or https
// URL with a host, and without credentials, query or fragment. It is
// exported so that a caller can report a bad URL against the setting it came
// from before building a Client.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("API base URL is required")
	}
	u, err := url.Parse(raw)
	if hint := SchemeHint(raw); hint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https")) {
		return nil, errors.New("API base URL " + hint)
	}
	if err != nil {
		// url.Parse's errors quote the input, secrets included.
		return nil, errors.New("invalid API base URL: " + notAURL)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("API base URL must be an absolute http or https URL, got %q", shownURL(u))
	case u.Host == "":
		return nil, fmt.Errorf("API base URL has no host: %q", shownURL(u))
	case u.User != nil:
		// The token goes in the Authorization header; credentials in the URL
		// would leak into logs of proxies and error messages.
		return nil, fmt.Errorf("API base URL must not contain credentials: %q (credentials not shown); "+
			"the token has a setting of its own", shownURL(u))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("API base URL must not have a query or fragment: %q "+
			"(query and fragment not shown, as they may hold a secret)", shownURL(u))
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// SchemeHint words a URL written without its scheme ("127.0.0.1:8080",
// "localhost:8080", "api.albato.com"), suggesting one; "" when raw has a
// scheme or would be no URL with one. Userinfo, query and fragment are not
// shown.
func SchemeHint(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse("https://" + raw)
	if strings.Contains(raw, "://") || err != nil || u.Host == "" {
		return ""
	}
	shown := u.Host + u.EscapedPath()
	return fmt.Sprintf("has no scheme: write \"https://%s\" (or \"http://%s\" for a local sandbox)", shown, shown)
}
