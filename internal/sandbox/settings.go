package sandbox

import (
	"fmt"
	"strconv"
	"time"
)

// AuthScheme is the Authorization scheme the API accepts.
type AuthScheme string

// The schemes that Albato's documents give, which disagree: Bearer for the
// /credentials methods, Basic with the token as is in the examples of the
// embedded-user methods, and standard Basic in their text.
const (
	// AuthAny accepts all three schemes below (the default).
	AuthAny AuthScheme = "any"
	// AuthBearer accepts "Authorization: Bearer <token>".
	AuthBearer AuthScheme = "bearer"
	// AuthBasicRaw accepts "Authorization: Basic <token>", the token not
	// encoded, as Albato's examples send it.
	AuthBasicRaw AuthScheme = "basic-raw"
	// AuthBasic accepts standard Basic: "Authorization: Basic
	// base64(<token>:)", the token as the user name and no password.
	AuthBasic AuthScheme = "basic"
)

// LinkID is the id that the connect page expects in a link's id parameter.
type LinkID string

// The link ids.
const (
	// LinkPartnerID expects the sharing's partnerId (the default).
	LinkPartnerID LinkID = "partner_id"
	// LinkSharingID expects the sharing's own id.
	LinkSharingID LinkID = "sharing_id"
)

// DateFormat is how the API writes dateCreated.
type DateFormat string

// The date formats.
const (
	// DateTime is "2006-01-02 15:04:05" in UTC, as documented (the default).
	DateTime DateFormat = "datetime"
	// DateUnix is Unix seconds as a JSON number.
	DateUnix DateFormat = "unix"
	// DateUnixString is Unix seconds as a JSON string.
	DateUnixString DateFormat = "unix-string"
	// DateRFC3339 is RFC 3339 with the offset +03:00, so that a client that
	// drops the offset is caught.
	DateRFC3339 DateFormat = "rfc3339"
)

// DefaultMaxPerPage is the largest per-page honoured when
// Settings.MaxPerPage is zero, as in the PHP framework behind Albato's list
// endpoints.
const DefaultMaxPerPage = 50

// MaxPageSize bounds Settings.PageSize and Settings.MaxPerPage: far above
// any page a client asks for, and far enough below the largest int that
// counting pages cannot overflow.
const MaxPageSize = 100_000

// Settings are the readings of Albato's disputed documents that the sandbox
// plays. Options sets them at start; Server.SetSettings and POST
// /_sandbox/settings change them while it runs. Zero values mean the
// defaults, so the zero Settings is the sandbox's usual reading.
type Settings struct {
	// AuthScheme is the scheme the API accepts; AuthAny when "".
	AuthScheme AuthScheme `json:"authScheme"`
	// LinkID is the id the connect page expects; LinkPartnerID when "".
	LinkID LinkID `json:"linkId"`
	// PageSize is the list's page size when the request has no valid
	// per-page; DefaultPageSize when zero.
	PageSize int `json:"pageSize"`
	// MaxPerPage is the largest per-page honoured; a per-page above it,
	// below 1 or not a number gets PageSize. DefaultMaxPerPage when zero.
	MaxPerPage int `json:"maxPerPage"`
	// EmptyPageWhenOutOfRange answers a page past the last with no data
	// and meta.page as asked. Without it (the framework's way) such a page
	// answers with the last page's data and meta.page set to the last page.
	EmptyPageWhenOutOfRange bool `json:"emptyPageWhenOutOfRange"`
	// IgnorePage makes the list ignore page and always answer page 1, like
	// an API that does not page: a client must notice the repeated page.
	IgnorePage bool `json:"ignorePage"`
	// DateFormat is how the API writes dateCreated; DateTime when "".
	DateFormat DateFormat `json:"dateFormat"`
	// RegenerateMovesDate makes a PUT set dateCreated to the moment of the
	// new token. Albato's PUT example answers with the creation date, so by
	// default a regeneration keeps it, and only the token's issue moves.
	RegenerateMovesDate bool `json:"regenerateMovesDate"`
}

// DefaultSettings is the usual reading, the zero Settings with its
// defaults filled in: any scheme, the partner id in links, pages of 20 and
// at most 50, dates as documented.
func DefaultSettings() Settings {
	set, _ := Settings{}.normalized()
	return set
}

// StrictSettings is the strictest reading: only standard Basic (the last
// scheme a client's "auto" tries), the sharing id in links, pages of 20 and
// at most 50, and dates as Unix seconds.
func StrictSettings() Settings {
	return Settings{
		AuthScheme: AuthBasic, LinkID: LinkSharingID, PageSize: DefaultPageSize,
		MaxPerPage: DefaultMaxPerPage, DateFormat: DateUnix,
	}
}

