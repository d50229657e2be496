package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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
//
// BodyBytes, TruncateAt and SlowBody shape the body of the answer: the
// fault's own answer when it sets Status, Body or EmptyBody, otherwise the
// real answer, for which the request is handled (and state changed) first,
// as with AfterHandling.
type Fault struct {
	// Method restricts the fault to one HTTP method; "" matches any.
	Method string `json:"method,omitempty"`
	// PathPrefix restricts the fault to paths with this prefix; "" matches any
	// API path.
	PathPrefix string `json:"pathPrefix,omitempty"`
	// Status is the HTTP status to answer with (e.g. 429, 500, 503); 0 means no
	// status fault: the real answer is sent after Latency, unless Body or
	// EmptyBody is set, in which case that body is sent with status 200.
	Status int `json:"status,omitempty"`
	// RetryAfter is the value of the Retry-After header ("2" or an HTTP date)
	// sent with the fault's answer, if non-empty.
	RetryAfter string `json:"retryAfter,omitempty"`
	// Body is the raw body sent instead of the default
	// {"success":false,"message":...}; it lets tests send HTML, truncated JSON
	// or a success:false body with status 200. Its Content-Type is
	// text/html for a body that starts with "<", else application/json.
	Body string `json:"body,omitempty"`
	// EmptyBody sends no body at all with the fault's answer.
	EmptyBody bool `json:"emptyBody,omitempty"`
	// Latency is a delay before answering; it ends early when the request's
	// context is cancelled, and then nothing is answered or changed.
	Latency time.Duration `json:"-"`
	// AfterHandling handles the request for real (changing state), then
	// answers with Status and Body instead of the real answer (or drops the
	// connection if Drop is set).
	AfterHandling bool `json:"afterHandling,omitempty"`
	// Drop closes the connection without answering: before handling, or after
	// it if AfterHandling is set. It needs a connection that can be hijacked
	// (HTTP/1.x); otherwise the handler aborts with http.ErrAbortHandler.
	Drop bool `json:"drop,omitempty"`
	// Times is how many requests the fault applies to; 0 means unlimited.
	Times int `json:"times,omitempty"`
	// ListMeta, when set, handles the request for real and answers with the
	// list meta's totals replaced by these (such as 0 pages and 0 sharings
	// over a page that holds links): a meta that contradicts its data.
	ListMeta *ListMeta `json:"listMeta,omitempty"`

	// NormalizeTitle makes the API store and answer the title of a create
	// normalised: trimmed, each run of white space inside it one space, as
	// an API that tidies titles would. The request is handled for real.
	NormalizeTitle bool `json:"normalizeTitle,omitempty"`

	// BodyContains restricts the fault to requests whose body contains this
	// text, such as the title of one create among many. The body is read
	// (within the API's 1 MiB limit) and handed on unchanged.
	BodyContains string `json:"-"`
	// Probability, when strictly between 0 and 1, applies the fault to each
	// matching request with that probability only. A request it passes over
	// is not matched by it (a later fault may apply) and does not count
	// towards Times. 0, or 1 and more, applies it to every matching request.
	Probability float64 `json:"-"`
	// Seed seeds the fault's own random source for Probability, so that a
	// run draws the same sequence (which request gets which draw still
	// depends on the order in which concurrent requests arrive).
	Seed uint64 `json:"-"`

	// BodyBytes, when larger than the body, pads it with spaces (JSON white
	// space) to this many bytes, with a matching Content-Length. The padding
	// is streamed, never held in memory: a body of many megabytes.
	BodyBytes int64 `json:"-"`
	// TruncateAt, when positive and smaller than the body, sends only the
	// body's first TruncateAt bytes, still with the Content-Length of the
	// whole body, and then closes the connection: the client reads an
	// unexpected end of the body.
	TruncateAt int64 `json:"-"`
	// SlowBody sends the status, the headers and the first half of the body
	// at once, then waits SlowBody (or until the client goes away) before
	// sending the rest: a body slower than the client's timeout.
	SlowBody time.Duration `json:"-"`

	// AnswerID and NullToken rewrite the real answer (the request is handled
	// first) of an API that answers oddly: every sharing in it shows the id
	// AnswerID, when not 0, and "token": null, when NullToken is set.
	AnswerID  int64 `json:"answerId,omitempty"`
	NullToken bool  `json:"nullToken,omitempty"`
}

