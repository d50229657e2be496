package provider

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// linkLifetime is how long a token stays usable after it was issued.
const linkLifetime = 48 * time.Hour

// buildLink forms the end user's link: <connectURL>?id=<partnerID>&token=<token>,
// with "&" instead of "?" when connectURL already carries a query. The id in
// the link is the partner id (see albato-api-notes.md).
func buildLink(connectURL string, partnerID int64, token string) string {
	q := url.Values{}
	q.Set("id", strconv.FormatInt(partnerID, 10))
	q.Set("token", token)
	// Join the parameters to the connect URL's own query, if it has one:
	// after "?" or a trailing "&" directly, otherwise after "&". Only the
	// query counts: in "https://a&" the "&" is part of the host, and in
	// "https://a??" the query is "?" (both found by FuzzBuildLink).
	sep := "?"
	if i := strings.IndexByte(connectURL, '?'); i >= 0 {
		switch query := connectURL[i+1:]; {
		case query == "" || strings.HasSuffix(query, "&"):
			sep = ""
		default:
			sep = "&"
		}
	}
	return connectURL + sep + q.Encode()
}

// tokenIssuedAt is when the current token was issued: the later of the
// API's dateCreated and the moment our own create or regenerate call got its
// answer (issuedAt, zero when unknown, e.g. after an import), truncated to
// the second as every attribute shows it. The zero time means it is not
// known yet. issued_at and expires_at both derive from it, so they can never
// disagree.
func tokenIssuedAt(dateCreated *time.Time, issuedAt time.Time) time.Time {
	base := issuedAt
	if dateCreated != nil && dateCreated.After(base) {
		base = *dateCreated
	}
	if base.IsZero() {
		return time.Time{}
	}
	return base.UTC().Truncate(time.Second)
}

// expiresAt is 48 hours after the token was issued (see tokenIssuedAt); the
// zero time means the expiry is not known yet.
func expiresAt(dateCreated *time.Time, issuedAt time.Time) time.Time {
	issued := tokenIssuedAt(dateCreated, issuedAt)
	if issued.IsZero() {
		return time.Time{}
	}
	return issued.Add(linkLifetime)
}

// isExpired reports whether a link is waiting and at or past its expiry.
func isExpired(status albato.Status, expiry, now time.Time) bool {
	return status == albato.StatusWaiting && !expiry.IsZero() && !now.Before(expiry)
}

// dueForRegeneration reports whether a waiting link should be regenerated at
// now, given its expiry and how early before it (regenerateBefore) to act.
func dueForRegeneration(status albato.Status, expiry time.Time, regenerateBefore time.Duration, now time.Time) bool {
	return status == albato.StatusWaiting && !expiry.IsZero() && !now.Before(expiry.Add(-regenerateBefore))
}

// issuedAtFrom is when the API issued a token it just answered with: the
// API's own clock from the Date header, or ours when the header is missing.
func issuedAtFrom(s *albato.Sharing, now time.Time) time.Time {
	if !s.ServerTime.IsZero() {
		return s.ServerTime.UTC()
	}
	return now.UTC()
}

// formatTime renders a time as RFC 3339 in UTC, as every attribute shows it.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// linkOf is the end user's link to s, with the id that link_id chose.
func (pd *providerData) linkOf(s *albato.Sharing) string {
	id := s.PartnerID
	if pd.linkID == linkIDSharing {
		id = s.ID
	}
	return buildLink(pd.connectURL, id, s.Token)
}

// apiNow is the time on the API's clock when it answered with s: expiry is
// the API's to decide, so a machine whose clock is off, or a sandbox whose
// clock was moved, sees it as the API does. Without a Date header, ours.
func (pd *providerData) apiNow(s *albato.Sharing) time.Time {
	if !s.ServerTime.IsZero() {
		return s.ServerTime
	}
	return pd.clock.Now()
}

// apiClockOffset is how far the API's clock is ahead of ours, to the second,
// as the answer s shows it; 0 without a Date header.
func (pd *providerData) apiClockOffset(s *albato.Sharing) time.Duration {
	if s.ServerTime.IsZero() {
		return 0
	}
	return s.ServerTime.Sub(pd.clock.Now()).Round(time.Second)
}
