package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching API requests misbehave: wait, answer with an error
// status or a broken body, or drop the connection. Faults apply to API
// requests only (not to the connect page or the control endpoints). They are
// matched in the order they were added; the first one that matches a request
// applies to it, and only that one.
type Fault struct {
	// Method restricts the fault to one HTTP method; "" matches any.
	Method string
	// PathPrefix restricts the fault to paths with this prefix; "" matches any
	// API path.
	PathPrefix string
	// Status is the HTTP status to answer with (e.g. 429, 500, 503); 0 means no
	// status fault: the real answer is sent after Latency, unless Body or
	// EmptyBody is set, in which case that body is sent with status 200.
	Status int
	// RetryAfter is the value of the Retry-After header ("2" or an HTTP date)
	// sent with the fault's answer, if non-empty.
	RetryAfter string
	// Body is the raw body sent instead of the default
	// {"success":false,"message":...}; it lets tests send HTML, truncated JSON
	// or a success:false body with status 200.
	Body string
	// EmptyBody sends no body at all with the fault's answer.
	EmptyBody bool
	// ContentType of the fault's answer; when empty, "text/html; charset=utf-8"
	// for a Body that starts with "<", else "application/json".
	ContentType string
	// Latency is a delay before answering; it ends early when the request's
	// context is cancelled, and then nothing is answered or changed.
	Latency time.Duration
	// AfterHandling handles the request for real (changing state), then
	// answers with Status and Body instead of the real answer (or drops the
	// connection if Drop is set).
	AfterHandling bool
	// Drop closes the connection without answering: before handling, or after
	// it if AfterHandling is set. It needs a connection that can be hijacked
	// (HTTP/1.x); otherwise the handler aborts with http.ErrAbortHandler.
	Drop bool
	// Times is how many requests the fault applies to; 0 means unlimited.
	Times int
}

type faultState struct {
	f         Fault
	remaining int // meaningful when f.Times > 0
}

// AddFault installs a fault after those already installed.
func (s *Server) AddFault(f Fault) {
	s.faultMu.Lock()
	s.faults = append(s.faults, &faultState{f: f, remaining: f.Times})
	s.faultMu.Unlock()
}

// ClearFaults removes every installed fault.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.faultMu.Unlock()
}

// Faults returns the installed faults, with Times set to the number of
// requests each still applies to (0 for unlimited).
func (s *Server) Faults() []Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, fs := range s.faults {
		out[i] = fs.f
		out[i].Times = fs.remaining
	}
	return out
}

// takeFault finds the first fault matching r and uses up one of its times.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, fs := range s.faults {
		f := fs.f
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Times > 0 {
			fs.remaining--
			if fs.remaining <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}

// sleep waits d unless ctx ends first; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// serveAPIWithFaults applies the fixed latency and any matching fault around
// the real API handler.
func (s *Server) serveAPIWithFaults(w *respWriter, r *http.Request) {
	f, faulted := s.takeFault(r)
	if d := s.latency + f.Latency; d > 0 {
		// net/http notices a client going away only once the request body has
		// been read to its end, so read it (within the API's limit) first.
		buffered, _ := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buffered), r.Body), r.Body}
	}
	if !sleep(r.Context(), s.latency+f.Latency) {
		return // the client went away: nothing is answered or changed
	}
	if !faulted {
		s.serveAPI(w, r)
		return
	}
	answers := f.Status != 0 || f.Body != "" || f.EmptyBody
	if f.AfterHandling {
		buf := newBufferedWriter()
		s.serveAPI(buf, r)
		switch {
		case f.Drop:
			s.drop(w)
		case answers:
			s.faultAnswer(w, f)
		default:
			buf.copyTo(w)
		}
		return
	}
	switch {
	case f.Drop:
		s.drop(w)
	case answers:
		s.faultAnswer(w, f)
	default:
		s.serveAPI(w, r)
	}
}

// faultAnswer writes the fault's status, headers and body.
func (s *Server) faultAnswer(w http.ResponseWriter, f Fault) {
	status := f.Status
	switch {
	case status == 0:
		status = http.StatusOK
	case status < 200 || status > 599:
		status = http.StatusInternalServerError
	}
	body := f.Body
	if body == "" && !f.EmptyBody {
		body = fmt.Sprintf(`{"success":false,"message":"sandbox fault: HTTP %d %s"}`+"\n", status, http.StatusText(status))
	}
	if f.EmptyBody || status == http.StatusNoContent || status == http.StatusNotModified {
		body = ""
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
		if strings.HasPrefix(strings.TrimSpace(body), "<") {
			ct = "text/html; charset=utf-8"
		}
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	w.WriteHeader(status)
	if body != "" {
		w.Write([]byte(body))
	}
}

// drop closes the client's connection without an answer.
func (s *Server) drop(w *respWriter) {
	conn, _, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http resets the stream or closes the connection
	}
	w.hijacked = true
	conn.Close()
}

// bufferedWriter collects a response so that it can be replaced or replayed.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedWriter() *bufferedWriter { return &bufferedWriter{header: http.Header{}} }

// Header returns the buffered header.
func (b *bufferedWriter) Header() http.Header { return b.header }

// WriteHeader records the status.
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// Write buffers the body.
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}
