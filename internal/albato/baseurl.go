package albato

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// ShownURL is raw as every message or log shows it: scheme, host and path,
// without userinfo, query and fragment, which may carry secrets.
func ShownURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(not a URL)"
	}
	return shownURL(u)
}

func shownURL(u *url.URL) string {
	if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(u.Path, "/") {
		// Without a scheme "user:pass@host/path" is a path: drop the userinfo.
		v, err := url.Parse("//" + u.Path)
		if err != nil || v.Host == "" {
			return "(not a URL)"
		}
		return strings.TrimPrefix((&url.URL{Host: v.Host, Path: v.Path, RawPath: v.RawPath}).String(), "//")
	}
	// Scheme, host or an absolute path is left: there is something to show.
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// ParseBaseURL checks an API base URL as New does: absolute http or https,
// with a host, without credentials, query or fragment.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := parseHTTPURL("API base URL", raw)
	switch {
	case err != nil:
		return nil, err
	case u.User != nil:
		// Credentials in a URL leak into proxies' logs and error messages.
		return nil, fmt.Errorf("API base URL must not contain credentials: %q (credentials not shown); "+
			"the token has a setting of its own", shownURL(u))
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("API base URL must not have a query or fragment: %q "+
			"(query and fragment not shown, as they may hold a secret)", shownURL(u))
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// ParseConnectURL checks the base of the links handed to end users, once
// trimmed of white space around it: like the API base, and without white
// space inside, a query or a fragment, so that the link's own id and token
// are its whole query (a query of its own would give a link two ids and two
// tokens; a fragment would swallow them).
func ParseConnectURL(raw string) (*url.URL, error) {
	u, err := parseHTTPURL("connect URL", raw)
	switch {
	case err != nil:
		return nil, err
	case strings.ContainsFunc(strings.TrimSpace(raw), unicode.IsSpace):
		return nil, fmt.Errorf("connect URL must not contain white space: %q; links built on it would "+
			"break where they are pasted", shownURL(u))
	case strings.Contains(raw, "#"):
		return nil, fmt.Errorf("connect URL must not have a fragment (#…): %q; the link's id and token would "+
			"follow it, and a browser never sends a fragment to the page", shownURL(u))
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("connect URL must not have a query (?…): %q (query not shown); the provider adds "+
			"the link's own id and token, and a second id or token would make the link ambiguous", shownURL(u))
	}
	return u, nil
}

// parseHTTPURL accepts an absolute http or https URL with a host; a value
// that would be one after "https://" (localhost:8080) gets that advice.
func parseHTTPURL(what, raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%s is required", what)
	}
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if u.Host == "" {
			return nil, fmt.Errorf("%s has no host: %q", what, shownURL(u))
		}
		return u, nil
	}
	if v, vErr := url.Parse("https://" + raw); vErr == nil && v.Hostname() != "" && v.User == nil && !strings.Contains(raw, "://") {
		shown := strings.TrimPrefix(shownURL(v), "https://")
		hidden := ""
		if v.RawQuery != "" || v.Fragment != "" {
			hidden = "; query and fragment not shown"
		}
		return nil, fmt.Errorf(`%s has no scheme: use "https://%s" (or "http://%s" for a local sandbox%s)`, what, shown, shown, hidden)
	}
	if err != nil {
		// url.Parse's errors quote the input, secrets included.
		return nil, errors.New("invalid " + what + ": it is not a URL (look for spaces, control characters, " +
			"a bad %-escape or a bad port)")
	}
	return nil, fmt.Errorf("%s must be an absolute http or https URL, got %q", what, shownURL(u))
}
