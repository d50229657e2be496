package provider

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzBuildLink: whatever the connect URL and token, the link starts with
// the connect URL and its query carries the partner id and the token
// exactly, so an end user always lands on the right sharing.
func FuzzBuildLink(f *testing.F) {
	f.Add("https://connect.integrations-hub.com", int64(225), "aZeZWFwAQQ")
	f.Add("https://white.label/connect?brand=acme", int64(1), "a+b/c=d&e")
	f.Add("http://127.0.0.1:8080/connect?", int64(7), "#frag?x")
	f.Fuzz(func(t *testing.T, connect string, partner int64, token string) {
		if strings.ContainsAny(connect, "#") {
			t.Skip("a connect URL with a fragment is not a valid base")
		}
		u, err := url.Parse(connect)
		if err != nil || u.Scheme == "" || u.Host == "" {
			t.Skip("the provider refuses such a connect_url")
		}
		link := buildLink(connect, partner, token)
		if !strings.HasPrefix(link, connect) {
			t.Fatalf("link %q does not start with %q", link, connect)
		}
		parsed, err := url.Parse(link)
		if err != nil {
			t.Fatalf("link %q does not parse: %v", link, err)
		}
		q := parsed.Query()
		if got := q["token"]; len(got) == 0 || got[len(got)-1] != token {
			t.Fatalf("link %q carries token %q, want %q", link, got, token)
		}
		if got := q["id"]; len(got) == 0 || got[len(got)-1] != strconv.FormatInt(partner, 10) {
			t.Fatalf("link %q carries id %q, want %d", link, got, partner)
		}
	})
}
