package provider

import (
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
)

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
		issued, got := tokenLifetime(c.created, c.issuedAt)
		if !got.Equal(c.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("%s: expiry = %v, want %v in UTC", c.name, got, c.want)
		}
		// issued_at and expires_at come from one time: 48 hours apart, or both unknown.
		if issued.IsZero() != got.IsZero() || (!got.IsZero() && got.Sub(issued) != 48*time.Hour) {
			t.Errorf("%s: issued = %v, not 48 hours before expiry %v", c.name, issued, got)
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
		if got := dueAt(c.status, c.expiry, 0, c.now); got != c.expired {
			t.Errorf("%s: expired = %v, want %v", c.name, got, c.expired)
		}
		if got := dueAt(c.status, c.expiry, c.before, c.now); got != c.due {
			t.Errorf("%s: dueAt = %v, want %v", c.name, got, c.due)
		}
		// The same judgement from the attributes, as the plan makes it.
		expiresAt := ""
		if !c.expiry.IsZero() {
			expiresAt = formatTime(c.expiry)
		}
		if got := dueForRegeneration(c.status, expiresAt, true, c.before.String(), c.now); got != c.due {
			t.Errorf("%s: dueForRegeneration = %v, want %v", c.name, got, c.due)
		}
		if dueForRegeneration(c.status, expiresAt, false, c.before.String(), c.now) {
			t.Errorf("%s: due with regenerate_when_expired = false", c.name)
		}
		if dueForRegeneration(c.status, expiresAt, true, c.before.String(), time.Time{}) {
			t.Errorf("%s: due without a reading (a state from an older version)", c.name)
		}
	}
}

func TestAPINow(t *testing.T) {
	t.Parallel()
	server := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	local := server.Add(7 * time.Minute) // a skewed local clock
	pd := &providerData{now: clocktest.NewFake(local).Now}
	if got := pd.apiNow(&albato.Sharing{ServerTime: server}); !got.Equal(server) {
		t.Errorf("with a Date header: %v, want the API's %v", got, server)
	}
	if got := pd.apiNow(&albato.Sharing{}); !got.Equal(local) {
		t.Errorf("without a Date header: %v, want the local %v", got, local)
	}
}
