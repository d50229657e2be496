package albato

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

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
	if err != nil {
		return nil, fmt.Errorf("invalid API base URL: %w", stripURLError(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("API base URL must be an absolute http or https URL, got %q", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("API base URL has no host: %q", u.Redacted())
	case u.User != nil:
		// The token goes in the Authorization header; credentials in the URL
		// would leak into logs of proxies and error messages.
		return nil, fmt.Errorf("API base URL must not contain credentials: %q", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("API base URL must not have a query or fragment: %q", u.Redacted())
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}
