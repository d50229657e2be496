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

// Grant completes the sharing as the end user would: status 1 and a new
// credentialId, which it returns. It fails when the sharing is unknown,
// revoked, already granted or expired.
func (s *Server) Grant(id int64) (credentialID int64, err error) {
	sh, err := s.store.update(id, s.usable, grant)
	if err != nil {
		return 0, err
	}
	return *sh.CredentialID, nil
}

// StartOAuth moves the sharing to status 2 (waiting for OAuth), as when the
// end user starts the partner's OAuth flow. It fails when the sharing is
// unknown, revoked, granted or expired, or when its partner does not use OAuth.
func (s *Server) StartOAuth(id int64) error {
	_, err := s.store.update(id, func(sh Sharing) error {
		if err := s.usable(sh); err != nil {
			return err
		}
		if p, _ := findPartner(sh.PartnerID); p == nil || p.Kind != kindOAuth {
			return fmt.Errorf("%w: partner %d", ErrNotOAuth, sh.PartnerID)
		}
		return nil
	}, setStatus(StatusWaitingOAuth))
	return err
}

// usable checks that sh's link can still be completed now.
func (s *Server) usable(sh Sharing) error { return sh.usable(s.Now()) }

// Revoke revokes the sharing out of band (status 3), keeping the record
// visible to the API. Revoking a revoked sharing is not an error.
func (s *Server) Revoke(id int64) error {
	_, err := s.store.update(id, nil, setStatus(StatusRevoked))
	return err
}

// Remove deletes the record entirely; the API then answers 404 for it and
// its link is no longer recognised.
func (s *Server) Remove(id int64) error { return s.store.remove(id) }

// Sharing returns a copy of the sharing with the given id, whether or not
// the API would show it.
func (s *Server) Sharing(id int64) (Sharing, bool) { return s.store.get(id) }

// Sharings returns copies of all sharings, by id ascending.
func (s *Server) Sharings() []Sharing { return s.store.all() }

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
	"GET    /_sandbox/settings                 the readings of Albato's documents in force",
	`POST   /_sandbox/settings                 change some, e.g. {"authScheme":"basic","linkId":"sharing_id"}`,
	"GET    /_sandbox/faults                   installed faults",
	`POST   /_sandbox/faults                   add a fault, e.g. {"status":429,"retryAfter":"2","times":3}`,
	"DELETE /_sandbox/faults                   remove all faults",
	"GET    /_sandbox/requests                 API request log and counts by method",
	"DELETE /_sandbox/requests                 empty the request log",
}

// controlError answers for an error of the Go control API.
func controlError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeFailure(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrRevoked), errors.Is(err, ErrGranted), errors.Is(err, ErrExpired), errors.Is(err, ErrNotOAuth):
		writeFailure(w, http.StatusConflict, err.Error())
	default:
		writeFailure(w, http.StatusInternalServerError, err.Error())
	}
}

// readControlBody decodes a small JSON body strictly into v.
func readControlBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readSmallBody(w, r)
	if !ok {
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		writeFailure(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// readSmallBody reads a body of at most maxBodySize, answering on failure.
func readSmallBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeFailure(w, http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			writeFailure(w, http.StatusBadRequest, "could not read the request body")
		}
		return nil, false
	}
	return body, true
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New("malformed JSON body: " + clip(err.Error(), 200))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("malformed JSON body: unexpected data after the JSON value")
	}
	return nil
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeFailure(w, http.StatusMethodNotAllowed, "method not allowed; allowed: "+allow)
}

// serveControl serves the /_sandbox/ control endpoints.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if !s.guardControl(w, r) {
		return
	}
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	parts := strings.Split(rest, "/")
	switch {
	case rest == "" || rest == "sharings":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET")
		} else if rest == "" {
			writeJSON(w, http.StatusOK, map[string]any{"endpoints": controlEndpoints})
		} else {
			writeJSON(w, http.StatusOK, map[string]any{"sharings": s.Sharings()})
		}
	case parts[0] == "sharings" && (len(parts) == 2 || len(parts) == 3):
		id, ok := parseID(parts[1])
		switch {
		case !ok:
			writeFailure(w, http.StatusBadRequest, "invalid sharing id")
		case len(parts) == 2:
			s.controlSharingItem(w, r, id)
		default:
			s.controlSharingAction(w, r, id, parts[2])
		}
	case rest == "clock":
		s.controlClock(w, r)
	case rest == "settings":
		s.controlSettings(w, r)
	case rest == "faults":
		s.controlFaults(w, r)
	case rest == "requests":
		s.controlRequests(w, r)
	default:
		writeFailure(w, http.StatusNotFound, "no control endpoint at "+clip(r.URL.Path, 100))
	}
}

