package sandbox

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	apiBase     = "/credentials/grant-access-sharing"
	maxBodySize = 1 << 20
	maxTitleLen = 255
)

// apiSharing is a sharing as the API shows it.
type apiSharing struct {
	ID           int64   `json:"id"`
	PartnerID    int64   `json:"partnerId"`
	Token        string  `json:"token"`
	Status       int     `json:"status"`
	CredentialID *int64  `json:"credentialId"`
	Title        string  `json:"title"`
	DateCreated  *string `json:"dateCreated"`
}

func toAPI(r *record, withDate bool) apiSharing {
	c := r.clone()
	out := apiSharing{
		ID: c.ID, PartnerID: c.PartnerID, Token: c.Token, Status: c.Status,
		CredentialID: c.CredentialID, Title: c.Title,
	}
	if withDate {
		d := c.DateCreated.UTC().Format(dateCreatedLayout)
		out.DateCreated = &d
	}
	return out
}

type listMeta struct {
	Page            int `json:"page"`
	TotalPages      int `json:"totalPages"`
	TotalItemsCount int `json:"totalItemsCount"`
}

type successBody struct {
	Success bool      `json:"success"`
	Data    any       `json:"data"`
	Meta    *listMeta `json:"meta,omitempty"`
}

type failureBody struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"success":false,"message":"internal sandbox error"}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeFailure(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, failureBody{Success: false, Message: msg})
}

func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, successBody{Success: true, Data: data})
}

