package provider

// A link's lifetime, on the API's clock. Every view of a link (the
// resource's state, plan and apply, the data sources, the ephemeral
// resource) judges expiry with these functions.

import (
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// linkLifetime is how long a token stays usable after it was issued.
const linkLifetime = 48 * time.Hour

// apiNow is the time on the API's clock when it answered with s: expiry is
// the API's to decide, so a machine whose clock is off, or a sandbox whose
// clock was moved, sees it as the API does. Without a Date header, ours.
func (pd *providerData) apiNow(s *albato.Sharing) time.Time {
	if !s.ServerTime.IsZero() {
		return s.ServerTime.UTC()
	}
	return pd.clock.Now().UTC()
}

// tokenLifetime is when the current token was issued and when it expires:
// issued is the later of the API's dateCreated and the moment our own create
// or regenerate call got its answer (issuedAt, zero when unknown, e.g. after
// an import), truncated to the second as every attribute shows it. Both are
// zero when not known yet.
func tokenLifetime(dateCreated *time.Time, issuedAt time.Time) (issued, expiry time.Time) {
	issued = issuedAt
	if dateCreated != nil && dateCreated.After(issued) {
		issued = *dateCreated
	}
	if issued.IsZero() {
		return time.Time{}, time.Time{}
	}
	issued = issued.UTC().Truncate(time.Second)
	return issued, issued.Add(linkLifetime)
}

// dueAt reports whether a waiting link is, at now, at or past its expiry
// less before. An unknown expiry or moment is never due.
func dueAt(status albato.Status, expiry time.Time, before time.Duration, now time.Time) bool {
	return status == albato.StatusWaiting && !expiry.IsZero() && !now.IsZero() && !now.Before(expiry.Add(-before))
}

// isExpired reports whether a link is waiting and at or past its expiry.
func isExpired(status albato.Status, expiry, now time.Time) bool {
	return dueAt(status, expiry, 0, now)
}

// dueForRegeneration judges, from a link's attributes (expires_at as RFC
// 3339, regenerate_before as a Go duration), whether a plan regenerates it
// for its expiry. readAt is when the provider last read or wrote the link,
// on the API's clock, never the clock of the moment: Terraform plans again
// at apply, however much later, and must find what the plan found. Invalid
// settings are never due (their validators report them).
func dueForRegeneration(status albato.Status, expiresAt string, whenExpired bool, before string, readAt time.Time) bool {
	if !whenExpired || status != albato.StatusWaiting {
		return false
	}
	window, err := time.ParseDuration(before)
	if err != nil || window < 0 {
		return false
	}
	expiry, err := time.Parse(time.RFC3339, expiresAt)
	return err == nil && dueAt(status, expiry, window, readAt)
}

// formatTime renders a time as RFC 3339 in UTC, as every attribute shows it.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
