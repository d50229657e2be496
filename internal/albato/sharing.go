package albato

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Status is the state of a sharing, as the API reports it.
type Status int

// The documented statuses: waiting for the end user, granted (the token
// spent on a connection), in an OAuth flow, and revoked (deleted).
const (
	StatusWaiting      Status = 0
	StatusGranted      Status = 1
	StatusWaitingOAuth Status = 2
	StatusRevoked      Status = 3
)

var statusNames = [...]string{
	StatusWaiting:      "waiting",
	StatusGranted:      "granted",
	StatusWaitingOAuth: "waiting_oauth",
	StatusRevoked:      "revoked",
}

// Name is the status's name, or "unknown" for an undocumented value.
func (s Status) Name() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Sharing is one sharing entity ("connection link"); numbers are strict, as
// documented.
type Sharing struct {
	ID           int64      `json:"id"`
	PartnerID    int64      `json:"partnerId"` // the partner (app) the end user connects
	Token        string     `json:"token"`     // the link's one-time token, a secret until spent
	Status       Status     `json:"status"`
	CredentialID *int64     `json:"credentialId"` // the connection made through the link; nil if null or absent
	Title        string     `json:"title"`
	DateCreated  *time.Time `json:"-"` // in UTC; nil when null, "" or absent (right after create)
	ServerTime   time.Time  `json:"-"` // the answer's Date header in UTC; zero if missing or bad
}

// Page is one page (1-based) of the list of sharings, in the API's order.
type Page struct {
	Sharings                          []Sharing
	Page, TotalPages, TotalItemsCount int
}

// sharingWire is a sharing as JSON, its date kept raw to be judged.
type sharingWire struct {
	Sharing
	DateCreated json.RawMessage `json:"dateCreated"`
}

const (
	apiDateLayout  = "2006-01-02 15:04:05" // the documented dateCreated, read as UTC
	maxUnixSeconds = 253402300799          // the end of year 9999: more is not a date
)

var unixSecondsRe = regexp.MustCompile(`^([0-9]{1,12})(?:\.([0-9]{1,9}))?$`)

// parseDate reads, into UTC, "2025-08-14 19:12:13" (UTC; a fraction or a
// "T" allowed), RFC 3339, or Unix seconds ("1755198733", a fraction allowed).
func parseDate(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if m := unixSecondsRe.FindStringSubmatch(v); m != nil {
		secs, _ := strconv.ParseInt(m[1], 10, 64) // 12 digits cannot overflow
		nanos, _ := strconv.ParseInt((m[2] + "000000000")[:9], 10, 64)
		if secs <= maxUnixSeconds {
			return time.Unix(secs, nanos).UTC(), nil
		}
	}
	for _, layout := range []string{apiDateLayout, "2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf(`invalid date %q: expected "YYYY-MM-DD HH:MM:SS" (UTC), RFC 3339 or Unix seconds`,
		shorten(oneLine(v), 40))
}

// decodeDate reads dateCreated: null, absent or "" is no date.
func decodeDate(raw json.RawMessage) (*time.Time, error) {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" {
		return nil, nil
	}
	if v[0] == '"' {
		_ = json.Unmarshal(raw, &v) // valid: it came whole from a decoded sharing
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
	} else if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return nil, fmt.Errorf("expected a string or a number, got %s", shorten(oneLine(v), 40))
	}
	t, err := parseDate(v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// toSharing checks a decoded sharing; the string says what is wrong.
func (w *sharingWire) toSharing(serverTime time.Time) (Sharing, string) {
	if w.ID <= 0 {
		return Sharing{}, `malformed sharing: "id" is missing or not positive`
	}
	date, err := decodeDate(w.DateCreated)
	if err != nil {
		return Sharing{}, fmt.Sprintf("malformed sharing %d: dateCreated: %s", w.ID, err)
	}
	if (w.Status == StatusWaiting || w.Status == StatusWaitingOAuth) && strings.TrimSpace(w.Token) == "" {
		// Its link would end in "token=": a link that cannot work.
		return Sharing{}, fmt.Sprintf("malformed sharing %d: it is waiting, but its token is null or empty", w.ID)
	}
	s := w.Sharing
	s.DateCreated, s.ServerTime = date, serverTime
	return s, ""
}

// decodeSharing decodes the data of a single-sharing answer.
func decodeSharing(data json.RawMessage, serverTime time.Time) (Sharing, string) {
	var w sharingWire
	if err := json.Unmarshal(data, &w); err != nil {
		return Sharing{}, "malformed sharing: " + typeProblem(err)
	}
	return w.toSharing(serverTime)
}

// decodePage decodes a list answer; without meta it is one page, so that
// a listing always ends.
func decodePage(env envelope, requested int, serverTime time.Time) (Page, string) {
	var items []sharingWire
	if err := json.Unmarshal(env.data, &items); err != nil {
		return Page{}, "malformed sharing list: " + typeProblem(err)
	}
	p := Page{Sharings: make([]Sharing, 0, len(items)), Page: requested, TotalPages: requested, TotalItemsCount: len(items)}
	for i := range items {
		s, problem := items[i].toSharing(serverTime)
		if problem != "" {
			return Page{}, fmt.Sprintf("item %d: %s", i, problem)
		}
		p.Sharings = append(p.Sharings, s)
	}
	if !isJSONNull(env.meta) {
		var m struct {
			Page            int `json:"page"`
			TotalPages      int `json:"totalPages"`
			TotalItemsCount int `json:"totalItemsCount"`
		}
		if err := json.Unmarshal(env.meta, &m); err != nil {
			return Page{}, "malformed list meta: " + typeProblem(err)
		}
		if m.TotalPages < 0 || m.TotalItemsCount < 0 {
			return Page{}, "malformed list meta: negative totals"
		}
		p.Page, p.TotalPages, p.TotalItemsCount = cmp.Or(max(m.Page, 0), p.Page), m.TotalPages, m.TotalItemsCount
	}
	return p, ""
}
