package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const controlPrefix = "/_sandbox"

// maxControlLatency bounds the latency a fault may ask for over HTTP.
const maxControlLatency = 10 * time.Minute

// statusNames are the names of the statuses, as the provider spells them.
var statusNames = map[int]string{
	StatusWaiting:      "waiting",
	StatusGranted:      "granted",
	StatusWaitingOAuth: "waiting_oauth",
	StatusRevoked:      "revoked",
}

// controlSharing is a sharing as the control endpoints show it.
type controlSharing struct {
	ID            int64  `json:"id"`
	PartnerID     int64  `json:"partnerId"`
	PartnerName   string `json:"partnerName"`
	Token         string `json:"token"`
	Status        int    `json:"status"`
	StatusName    string `json:"statusName"`
	CredentialID  *int64 `json:"credentialId"`
	Title         string `json:"title"`
	DateCreated   string `json:"dateCreated"`
	TokenIssuedAt string `json:"tokenIssuedAt"`
	ExpiresAt     string `json:"expiresAt"`
	Expired       bool   `json:"expired"`
	Deleted       bool   `json:"deleted"`
	Link          string `json:"link"`
}

func (s *Server) toControl(sh Sharing, now time.Time) controlSharing {
	name := ""
	if p, ok := findPartner(sh.PartnerID); ok {
		name = p.Name
	}
	return controlSharing{
		ID: sh.ID, PartnerID: sh.PartnerID, PartnerName: name, Token: sh.Token,
		Status: sh.Status, StatusName: statusNames[sh.Status], CredentialID: sh.CredentialID,
		Title:         sh.Title,
		DateCreated:   sh.DateCreated.UTC().Format(time.RFC3339),
		TokenIssuedAt: sh.TokenIssuedAt.UTC().Format(time.RFC3339),
		ExpiresAt:     sh.ExpiresAt().UTC().Format(time.RFC3339),
		Expired:       (sh.Status == StatusWaiting || sh.Status == StatusWaitingOAuth) && !now.Before(sh.ExpiresAt()),
		Deleted:       sh.Deleted,
		Link:          linkURL(connectPath, sh.PartnerID, sh.Token),
	}
}

// faultJSON is a Fault as the control endpoints read and show it.
type faultJSON struct {
	Method        string `json:"method,omitempty"`
	PathPrefix    string `json:"pathPrefix,omitempty"`
	Status        int    `json:"status,omitempty"`
	RetryAfter    string `json:"retryAfter,omitempty"`
	Body          string `json:"body,omitempty"`
	EmptyBody     bool   `json:"emptyBody,omitempty"`
	ContentType   string `json:"contentType,omitempty"`
	Latency       string `json:"latency,omitempty"`
	AfterHandling bool   `json:"afterHandling,omitempty"`
	Drop          bool   `json:"drop,omitempty"`
	Times         int    `json:"times,omitempty"`
}

func (fj faultJSON) fault() (Fault, error) {
	f := Fault{
		Method: strings.ToUpper(fj.Method), PathPrefix: fj.PathPrefix, Status: fj.Status,
		RetryAfter: fj.RetryAfter, Body: fj.Body, EmptyBody: fj.EmptyBody, ContentType: fj.ContentType,
		AfterHandling: fj.AfterHandling, Drop: fj.Drop, Times: fj.Times,
	}
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return f, fmt.Errorf("status must be 0 or 200..599, got %d", f.Status)
	case f.Times < 0:
		return f, fmt.Errorf("times must not be negative, got %d", f.Times)
	case f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/"):
		return f, errors.New(`pathPrefix must start with "/"`)
	case strings.ContainsAny(f.RetryAfter+f.ContentType, "\r\n"):
		return f, errors.New("header values must not contain line breaks")
	}
	if fj.Latency != "" {
		d, err := time.ParseDuration(fj.Latency)
		if err != nil || d < 0 || d > maxControlLatency {
			return f, fmt.Errorf("latency must be a Go duration between 0s and %s, got %q", maxControlLatency, clip(fj.Latency, 40))
		}
		f.Latency = d
	}
	return f, nil
}

func toFaultJSON(f Fault) faultJSON {
	fj := faultJSON{
		Method: f.Method, PathPrefix: f.PathPrefix, Status: f.Status, RetryAfter: f.RetryAfter,
		Body: f.Body, EmptyBody: f.EmptyBody, ContentType: f.ContentType,
		AfterHandling: f.AfterHandling, Drop: f.Drop, Times: f.Times,
	}
	if f.Latency > 0 {
		fj.Latency = f.Latency.String()
	}
	return fj
}

// controlEndpoints is the index shown at GET /_sandbox/.
var controlEndpoints = []string{
	"GET    /_sandbox/sharings                 all records, tokens included",
	"GET    /_sandbox/sharings/{id}            one record",
	"DELETE /_sandbox/sharings/{id}            remove the record entirely (the API then answers 404)",
	"POST   /_sandbox/sharings/{id}/grant      complete as the end user: status 1 and a new credentialId",
	"POST   /_sandbox/sharings/{id}/oauth      start the OAuth flow: status 2 (OAuth partners only)",
	"POST   /_sandbox/sharings/{id}/revoke     revoke out of band: status 3",
	"GET    /_sandbox/clock                    the sandbox's now",
	`POST   /_sandbox/clock                    {"advance":"49h"} moves the clock`,
	"GET    /_sandbox/faults                   installed faults",
	`POST   /_sandbox/faults                   add a fault, e.g. {"status":429,"retryAfter":"2","times":3}`,
	"DELETE /_sandbox/faults                   remove all faults",
	"GET    /_sandbox/requests                 API request log and counts by method",
	"DELETE /_sandbox/requests                 empty the request log",
}

