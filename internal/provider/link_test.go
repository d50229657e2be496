package provider

import (
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

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

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	later := created.Add(3 * time.Hour)
	cases := []struct {
		name     string
		created  *time.Time
		issuedAt time.Time
		want     time.Time
	}{
		{"nothing known", nil, time.Time{}, time.Time{}},
		{"only dateCreated (import, data source)", &created, time.Time{}, created.Add(48 * time.Hour)},
		{"only issue time (POST answer)", nil, created, created.Add(48 * time.Hour)},
		{"regenerated after creation", &created, later, later.Add(48 * time.Hour)},
		{"dateCreated moved by the API", &later, created, later.Add(48 * time.Hour)},
		{"non-UTC issue time", nil, created.In(time.FixedZone("X", 3600)), created.Add(48 * time.Hour)},
		{"local clock with a fraction of a second", nil, created.Add(700 * time.Millisecond), created.Add(48 * time.Hour)},
	}
	for _, c := range cases {
		got := expiresAt(c.created, c.issuedAt)
		if !got.Equal(c.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("%s: expiresAt = %v, want %v in UTC", c.name, got, c.want)
		}
		// issued_at and expires_at come from one time: 48 hours apart, or both unknown.
		issued := tokenIssuedAt(c.created, c.issuedAt)
		if issued.IsZero() != got.IsZero() || (!got.IsZero() && got.Sub(issued) != 48*time.Hour) {
			t.Errorf("%s: tokenIssuedAt = %v, not 48 hours before expiresAt %v", c.name, issued, got)
		}
	}
}

func TestExpiryJudgement(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		status  albato.Status
		expiry  time.Time
		before  time.Duration
		now     time.Time
		expired bool
		due     bool
	}{
		{"a second before", albato.StatusWaiting, expiry, 0, expiry.Add(-time.Second), false, false},
		{"exactly at expiry", albato.StatusWaiting, expiry, 0, expiry, true, true},
		{"past expiry", albato.StatusWaiting, expiry, 0, expiry.Add(time.Hour), true, true},
		{"inside the 6h window", albato.StatusWaiting, expiry, 6 * time.Hour, expiry.Add(-6 * time.Hour), false, true},
		{"before the 6h window", albato.StatusWaiting, expiry, 6 * time.Hour, expiry.Add(-6*time.Hour - time.Second), false, false},
		{"window longer than the lifetime", albato.StatusWaiting, expiry, 72 * time.Hour, expiry.Add(-48 * time.Hour), false, true},
		{"granted never expires", albato.StatusGranted, expiry, 0, expiry.Add(time.Hour), false, false},
		{"waiting for OAuth", albato.StatusWaitingOAuth, expiry, 0, expiry.Add(time.Hour), false, false},
		{"revoked", albato.StatusRevoked, expiry, 0, expiry.Add(time.Hour), false, false},
		{"unknown expiry", albato.StatusWaiting, time.Time{}, 0, expiry, false, false},
	}
	for _, c := range cases {
		if got := isExpired(c.status, c.expiry, c.now); got != c.expired {
			t.Errorf("%s: isExpired = %v, want %v", c.name, got, c.expired)
		}
		if got := dueForRegeneration(c.status, c.expiry, c.before, c.now); got != c.due {
			t.Errorf("%s: dueForRegeneration = %v, want %v", c.name, got, c.due)
		}
	}
}

func TestIssuedAtFrom(t *testing.T) {
	t.Parallel()
	server := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	local := server.Add(7 * time.Minute) // a skewed local clock
	if got := issuedAtFrom(&albato.Sharing{ServerTime: server}, local); !got.Equal(server) {
		t.Errorf("with a Date header: %v, want the API's %v", got, server)
	}
	if got := issuedAtFrom(&albato.Sharing{}, local); !got.Equal(local) {
		t.Errorf("without a Date header: %v, want the local %v", got, local)
	}
}
