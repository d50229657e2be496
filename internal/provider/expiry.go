package provider

// A link's lifetime, on the API's clock (DESIGN.md, "How expiry is judged").

import (
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

const linkLifetime = 48 * time.Hour

// apiNow is the time on the API's clock when it answered with s; ours when
// the answer had no Date header.
func (pd *providerData) apiNow(s *albato.Sharing) time.Time {
	if !s.ServerTime.IsZero() {
		return s.ServerTime.UTC()
	}
	return pd.now().UTC()
}

// tokenLifetime is when the token was issued (the later of dateCreated and
// issuedAt, to the second) and when it expires; zero when not known.
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
// less before (expired: before is 0). An unknown expiry or moment is never due.
func dueAt(status albato.Status, expiry time.Time, before time.Duration, now time.Time) bool {
	return status == albato.StatusWaiting && !expiry.IsZero() && !now.IsZero() && !now.Before(expiry.Add(-before))
}

// dueForRegeneration judges from a link's attributes whether a plan
// regenerates it for its expiry, as of readAt, the last reading (never the
// clock of the moment). Invalid settings are never due: validators report them.
func dueForRegeneration(status albato.Status, expiresAt string, whenExpired bool, before string, readAt time.Time) bool {
	window, err := time.ParseDuration(before)
	if !whenExpired || err != nil || window < 0 {
		return false
	}
	expiry, err := time.Parse(time.RFC3339, expiresAt)
	return err == nil && dueAt(status, expiry, window, readAt)
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
