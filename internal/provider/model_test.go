package provider

import "testing"

func TestBuildLink(t *testing.T) {
	t.Parallel()
	cases := []struct {
		connect string
		partner int64
		token   string
		want    string
	}{
		{"https://connect.integrations-hub.com", 225, "aZeZWFwAQQ", "https://connect.integrations-hub.com?id=225&token=aZeZWFwAQQ"},
		{"https://connect.example.com/", 1, "t", "https://connect.example.com/?id=1&token=t"},
		{"https://white.label/connect?brand=acme", 7, "abc", "https://white.label/connect?brand=acme&id=7&token=abc"},
		{"https://white.label/connect?", 7, "abc", "https://white.label/connect?id=7&token=abc"},
		{"https://white.label/connect?a=1&", 7, "abc", "https://white.label/connect?a=1&id=7&token=abc"},
		{"http://a&", 7, "abc", "http://a&?id=7&token=abc"},                                         // "&" in the host, no query (fuzz)
		{"https://white.label/connect??", 7, "abc", "https://white.label/connect??&id=7&token=abc"}, // the query is "?" (fuzz)
		// Tokens are query-encoded, whatever they hold.
		{"http://localhost:8080/connect", 225, "a+b/c=d&e", "http://localhost:8080/connect?id=225&token=a%2Bb%2Fc%3Dd%26e"},
	}
	for _, c := range cases {
		if got := buildLink(c.connect, c.partner, c.token); got != c.want {
			t.Errorf("buildLink(%q, %d, %q) = %q, want %q", c.connect, c.partner, c.token, got, c.want)
		}
	}
}