// ListMeta is the totals a ListMeta fault puts in a list answer's meta.
type ListMeta struct {
	TotalPages      int `json:"totalPages"`
	TotalItemsCount int `json:"totalItemsCount"`
}

// maxControlLatency bounds the latency a fault may ask for over HTTP.
const maxControlLatency = 10 * time.Minute

// faultJSON is how the control endpoints write a Fault: the fields with a
// JSON name, and Latency as a Go duration string. The other fields are set
// from Go only.
type faultJSON struct {
	Latency string `json:"latency,omitempty"`
	*jsonFault
}

type jsonFault Fault // Fault without its JSON methods

// MarshalJSON writes the fault as the control endpoints show it.
func (f Fault) MarshalJSON() ([]byte, error) {
	fj := faultJSON{jsonFault: (*jsonFault)(&f)}
	if f.Latency > 0 {
		fj.Latency = f.Latency.String()
	}
	return json.Marshal(fj)
}

// UnmarshalJSON reads a fault as POST /_sandbox/faults takes it.
func (f *Fault) UnmarshalJSON(data []byte) error {
	fj := faultJSON{jsonFault: (*jsonFault)(f)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fj); err != nil {
		return err
	}
	if fj.Latency == "" {
		return nil
	}
	d, err := time.ParseDuration(fj.Latency)
	if err != nil || d < 0 || d > maxControlLatency {
		return fmt.Errorf("latency must be a Go duration between 0s and %s, got %q", maxControlLatency, clip(fj.Latency, 40))
	}
	f.Latency = d
	return nil
}

// validate checks a fault that came over HTTP.
func (f *Fault) validate() error {
	f.Method = strings.ToUpper(f.Method)
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("status must be 0 or 200..599, got %d", f.Status)
	case f.Times < 0:
		return fmt.Errorf("times must not be negative, got %d", f.Times)
	case f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/"):
		return errors.New(`pathPrefix must start with "/"`)
	case strings.ContainsAny(f.RetryAfter, "\r\n"):
		return errors.New("header values must not contain line breaks")
	}
	return nil
}

type faultState struct {
	f         Fault
	remaining int        // meaningful when f.Times > 0
	rng       *rand.Rand // draws for f.Probability; guarded by Server.faultMu
}

// AddFault installs a fault after those already installed.
func (s *Server) AddFault(f Fault) {
	fs := &faultState{f: f, remaining: f.Times}
	if f.Probability > 0 && f.Probability < 1 {
		fs.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15)) //nolint:gosec // test fault draws need no cryptographic randomness
	}
	s.faultMu.Lock()
	s.faults = append(s.faults, fs)
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

// needsBody reports whether an installed fault matches on the request body.
func (s *Server) needsBody() bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for _, fs := range s.faults {
		if fs.f.BodyContains != "" {
			return true
		}
	}
	return false
}

