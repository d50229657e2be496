package sandbox

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// apiSharing is a sharing in the API's documented shape.
type apiSharing struct {
	ID           int64  `json:"id"`
	PartnerID    int64  `json:"partnerId"`
	Token        string `json:"token"`
	Status       int    `json:"status"`
	CredentialID *int64 `json:"credentialId"`
	Title        string `json:"title"`
	DateCreated  any    `json:"dateCreated"` // a string or a number, as Settings.DateFormat says
}

// toAPI shows sh as the API does; dateCreated is null when withDate is false.
func toAPI(sh Sharing, withDate bool, dates DateFormat) apiSharing {
	out := apiSharing{
		ID: sh.ID, PartnerID: sh.PartnerID, Token: sh.Token, Status: sh.Status,
		CredentialID: sh.CredentialID, Title: sh.Title,
	}
	if withDate {
		out.DateCreated = dates.format(sh.DateCreated)
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
	item, ok := s.route(w, r)
	if !ok {
		return
	}
	// Any page can know the default token; one that rebinds its DNS name
	// to this machine still sends its own name as the Host.
	if why := s.foreignRequest(r); why != "" && s.publicToken {
		writeFailure(w, http.StatusForbidden, "with the default token the API answers only its local user (name the host with -allow-host, or set a token of your own with -token): "+why)
		return
	}
	set := s.Settings()
	if !s.authorized(r.Header.Get("Authorization"), set.AuthScheme) {
		w.Header()["Www-Authenticate"] = challenges(set.AuthScheme)
		writeFailure(w, http.StatusUnauthorized, "unauthorized: missing or invalid API token")
		return
	}
	if item == "" {
		if r.Method == http.MethodPost {
			s.apiCreate(w, r)
		} else {
			s.apiList(w, r, set)
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
		s.apiGet(w, id, set.DateFormat)
	case http.MethodPut:
		edit := reissue
		if set.RegenerateMovesDate {
			edit = func(st *store, sh *Sharing) { reissue(st, sh); sh.DateCreated = sh.TokenIssuedAt }
		}
		s.apiUpdate(w, id, set.DateFormat, edit, true)
	case http.MethodDelete:
		s.apiUpdate(w, id, set.DateFormat, deleteByAPI, false)
	}
}

// route finds the API route of r: "" for the collection, or the item's
// path segment. It answers 404 or 405 itself, whatever the token.
func (s *Server) route(w http.ResponseWriter, r *http.Request) (item string, ok bool) {
	path := r.URL.Path
	allow := "GET, POST"
	switch {
	case path == apiBase:
	case strings.HasPrefix(path, apiBase+"/") && !strings.Contains(path[len(apiBase)+1:], "/") && len(path) > len(apiBase)+1:
		allow = "GET, PUT, DELETE"
		item = path[len(apiBase)+1:]
	default:
		writeFailure(w, http.StatusNotFound, "not found: "+clip(path, 100))
		return "", false
	}
	if !slices.Contains(strings.Split(allow, ", "), r.Method) {
		w.Header().Set("Allow", allow)
		writeFailure(w, http.StatusMethodNotAllowed, "method "+clip(r.Method, 20)+" not allowed; allowed: "+allow)
		return "", false
	}
	return item, true
}

// authorized checks the Authorization header against the token, in constant
// time, under the accepted scheme.
func (s *Server) authorized(header string, accepted AuthScheme) bool {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok {
		return false
	}
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return accepted.accepts(AuthBearer) && matches(cred, s.tokenSum)
	case !strings.EqualFold(scheme, "Basic"):
		return false
	case accepted.accepts(AuthBasicRaw) && matches(cred, s.tokenSum):
		return true
	}
	userPass, err := base64.StdEncoding.DecodeString(cred)
	return err == nil && accepted.accepts(AuthBasic) && matches(string(userPass), s.basicSum)
}

func matches(cred string, sum [32]byte) bool {
	got := sha256.Sum256([]byte(cred))
	return subtle.ConstantTimeCompare(got[:], sum[:]) == 1
}

// challenges are the WWW-Authenticate values of a 401 under the accepted scheme.
func challenges(accepted AuthScheme) []string {
	var out []string
	if accepted.accepts(AuthBearer) {
		out = append(out, `Bearer realm="albato-sandbox"`)
	}
	if accepted.accepts(AuthBasic) || accepted.accepts(AuthBasicRaw) {
		out = append(out, `Basic realm="albato-sandbox"`)
	}
	return out
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
	sh, err := s.store.create(p.ID, title)
	if err != nil {
		writeFailure(w, http.StatusInternalServerError, "could not save the sharing")
		return
	}
	writeData(w, toAPI(sh, false, "")) // the documented POST answer carries dateCreated: null
}

// visible tells whether the API shows sh.
func (s *Server) visible(sh Sharing) bool { return !(s.notFoundDel && sh.Deleted) }

func notFound(w http.ResponseWriter, id int64) {
	writeFailure(w, http.StatusNotFound, fmt.Sprintf("sharing %d not found", id))
}

func (s *Server) apiGet(w http.ResponseWriter, id int64, dates DateFormat) {
	sh, ok := s.store.get(id)
	if !ok || !s.visible(sh) {
		notFound(w, id)
		return
	}
	writeData(w, toAPI(sh, true, dates))
}

// apiUpdate regenerates (PUT) or deletes (DELETE) a sharing the API shows;
// refuseRevoked answers 409 for a revoked sharing, as PUT does.
func (s *Server) apiUpdate(w http.ResponseWriter, id int64, dates DateFormat, edit change, refuseRevoked bool) {
	sh, err := s.store.update(id, func(sh Sharing) error {
		switch {
		case !s.visible(sh):
			return ErrNotFound
		case refuseRevoked && sh.Status == StatusRevoked:
			return ErrRevoked
		}
		return nil
	}, edit)
	switch {
	case errors.Is(err, ErrNotFound):
		notFound(w, id)
	case errors.Is(err, ErrRevoked):
		writeFailure(w, http.StatusConflict, "sharing is revoked")
	case err != nil:
		writeFailure(w, http.StatusInternalServerError, "could not save the sharing")
	default:
		writeData(w, toAPI(sh, true, dates))
	}
}

// apiList answers one page of the list, paged as Settings say.
func (s *Server) apiList(w http.ResponseWriter, r *http.Request, set Settings) {
	page := 1
	q := r.URL.Query()
	if vs, ok := q["page"]; ok && !set.IgnorePage {
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil || n < 1 {
			writeFailure(w, http.StatusBadRequest, "page must be a positive integer, got "+strconv.Quote(clip(vs[0], 40)))
			return
		}
		page = n
	}
	size := set.perPage(strings.TrimSpace(q.Get("per-page")))
	var shown int
	items, total := s.store.list(s.notFoundDel, func(total int) (from, to int) {
		shown, from, to = set.page(page, size, total)
		return from, to
	})
	data := make([]apiSharing, 0, len(items))
	for _, sh := range items {
		data = append(data, toAPI(sh, true, set.DateFormat))
	}
	writeJSON(w, http.StatusOK, successBody{
		Success: true,
		Data:    data,
		Meta:    &listMeta{Page: shown, TotalPages: (total + size - 1) / size, TotalItemsCount: total},
	})
}