func controlFailure(w http.ResponseWriter, status int, msg string) {
	writeFailure(w, status, msg)
}

// controlError answers for an error of the Go control API.
func controlError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		controlFailure(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrRevoked), errors.Is(err, ErrGranted), errors.Is(err, ErrExpired), errors.Is(err, ErrNotOAuth):
		controlFailure(w, http.StatusConflict, err.Error())
	default:
		controlFailure(w, http.StatusInternalServerError, err.Error())
	}
}

// readControlBody decodes a small JSON body strictly into v.
func readControlBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			controlFailure(w, http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			controlFailure(w, http.StatusBadRequest, "could not read the request body")
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlFailure(w, http.StatusBadRequest, "malformed JSON body: "+clip(err.Error(), 200))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		controlFailure(w, http.StatusBadRequest, "malformed JSON body: unexpected data after the JSON value")
		return false
	}
	return true
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	controlFailure(w, http.StatusMethodNotAllowed, "method not allowed; allowed: "+allow)
}

// serveControl serves the /_sandbox/ control endpoints.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	parts := strings.Split(rest, "/")
	switch {
	case rest == "":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"endpoints": controlEndpoints})
	case rest == "sharings":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET")
			return
		}
		now := s.Now()
		out := []controlSharing{}
		for _, sh := range s.Sharings() {
			out = append(out, s.toControl(sh, now))
		}
		writeJSON(w, http.StatusOK, map[string]any{"sharings": out})
	case parts[0] == "sharings" && (len(parts) == 2 || len(parts) == 3):
		id, ok := parseID(parts[1])
		if !ok {
			controlFailure(w, http.StatusBadRequest, "invalid sharing id")
			return
		}
		if len(parts) == 2 {
			s.controlSharingItem(w, r, id)
		} else {
			s.controlSharingAction(w, r, id, parts[2])
		}
	case rest == "clock":
		s.controlClock(w, r)
	case rest == "faults":
		s.controlFaults(w, r)
	case rest == "requests":
		s.controlRequests(w, r)
	default:
		controlFailure(w, http.StatusNotFound, "no control endpoint at "+clip(r.URL.Path, 100))
	}
}

func (s *Server) controlSharingItem(w http.ResponseWriter, r *http.Request, id int64) {
	switch r.Method {
	case http.MethodGet:
		sh, ok := s.Sharing(id)
		if !ok {
			controlError(w, idErr(id, ErrNotFound))
			return
		}
		writeJSON(w, http.StatusOK, s.toControl(sh, s.Now()))
	case http.MethodDelete:
		if err := s.Remove(id); err != nil {
			controlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "removed": true})
	default:
		methodNotAllowed(w, "GET, DELETE")
	}
}

func (s *Server) controlSharingAction(w http.ResponseWriter, r *http.Request, id int64, action string) {
	var act func() (any, error)
	switch action {
	case "grant":
		act = func() (any, error) {
			cred, err := s.Grant(id)
			return map[string]int64{"credentialId": cred}, err
		}
	case "oauth":
		act = func() (any, error) { return nil, s.StartOAuth(id) }
	case "revoke":
		act = func() (any, error) { return nil, s.Revoke(id) }
	default:
		controlFailure(w, http.StatusNotFound, "unknown action "+clip(action, 40)+"; use grant, oauth or revoke")
		return
	}
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	out, err := act()
	if err != nil {
		controlError(w, err)
		return
	}
	if out == nil {
		sh, ok := s.Sharing(id)
		if !ok {
			controlError(w, idErr(id, ErrNotFound))
			return
		}
		out = s.toControl(sh, s.Now())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) controlClock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var in struct {
			Advance string `json:"advance"`
		}
		if !readControlBody(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Advance)
		if err != nil {
			controlFailure(w, http.StatusBadRequest, `advance must be a Go duration such as "49h" or "-1h30m"`)
			return
		}
		if y := s.Now().Add(d).Year(); y < 1 || y > 9999 {
			controlFailure(w, http.StatusBadRequest, "advance would move the clock outside the years 1 to 9999")
			return
		}
		s.Advance(d)
	default:
		methodNotAllowed(w, "GET, POST")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"now":    s.Now().UTC().Format(time.RFC3339),
		"offset": time.Duration(s.offset.Load()).String(),
	})
}

func (s *Server) controlFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var in faultJSON
		if !readControlBody(w, r, &in) {
			return
		}
		f, err := in.fault()
		if err != nil {
			controlFailure(w, http.StatusBadRequest, err.Error())
			return
		}
		s.AddFault(f)
	case http.MethodDelete:
		s.ClearFaults()
	default:
		methodNotAllowed(w, "GET, POST, DELETE")
		return
	}
	out := []faultJSON{}
	for _, f := range s.Faults() {
		out = append(out, toFaultJSON(f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": out})
}

type requestJSON struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
}

func (s *Server) controlRequests(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodDelete:
		s.ResetRequests()
	default:
		methodNotAllowed(w, "GET, DELETE")
		return
	}
	reqs := s.Requests()
	counts := map[string]int{}
	out := make([]requestJSON, 0, len(reqs))
	for _, q := range reqs {
		counts[q.Method]++
		out = append(out, requestJSON(q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": counts, "requests": out})
}
