package sandbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the API token the sandbox accepts when Options.Token is empty.
const DefaultToken = "sandbox-token"

// DefaultPageSize is the list page size used when Options.PageSize is zero.
const DefaultPageSize = 20

// TokenLifetime is how long a sharing token can be used on the connect page
// after it was issued by a create (POST) or a regenerate (PUT) call.
const TokenLifetime = 48 * time.Hour

// Clock tells the current time. internal/clocktest.Fake satisfies
// it, which lets tests move the sandbox's notion of "now".
type Clock interface {
	Now() time.Time
}

// wallClock is the default Clock.
type wallClock struct{}

// Now returns the current wall-clock time.
func (wallClock) Now() time.Time { return time.Now() }

// Options configures a Server. The zero value is a usable in-memory sandbox.
type Options struct {
	// Token is the API token accepted in the Authorization header;
	// DefaultToken when empty.
	Token string
	// AuthScheme is the Authorization scheme accepted (see Settings).
	AuthScheme AuthScheme
	// LinkID is the id the connect page expects in a link (see Settings).
	LinkID LinkID
	// PageSize is the list's page size when the request has no valid
	// per-page; DefaultPageSize when zero.
	PageSize int
	// MaxPerPage is the largest per-page honoured (see Settings).
	MaxPerPage int
	// EmptyPageWhenOutOfRange answers a page past the last with no data
	// instead of the last page (see Settings).
	EmptyPageWhenOutOfRange bool
	// IgnorePage makes the list always answer page 1 (see Settings).
	IgnorePage bool
	// DateFormat is how the API writes dateCreated (see Settings).
	DateFormat DateFormat
	// Clock is the source of time; the wall clock when nil. The sandbox adds its
	// own offset (see Server.Advance) to what the clock says.
	Clock Clock
	// EnableControl mounts the /_sandbox/ control endpoints. When false those
	// paths answer 404 like any other unknown path.
	EnableControl bool
	// AllowedHosts are host names (no port), besides localhost and the
	// loopback addresses, that the control endpoints answer to, in the Host
	// header and in a browser's Origin; so does the API while the token is
	// DefaultToken. Name here the host a container reaches the sandbox by,
	// e.g. "host.docker.internal".
	AllowedHosts []string
	// DataFile keeps the state in a JSON file: "" keeps it in memory only;
	// otherwise the file is loaded at start (if it exists) and rewritten
	// atomically, with mode 0600, after every mutation.
	DataFile string
	// NotFoundAfterDelete makes GET, PUT and DELETE of a sharing deleted through
	// the API answer 404 (and the list leave it out) instead of showing the
	// record with status 3. The documents allow either behaviour.
	NotFoundAfterDelete bool
	// Latency is a fixed delay before every API request is answered, on top of
	// any Fault; the wait ends early when the request is cancelled.
	Latency time.Duration
	// Logf, when set, receives one line per request and any internal error.
	// Tokens are never logged.
	Logf func(format string, args ...any)
}

// settings returns the readings that the options set.
func (o Options) settings() Settings {
	return Settings{
		AuthScheme: o.AuthScheme, LinkID: o.LinkID, PageSize: o.PageSize, MaxPerPage: o.MaxPerPage,
		EmptyPageWhenOutOfRange: o.EmptyPageWhenOutOfRange, IgnorePage: o.IgnorePage, DateFormat: o.DateFormat,
	}
}

// Server is the sandbox: an http.Handler serving the sharing API, the connect
// page and (optionally) the control endpoints. It is safe for concurrent use.
type Server struct {
	tokenSum    [32]byte // of the token, for Bearer and raw Basic
	basicSum    [32]byte // of "<token>:", for standard Basic
	control     bool
	extraHosts  map[string]bool // Options.AllowedHosts, lowercased
	publicToken bool            // the token is DefaultToken, which any page can know
	notFoundDel bool
	latency     time.Duration
	logf        func(format string, args ...any)

	store      *store
	settingsMu sync.Mutex // serializes changes: read, edit, store
	settings   atomic.Pointer[Settings]

	faultMu sync.Mutex
	faults  []*faultState

	logMu sync.Mutex
	reqs  []*reqEntry
}

// New returns a Server configured by opts. It fails when an option is invalid
// or when the data file exists but cannot be read or parsed, or cannot be
// created.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if strings.IndexFunc(opts.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return nil, errors.New("sandbox: the token must not contain spaces or control characters")
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("sandbox: latency must not be negative, got %s", opts.Latency)
	}
	extra, err := normalizeHosts(opts.AllowedHosts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		tokenSum:    sha256.Sum256([]byte(opts.Token)),
		basicSum:    sha256.Sum256([]byte(opts.Token + ":")),
		control:     opts.EnableControl,
		extraHosts:  extra,
		publicToken: opts.Token == DefaultToken,
		notFoundDel: opts.NotFoundAfterDelete,
		latency:     opts.Latency,
		logf:        opts.Logf,
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if err := s.SetSettings(opts.settings()); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	st, err := newStore(opts.Clock, opts.DataFile, s.logf)
	if err != nil {
		return nil, err
	}
	s.store = st
	return s, nil
}