// takeFault finds the first fault matching r (whose body, when a fault
// needs it, is body) and uses up one of its times.
func (s *Server) takeFault(r *http.Request, body []byte) (Fault, bool) {
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
		if f.BodyContains != "" && !bytes.Contains(body, []byte(f.BodyContains)) {
			continue
		}
		if fs.rng != nil && fs.rng.Float64() >= f.Probability {
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
	body := bufferBody(r, s.needsBody())
	f, faulted := s.takeFault(r, body)
	if d := s.latency + f.Latency; d > 0 {
		// net/http notices a client going away only once the request body has
		// been read to its end, so read it (within the API's limit) first.
		bufferBody(r, body == nil)
		if !sleep(r.Context(), d) {
			return // the client went away: nothing is answered or changed
		}
	}
	if faulted && f.NormalizeTitle {
		normalizeTitle(r)
	}
	if faulted && f.ListMeta != nil {
		s.serveWithListMeta(w, r, *f.ListMeta)
		return
	}
	answers := f.Status != 0 || f.Body != "" || f.EmptyBody
	shapes := f.BodyBytes > 0 || f.TruncateAt > 0 || f.SlowBody > 0 || f.rewrites()
	if faulted && (f.AfterHandling || (shapes && !answers && !f.Drop)) {
		buf := newBufferedWriter()
		s.serveAPI(buf, r)
		if !f.Drop && !answers {
			s.sendShaped(w, r, cmp.Or(buf.status, http.StatusOK), buf.header, f.rewrite(buf.body.Bytes()), f)
			return
		}
	}
	switch {
	case faulted && f.Drop:
		s.drop(w)
	case faulted && answers:
		s.faultAnswer(w, r, f)
	default:
		s.serveAPI(w, r)
	}
}

// serveWithListMeta handles r for real and sends its answer with the meta's
// totals replaced by m; an answer without meta is sent as it is.
func (s *Server) serveWithListMeta(w *respWriter, r *http.Request, m ListMeta) {
	buf := newBufferedWriter()
	s.serveAPI(buf, r)
	body := buf.body.Bytes()
	var answer map[string]json.RawMessage
	if json.Unmarshal(body, &answer) == nil && answer["meta"] != nil {
		var meta map[string]any
		if json.Unmarshal(answer["meta"], &meta) == nil {
			meta["totalPages"], meta["totalItemsCount"] = m.TotalPages, m.TotalItemsCount
			answer["meta"], _ = json.Marshal(meta) // numbers and strings: cannot fail
			body, _ = json.Marshal(answer)
		}
	}
	s.sendShaped(w, r, cmp.Or(buf.status, http.StatusOK), buf.header, body, Fault{})
}

// normalizeTitle rewrites the title in r's JSON body as NormalizeTitle
// says; a body without a string title is left as it is.
func normalizeTitle(r *http.Request) {
	body := bufferBody(r, true)
	var in map[string]json.RawMessage
	var title string
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(in["title"], &title) != nil {
		return
	}
	in["title"], _ = json.Marshal(strings.Join(strings.Fields(title), " ")) // a string always marshals
	out, _ := json.Marshal(in)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
}

// bufferBody, when read is set, reads r's body (within the API's limit) and
// puts it back for the handler; it returns what it read, nil otherwise.
func bufferBody(r *http.Request, read bool) []byte {
	if !read {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if body == nil {
		body = []byte{}
	}
	return body
}

// faultAnswer writes the fault's status, headers and body.
func (s *Server) faultAnswer(w *respWriter, r *http.Request, f Fault) {
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
	ct := "application/json"
	if strings.HasPrefix(strings.TrimSpace(body), "<") {
		ct = "text/html; charset=utf-8"
	}
	h := http.Header{}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-store")
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	s.sendShaped(w, r, status, h, []byte(body), f)
}

// spaces is the padding that BodyBytes streams.
var spaces = bytes.Repeat([]byte{' '}, 32<<10)

// sendShaped writes status, header and body, shaped by the fault's
// BodyBytes, TruncateAt and SlowBody.
func (s *Server) sendShaped(w *respWriter, r *http.Request, status int, header http.Header, body []byte, f Fault) {
	for k, v := range header {
		if k != "Date" {
			w.Header()[k] = v
		}
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		body = nil
	}
	total := int64(len(body))
	if f.BodyBytes > total && body != nil {
		total = f.BodyBytes
	}
	w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(status)
	send := total
	if f.TruncateAt > 0 && f.TruncateAt < total {
		send = f.TruncateAt
	}
	first := send
	if f.SlowBody > 0 {
		first = send / 2
	}
	if !writeRange(w, body, 0, first) {
		return
	}
	if f.SlowBody > 0 {
		_ = http.NewResponseController(w).Flush()
		if !sleep(r.Context(), f.SlowBody) {
			return // the client went away
		}
		if !writeRange(w, body, first, send) {
			return
		}
	}
	if send < total {
		_ = http.NewResponseController(w).Flush()
		s.drop(w)
	}
}

// writeRange writes bytes [from, to) of body followed by space padding; it
// reports whether every write succeeded.
func writeRange(w io.Writer, body []byte, from, to int64) bool {
	if n := int64(len(body)); from < n {
		end := min(to, n)
		if _, err := w.Write(body[from:end]); err != nil {
			return false
		}
		from = end
	}
	for from < to {
		chunk := min(to-from, int64(len(spaces)))
		if _, err := w.Write(spaces[:chunk]); err != nil {
			return false
		}
		from += chunk
	}
	return true
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