// serveAPI routes an API request, checks the method and the token, and runs
// the handler.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	var allow string
	var item string
	switch {
	case path == apiBase:
		allow = "GET, POST"
	case strings.HasPrefix(path, apiBase+"/") && !strings.Contains(path[len(apiBase)+1:], "/") && len(path) > len(apiBase)+1:
		allow = "GET, PUT, DELETE"
		item = path[len(apiBase)+1:]
	default:
		writeFailure(w, http.StatusNotFound, "not found: "+clip(path, 100))
		return
	}
	if !slices.Contains(strings.Split(allow, ", "), r.Method) {
		w.Header().Set("Allow", allow)
		writeFailure(w, http.StatusMethodNotAllowed, "method "+clip(r.Method, 20)+" not allowed; allowed: "+allow)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="albato-sandbox"`)
		writeFailure(w, http.StatusUnauthorized, "unauthorized: missing or invalid API token")
		return
	}
	if item == "" {
		if r.Method == http.MethodPost {
			s.apiCreate(w, r)
		} else {
			s.apiList(w, r)
		}
		return
	}
	id, ok := parseID(item)
	if !ok {
		writeFailure(w, http.StatusBadRequest, "invalid sharing id: "+strconv.Quote(clip(item, 40)))
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.apiGet(w, id)
	case http.MethodPut:
		s.apiRegenerate(w, id)
	case http.MethodDelete:
		s.apiDelete(w, id)
	}
}

// authorized checks "Authorization: Basic|Bearer <token>" in constant time.
func (s *Server) authorized(r *http.Request) bool {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !(strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Bearer")) {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

// parseID accepts a positive decimal id.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// clip shortens s for echoing in a message, keeping valid UTF-8.
func clip(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

type createRequest struct {
	PartnerID *int64  `json:"partnerId"`
	Title     *string `json:"title"`
}

func (s *Server) apiCreate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeFailure(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large (limit %d bytes)", maxBodySize))
			return
		}
		writeFailure(w, http.StatusBadRequest, "could not read the request body")
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeFailure(w, http.StatusBadRequest, "request body is required: {\"partnerId\": <id>, \"title\": \"...\"}")
		return
	}
	var in createRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		writeFailure(w, http.StatusBadRequest, "malformed JSON body: "+clip(err.Error(), 200))
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		writeFailure(w, http.StatusBadRequest, "malformed JSON body: unexpected data after the JSON object")
		return
	}
	if in.PartnerID == nil {
		writeFailure(w, http.StatusBadRequest, "partnerId is required")
		return
	}
	p, ok := findPartner(*in.PartnerID)
	if !ok {
		writeFailure(w, http.StatusBadRequest, fmt.Sprintf("partner %d not found", *in.PartnerID))
		return
	}
	if in.Title == nil {
		writeFailure(w, http.StatusBadRequest, "title is required")
		return
	}
	title := *in.Title
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		writeFailure(w, http.StatusBadRequest, "title must not be empty")
		return
	case n > maxTitleLen:
		writeFailure(w, http.StatusBadRequest, fmt.Sprintf("title must be at most %d characters, got %d", maxTitleLen, n))
		return
	}
	s.mu.Lock()
	rec, err := s.create(p.ID, title)
	var out apiSharing
	if err == nil {
		out = toAPI(rec, false) // the documented POST answer carries dateCreated: null
	}
	s.mu.Unlock()
	if err != nil {
		writeFailure(w, http.StatusInternalServerError, "could not save the sharing")
		return
	}
	writeData(w, out)
}

// lookup returns the record the API may show. The caller holds s.mu.
func (s *Server) lookup(id int64) (*record, bool) {
	rec, ok := s.recs[id]
	if !ok || s.hidden(rec) {
		return nil, false
	}
	return rec, true
}

func notFound(w http.ResponseWriter, id int64) {
	writeFailure(w, http.StatusNotFound, fmt.Sprintf("sharing %d not found", id))
}

func (s *Server) apiGet(w http.ResponseWriter, id int64) {
	s.mu.Lock()
	rec, ok := s.lookup(id)
	var out apiSharing
	if ok {
		out = toAPI(rec, true)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, id)
		return
	}
	writeData(w, out)
}

func (s *Server) apiRegenerate(w http.ResponseWriter, id int64) {
	s.mu.Lock()
	rec, ok := s.lookup(id)
	var (
		out     apiSharing
		revoked bool
		err     error
	)
	if ok {
		if rec.Status == StatusRevoked {
			revoked = true
		} else if err = s.regenerate(rec); err == nil {
			out = toAPI(rec, true)
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		notFound(w, id)
	case revoked:
		writeFailure(w, http.StatusConflict, "sharing is revoked")
	case err != nil:
		writeFailure(w, http.StatusInternalServerError, "could not save the sharing")
	default:
		writeData(w, out)
	}
}

func (s *Server) apiDelete(w http.ResponseWriter, id int64) {
	s.mu.Lock()
	rec, ok := s.lookup(id)
	var (
		out apiSharing
		err error
	)
	if ok {
		if rec.Status != StatusRevoked || !rec.Deleted {
			err = s.setRecStatus(rec, StatusRevoked, true)
		}
		if err == nil {
			out = toAPI(rec, true)
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		notFound(w, id)
	case err != nil:
		writeFailure(w, http.StatusInternalServerError, "could not save the sharing")
	default:
		writeData(w, out)
	}
}

func (s *Server) apiList(w http.ResponseWriter, r *http.Request) {
	page := 1
	q := r.URL.Query()
	if vs, ok := q["page"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil || n < 1 {
			writeFailure(w, http.StatusBadRequest, "page must be a positive integer, got "+strconv.Quote(clip(vs[0], 40)))
			return
		}
		page = n
	}
	s.mu.Lock()
	all := s.sortedLocked()
	if s.notFoundDel { // deleted records are not listed then
		all = slices.DeleteFunc(slices.Clone(all), s.hidden)
	}
	total := len(all)
	totalPages := (total + s.pageSize - 1) / s.pageSize
	data := []apiSharing{}
	if page <= totalPages && page <= math.MaxInt/s.pageSize {
		start := (page - 1) * s.pageSize
		end := min(start+s.pageSize, total)
		for _, rec := range all[start:end] {
			data = append(data, toAPI(rec, true))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, successBody{
		Success: true,
		Data:    data,
		Meta:    &listMeta{Page: page, TotalPages: totalPages, TotalItemsCount: total},
	})
}