// Now returns the sandbox's current time: the clock's time plus the offset
// accumulated by Advance.
func (s *Server) Now() time.Time { return s.store.now() }

// MaxClockOffset bounds how far the sandbox's clock can be moved from the
// underlying Clock, either way: 100 years, far past any link's 48 hours and
// far short of the 292 years where a time.Duration overflows.
const MaxClockOffset = 100 * 8766 * time.Hour

// MoveClock moves the sandbox's clock by d (backwards if d is negative), on
// top of whatever the underlying Clock does. With a data file, the offset is
// saved. It fails, changing nothing, when the offset would pass
// MaxClockOffset or the clock would leave the years 1 to 9999, or when the
// offset cannot be saved.
func (s *Server) MoveClock(d time.Duration) error { return s.store.advance(d) }

// Advance is MoveClock for tests whose moves are in bounds: a move that
// MoveClock refuses changes nothing and is only logged.
func (s *Server) Advance(d time.Duration) {
	if err := s.MoveClock(d); err != nil {
		s.logf("sandbox: advance: %v", err)
	}
}

// ServeHTTP serves the sharing API, the connect page under /connect, and the
// control endpoints under /_sandbox/ when they are enabled.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rw := &respWriter{ResponseWriter: w, s: s}
	rw.Header().Set("Date", s.httpDate())

	var entry *reqEntry
	kind := s.classify(r.URL.Path)
	if kind == routeAPI {
		entry = s.logRequest(r)
		rw.entry = entry
	}
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.logf("sandbox: panic serving %s %s: %v", r.Method, r.URL.Path, v)
			if !rw.wroteHeader && !rw.hijacked {
				if kind == routeConnect {
					s.errorPage(rw, http.StatusInternalServerError, "Something went wrong", "The sandbox failed to draw this page.")
				} else {
					writeFailure(rw, http.StatusInternalServerError, "internal sandbox error")
				}
			}
		}
		s.logf("%s %s %d %s", r.Method, r.URL.Path, rw.status, time.Since(start).Round(time.Microsecond))
	}()

	switch kind {
	case routeConnect:
		s.serveConnect(rw, r)
	case routeControl:
		s.serveControl(rw, r)
	default:
		s.serveAPIWithFaults(rw, r)
	}
}

type routeKind int

const (
	routeAPI routeKind = iota
	routeConnect
	routeControl
)

// classify tells which part of the sandbox serves path.
func (s *Server) classify(path string) routeKind {
	switch {
	case path == "/connect" || strings.HasPrefix(path, "/connect/"):
		return routeConnect
	case s.control && (path == "/_sandbox" || strings.HasPrefix(path, "/_sandbox/")):
		return routeControl
	default:
		return routeAPI
	}
}

// httpDate formats the sandbox's now for the Date header.
func (s *Server) httpDate() string {
	return s.Now().UTC().Format(http.TimeFormat)
}

// respWriter records the status, stamps the Date header from the sandbox clock
// at the moment the answer is sent, and keeps the request log up to date.
type respWriter struct {
	http.ResponseWriter
	s           *Server
	entry       *reqEntry
	status      int
	wroteHeader bool
	hijacked    bool
}

// WriteHeader stamps the Date header and records the status.
func (w *respWriter) WriteHeader(code int) {
	if w.wroteHeader || w.hijacked {
		return
	}
	w.wroteHeader = true
	w.status = code
	w.Header().Set("Date", w.s.httpDate())
	if w.entry != nil {
		w.s.setStatus(w.entry, code)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write sends the header first when needed.
func (w *respWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *respWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Request is one entry of the API request log.
type Request struct {
	// Method is the HTTP method, e.g. "GET".
	Method string
	// Path is the URL path without the query, e.g.
	// /credentials/grant-access-sharing/61.
	Path string
	// Query is the raw query string, without the "?".
	Query string
	// Status is the HTTP status answered, or 0 when no answer was sent (the
	// connection was dropped by a Fault or the client went away first).
	Status int
}

type reqEntry struct {
	req Request
}

func (s *Server) logRequest(r *http.Request) *reqEntry {
	e := &reqEntry{req: Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}}
	s.logMu.Lock()
	s.reqs = append(s.reqs, e)
	s.logMu.Unlock()
	return e
}

func (s *Server) setStatus(e *reqEntry, code int) {
	s.logMu.Lock()
	e.req.Status = code
	s.logMu.Unlock()
}

// Requests returns the log of API requests (not connect page, not control
// requests), in arrival order.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, e := range s.reqs {
		out[i] = e.req
	}
	return out
}

// Count returns the number of logged API requests with the given method
// (compared case-insensitively); "" counts them all.
func (s *Server) Count(method string) int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if method == "" {
		return len(s.reqs)
	}
	n := 0
	for _, e := range s.reqs {
		if strings.EqualFold(e.req.Method, method) {
			n++
		}
	}
	return n
}

// ResetRequests empties the API request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	s.reqs = nil
	s.logMu.Unlock()
}
