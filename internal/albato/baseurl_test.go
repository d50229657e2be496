package albato

import (
	"strings"
	"testing"
)

// TestURLWithoutScheme: a host written without its scheme, as an env var
// often is, gets the URL to write instead, for the API base and the
// connect page alike, and never its credentials, query or fragment.
func TestURLWithoutScheme(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"127.0.0.1:8080", `has no scheme: use "https://127.0.0.1:8080" (or "http://127.0.0.1:8080" for a local sandbox)`},
		{"localhost:8080", `has no scheme: use "https://localhost:8080" (or "http://localhost:8080" for a local sandbox)`},
		{" api.albato.com ", `has no scheme: use "https://api.albato.com" (or "http://api.albato.com" for a local sandbox)`},
		{"localhost:8080/api?k=" + urlSecret + "#" + urlSecret, `use "https://localhost:8080/api" (or "http://localhost:8080/api" ` +
			`for a local sandbox; query and fragment not shown)`},
		{urlSecret + "@api.example/?" + urlSecret, `must be an absolute http or https URL, got "api.example/"`},
		{"ftp://api.example/?" + urlSecret, `must be an absolute http or https URL, got "ftp://api.example/"`},
		{"/api", `must be an absolute http or https URL, got "/api"`},
		{"https://api.example:" + urlSecret + "/", "not a URL"},
		{"", "is required"},
	} {
		for name, parse := range map[string]func(string) error{
			"API base URL": func(s string) error { _, err := ParseBaseURL(s); return err },
			"connect URL":  func(s string) error { _, err := ParseConnectURL(s); return err },
		} {
			err := parse(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s %q: got %v, want an error naming it and containing %s", name, tt.in, err, tt.want)
				continue
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%s %q: %q shows the secret", name, tt.in, err)
			}
		}
	}
}

// TestParseConnectURL: the connect page is trimmed of white space around
// it, and has none inside, no query (a second id or token) and no fragment
// (which would swallow the link's id and token); no message shows a secret.
func TestParseConnectURL(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{
		"https://connect.integrations-hub.com",
		"http://127.0.0.1:8080/connect",
		" https://brand.example/connect ",
		"\thttps://brand.example/connect/\n",
	} {
		if u, err := ParseConnectURL(ok); err != nil || u.Host == "" {
			t.Errorf("ParseConnectURL(%q) = %v, %v; want it accepted", ok, u, err)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"https://brand.example/connect?k=" + urlSecret + "#" + urlSecret, `must not have a fragment (#…): "https://brand.example/connect"`},
		{"https://brand.example/#", `must not have a fragment`},
		{"https://brand.example/connect?brand=acme", `must not have a query (?…): "https://brand.example/connect" (query not shown)`},
		{"https://brand.example/connect?k=" + urlSecret, `must not have a query`},
		{"https://brand.example/connect?", `must not have a query`},
		{"https://brand.example/con nect", `must not contain white space: "https://brand.example/con%20nect"`},
		{"https://brand.example/con\u00a0nect", `must not contain white space`},
		{"https://brand.example/connect\n/x", `it is not a URL`},
		{"https:///connect?k=" + urlSecret, `has no host: "https:///connect"`},
		{"ftp://me:" + urlSecret + "@connect.example/?k=" + urlSecret, `got "ftp://connect.example/"`},
		{"https://brand.example/%zz?k=" + urlSecret, "invalid connect URL: it is not a URL"},
	} {
		_, err := ParseConnectURL(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConnectURL(%q): got %v, want an error containing %s", tt.in, err, tt.want)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseConnectURL(%q): %q shows the secret", tt.in, err)
		}
	}
}