func (s *Server) controlSharingItem(w http.ResponseWriter, r *http.Request, id int64) {
	switch r.Method {
	case http.MethodGet:
		s.writeSharing(w, id)
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

// writeSharing answers with the sharing, or 404.
func (s *Server) writeSharing(w http.ResponseWriter, id int64) {
	sh, ok := s.Sharing(id)
	if !ok {
		controlError(w, idErr(id, ErrNotFound))
		return
	}
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) controlSharingAction(w http.ResponseWriter, r *http.Request, id int64, action string) {
	do, known := map[string]func(int64) error{"oauth": s.StartOAuth, "revoke": s.Revoke}[action]
	switch {
	case !known && action != "grant":
		writeFailure(w, http.StatusNotFound, "unknown action "+clip(action, 40)+"; use grant, oauth or revoke")
	case r.Method != http.MethodPost:
		methodNotAllowed(w, "POST")
	case action == "grant":
		if cred, err := s.Grant(id); err != nil {
			controlError(w, err)
		} else {
			writeJSON(w, http.StatusOK, map[string]int64{"credentialId": cred})
		}
	default:
		if err := do(id); err != nil {
			controlError(w, err)
		} else {
			s.writeSharing(w, id)
		}
	}
}

// readOrChange serves an endpoint that shows its state on GET and changes
// it on POST by decoding the body into in and calling change, which
// answers an error itself and returns false. It reports whether to show the
// state.
func readOrChange(w http.ResponseWriter, r *http.Request, allow string, in any, change func() bool) bool {
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
		return readControlBody(w, r, in) && change()
	default:
		methodNotAllowed(w, allow)
		return false
	}
}

func (s *Server) controlClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Advance string `json:"advance"`
	}
	ok := readOrChange(w, r, "GET, POST", &in, func() bool {
		d, err := time.ParseDuration(in.Advance)
		if err != nil {
			writeFailure(w, http.StatusBadRequest, `advance must be a Go duration such as "49h" or "-1h30m"`)
			return false
		}
		if err := s.MoveClock(d); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, errNotSaved) {
				status = http.StatusInternalServerError
			}
			writeFailure(w, status, err.Error())
			return false
		}
		return true
	})
	if ok {
		writeJSON(w, http.StatusOK, map[string]string{
			"now":    s.Now().UTC().Format(time.RFC3339),
			"offset": time.Duration(s.store.offset.Load()).String(),
		})
	}
}

// controlSettings shows the settings, or changes those the body names: the
// body is read first, then decoded over the settings in force and stored
// under one lock, so that concurrent changes of different fields all land.
func (s *Server) controlSettings(w http.ResponseWriter, r *http.Request) {
	var body json.RawMessage
	ok := readOrChange(w, r, "GET, POST", &body, func() bool {
		err := s.changeSettings(func(set *Settings) error { return decodeStrict(body, set) })
		if err != nil {
			writeFailure(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "sandbox: "))
			return false
		}
		return true
	})
	if ok {
		writeJSON(w, http.StatusOK, s.Settings())
	}
}

func (s *Server) controlFaults(w http.ResponseWriter, r *http.Request) {
	var f Fault
	ok := r.Method == http.MethodDelete || readOrChange(w, r, "GET, POST, DELETE", &f, func() bool {
		if err := f.validate(); err != nil {
			writeFailure(w, http.StatusBadRequest, err.Error())
			return false
		}
		s.AddFault(f)
		return true
	})
	if r.Method == http.MethodDelete {
		s.ClearFaults()
	}
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	}
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