// Validate reports a value that is not one of those documented here.
func (set Settings) Validate() error {
	_, err := set.normalized()
	return err
}

// normalized fills in the defaults and checks every value.
func (set Settings) normalized() (Settings, error) {
	set.AuthScheme = or(set.AuthScheme, AuthAny)
	set.LinkID = or(set.LinkID, LinkPartnerID)
	set.DateFormat = or(set.DateFormat, DateTime)
	set.PageSize = or(set.PageSize, DefaultPageSize)
	set.MaxPerPage = or(set.MaxPerPage, DefaultMaxPerPage)
	switch {
	case !oneOf(set.AuthScheme, AuthAny, AuthBearer, AuthBasicRaw, AuthBasic):
		return set, fmt.Errorf(`sandbox: auth scheme must be "any", "bearer", "basic-raw" or "basic", got %q`, clip(string(set.AuthScheme), 40))
	case !oneOf(set.LinkID, LinkPartnerID, LinkSharingID):
		return set, fmt.Errorf(`sandbox: link id must be "partner_id" or "sharing_id", got %q`, clip(string(set.LinkID), 40))
	case !oneOf(set.DateFormat, DateTime, DateUnix, DateUnixString, DateRFC3339):
		return set, fmt.Errorf(`sandbox: date format must be "datetime", "unix", "unix-string" or "rfc3339", got %q`, clip(string(set.DateFormat), 40))
	case set.PageSize < 0 || set.PageSize > MaxPageSize:
		return set, fmt.Errorf("sandbox: page size must be from 1 to %d, got %d", MaxPageSize, set.PageSize)
	case set.MaxPerPage < 0 || set.MaxPerPage > MaxPageSize:
		return set, fmt.Errorf("sandbox: max per-page must be from 1 to %d, got %d", MaxPageSize, set.MaxPerPage)
	}
	return set, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func oneOf[T comparable](v T, allowed ...T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// Settings returns the readings in force, defaults filled in.
func (s *Server) Settings() Settings { return *s.settings.Load() }

// SetSettings replaces the readings in force; zero fields take their
// defaults. It fails, changing nothing, when a value is unknown or out of
// bounds.
func (s *Server) SetSettings(set Settings) error {
	return s.changeSettings(func(cur *Settings) error { *cur = set; return nil })
}

// changeSettings edits a copy of the readings in force and stores it, all
// under one lock, so that concurrent changes of different fields all land.
// Nothing changes when edit or the check fails.
func (s *Server) changeSettings(edit func(*Settings) error) error {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	var set Settings
	if cur := s.settings.Load(); cur != nil {
		set = *cur
	}
	if err := edit(&set); err != nil {
		return err
	}
	set, err := set.normalized()
	if err != nil {
		return err
	}
	s.settings.Store(&set)
	return nil
}

// accepts tells whether the configured scheme lets a request through that
// uses scheme.
func (a AuthScheme) accepts(scheme AuthScheme) bool { return a == AuthAny || a == scheme }

// of returns the id that a link to sh carries.
func (l LinkID) of(sh Sharing) int64 {
	if l == LinkSharingID {
		return sh.ID
	}
	return sh.PartnerID
}

// apiDateZone is the offset of DateRFC3339: not UTC, so that it shows.
var apiDateZone = time.FixedZone("UTC+3", 3*60*60)

// format writes t for the API's dateCreated.
func (f DateFormat) format(t time.Time) any {
	switch f {
	case DateUnix:
		return t.Unix()
	case DateUnixString:
		return strconv.FormatInt(t.Unix(), 10)
	case DateRFC3339:
		return t.In(apiDateZone).Format(time.RFC3339)
	default:
		return t.UTC().Format("2006-01-02 15:04:05")
	}
}

// page chooses the page and the range of items [from, to) that a list
// request for page (1-based) with per-page size answers, given total items.
// It returns the page number that meta reports.
func (set Settings) page(page, size, total int) (shown, from, to int) {
	if set.IgnorePage {
		page = 1
	}
	last := (total + size - 1) / size
	if page > last && !set.EmptyPageWhenOutOfRange {
		page = max(last, 1) // an empty list has one empty page
	}
	if page > last {
		return page, 0, 0
	}
	from = (page - 1) * size
	return page, from, min(from+size, total)
}

// perPage returns the page size for a request's per-page value ("" when
// absent): honoured from 1 to MaxPerPage, otherwise PageSize.
func (set Settings) perPage(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > set.MaxPerPage {
		return set.PageSize
	}
	return n
}
