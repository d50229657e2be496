package sandbox

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The sandbox runs on the user's machine, where any web page the user
// visits can send requests to it. The checks below keep such pages from
// driving the control endpoints (and, with the public default token, the
// API), and from submitting the connect page's forms.

// hostAllowed tells whether host (a Host header or an Origin's host, with or
// without a port) names this machine's loopback or one of the extra hosts.
// A page that rebinds its own DNS name to 127.0.0.1 still sends its own name.
func (s *Server) hostAllowed(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || s.extraHosts[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalizeHosts lowercases the extra host names, refusing empty ones and
// ones with a port or a scheme.
func normalizeHosts(hosts []string) (map[string]bool, error) {
	out := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if n == "" || strings.ContainsAny(n, ":/[] ") {
			return nil, fmt.Errorf("sandbox: allowed host %s must be a host name or an IPv4 address, without a port or scheme", quoteClip(h))
		}
		out[n] = true
	}
	return out, nil
}

// foreignRequest returns why r cannot come from the sandbox's user, or "":
// its Host is not loopback nor an extra host, or it carries an Origin (a
// browser page's) whose host is not.
func (s *Server) foreignRequest(r *http.Request) string {
	if !s.hostAllowed(r.Host) {
		return "Host " + quoteClip(r.Host) + " is not loopback (localhost, 127.0.0.0/8, [::1]) nor an allowed host (-allow-host)"
	}
	if origin, sent := r.Header["Origin"]; sent {
		u, err := url.Parse(strings.Join(origin, ""))
		if err != nil || u.Host == "" || !s.hostAllowed(u.Host) {
			return "requests from the web page at Origin " + quoteClip(strings.Join(origin, "")) + " are refused"
		}
	}
	return ""
}

// guardControl answers 403 for a foreign request and 415 for a body that
// is not JSON, so that no page can send a "simple" cross-site request (a
// form or text/plain, which browsers send without asking first) that the
// control endpoints would act on. It reports whether to go on.
func (s *Server) guardControl(w http.ResponseWriter, r *http.Request) bool {
	if why := s.foreignRequest(r); why != "" {
		writeFailure(w, http.StatusForbidden, "control endpoints answer only their local user: "+why)
		return false
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return true // no body, as in curl -X POST .../grant
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		writeFailure(w, http.StatusUnsupportedMediaType, "control endpoints take only application/json bodies, got Content-Type "+quoteClip(ct)+`; send -H "Content-Type: application/json"`)
		return false
	}
	return true
}

// quoteClip quotes a header value, shortened, for a message.
func quoteClip(v string) string { return `"` + clip(v, 100) + `"` }

// crossSiteForm is the check of the connect page's forms: a browser says
// where a POST comes from (Sec-Fetch-Site, else Origin), and only the
// sandbox's own pages may submit them. Clients that are not browsers send
// neither header and pass.
var crossSiteForm = http.NewCrossOriginProtection()
