package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	connectPath   = "/connect"
	authorizePath = "/connect/oauth/authorize"
	maxFormSize   = 64 << 10
	maxTokenLen   = 64
)

// pageHeaders are sent with every connect page.
var pageHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
}

const layoutHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.PageTitle}} · Albato sandbox</title>
<style>
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;background:#f3f5f9;color:#1f2937;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:24px}
main{width:100%;max-width:440px;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06);padding:32px}
.brand{margin:0 0 20px;font-weight:700;color:#4f46e5;letter-spacing:.02em}
.brand span{font-weight:400;color:#6b7280;font-size:.85em;margin-left:4px}
h1{font-size:1.4rem;margin:0 0 8px}
p{margin:0 0 16px}
.lead{color:#4b5563}
.meta{font-size:.9rem;color:#6b7280}
label{display:block;font-weight:600;margin:16px 0 4px}
input[type=text],input[type=password]{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
input:focus{outline:2px solid #a5b4fc;border-color:#6366f1}
.help{font-size:.85rem;color:#6b7280;margin:4px 0 0}
button,.button{display:inline-block;margin-top:24px;padding:10px 18px;border:0;border-radius:8px;background:#4f46e5;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#e5e7eb;color:#111827}
.row{display:flex;gap:12px}
.alert{border-radius:8px;padding:12px 16px;margin:0 0 16px}
.alert ul{margin:4px 0 0;padding-left:20px}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.ok{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0}
.code{font-size:2.4rem;font-weight:700;color:#9ca3af;margin:0}
footer{margin-top:16px;font-size:.8rem;color:#9ca3af;text-align:center;max-width:440px}
</style>
</head>
<body>
<main>
<p class="brand">Albato<span>sandbox</span></p>
{{template "content" .}}
</main>
<footer>Local emulator of Albato's connection link page. Nothing entered here leaves this machine, and nothing is stored.</footer>
</body>
</html>
`

var pageTemplates = map[string]string{
	"form": `{{define "content"}}
<h1>Connect {{.Partner}}</h1>
<p class="lead">You were invited to connect your {{.Partner}} account to Albato.</p>
<p class="meta">{{.SharingTitle}}</p>
{{if .Errors}}<div class="alert error" role="alert">Please correct the following:<ul>{{range .Errors}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="/connect" autocomplete="off">
<input type="hidden" name="id" value="{{.LinkID}}">
<input type="hidden" name="token" value="{{.Token}}">
{{if .OAuth}}<p>You will be sent to {{.Partner}} to sign in and allow access.</p>
<button type="submit">Connect with {{.Partner}}</button>
{{else}}{{range .Fields}}<label for="f-{{.Name}}">{{.Label}}</label>
<input id="f-{{.Name}}" name="{{.Name}}" type="{{if .Secret}}password{{else}}text{{end}}" value="{{.Value}}" maxlength="{{.MaxLen}}"{{if .Pattern}} pattern="{{.Pattern}}"{{end}} required spellcheck="false">
{{with .Help}}<p class="help">{{.}}</p>{{end}}
{{end}}<button type="submit">Connect</button>
{{end}}</form>
{{end}}`,
	"consent": `{{define "content"}}
<h1>{{.Partner}}</h1>
<p class="lead">Sign-in simulated: this is the sandbox's stand-in for {{.Partner}}'s consent screen.</p>
<p><strong>Albato</strong> wants to access your {{.Partner}} account for the connection:</p>
<p class="meta">{{.SharingTitle}}</p>
<form method="post" action="/connect/oauth/authorize">
<input type="hidden" name="id" value="{{.LinkID}}">
<input type="hidden" name="token" value="{{.Token}}">
<div class="row">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>
{{end}}`,
	"success": `{{define "content"}}
<div class="alert ok" role="status">Connection created</div>
<h1>Your {{.Partner}} account is connected</h1>
<p class="lead">Albato created the connection <strong>{{.SharingTitle}}</strong> (connection #{{.CredentialID}}).</p>
<p>This link has now been used and will not work again. You can close this page.</p>
{{end}}`,
	"denied": `{{define "content"}}
<div class="alert error" role="alert">Access was denied</div>
<h1>{{.Partner}} was not connected</h1>
<p class="lead">You denied Albato access to your {{.Partner}} account, so no connection was created.</p>
<p>The link still works until it expires if you change your mind.</p>
<a class="button secondary" href="{{.RetryURL}}">Try again</a>
{{end}}`,
	"error": `{{define "content"}}
<p class="code">{{.Code}}</p>
<h1>{{.PageTitle}}</h1>
<p class="lead">{{.Message}}</p>
{{with .RetryURL}}<a class="button secondary" href="{{.}}">Back to the connect page</a>{{end}}
{{end}}`,
}

var pages = func() map[string]*template.Template {
	base := template.Must(template.New("layout").Parse(layoutHTML))
	out := make(map[string]*template.Template, len(pageTemplates))
	for name, src := range pageTemplates {
		out[name] = template.Must(template.Must(base.Clone()).Parse(src))
	}
	return out
}()

type formField struct {
	Name, Label, Help, Value, Pattern string
	Secret                            bool
	MaxLen                            int
}

type pageData struct {
	PageTitle    string
	Code         int
	Message      string
	Partner      string
	LinkID       int64 // the id parameter of the link
	SharingTitle string
	Token        string
	OAuth        bool
	Fields       []formField
	Errors       []string
	CredentialID int64
	RetryURL     string
}

// renderPage writes one connect page with the security headers.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, d); err != nil {
		s.logf("sandbox: rendering %s page: %v", name, err)
		buf.Reset()
		buf.WriteString("<!DOCTYPE html><title>Error</title><p>The sandbox failed to draw this page.</p>")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	for k, v := range pageHeaders {
		h.Set(k, v)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage writes an error page.
func (s *Server) errorPage(w http.ResponseWriter, status int, title, msg string) {
	s.renderPage(w, status, "error", pageData{PageTitle: title, Code: status, Message: msg})
}

// linkError is a reason why a link cannot be used, as a page.
type linkError struct {
	status   int
	title    string
	msg      string
	retryURL string
}

// Error lets a linkError travel through store.update.
func (e *linkError) Error() string { return e.title }

var (
	errBadLink = &linkError{http.StatusBadRequest, "This link is incomplete",
		"The link is missing its id or token, or they are garbled. Open the link exactly as you received it.", ""}
	errUnknownLink = &linkError{http.StatusNotFound, "This link is not valid",
		"No connection request matches this link. It may have been replaced by a newer link; ask the sender for a new one.", ""}
	errRevokedLink = &linkError{http.StatusGone, "This link was revoked",
		"The sender cancelled this connection request. Ask them for a new link if you still need to connect.", ""}
	errSpentLink = &linkError{http.StatusGone, "This link was already used",
		"A connection was already created with this link. Each link works only once.", ""}
	errExpiredLink = &linkError{http.StatusGone, "This link has expired",
		"Links are valid for 48 hours. Ask the sender to refresh the link and send you the new one.", ""}
)

func (s *Server) linkErrorPage(w http.ResponseWriter, e *linkError) {
	s.renderPage(w, e.status, "error", pageData{PageTitle: e.title, Code: e.status, Message: e.msg, RetryURL: e.retryURL})
}

// link is a link the end user opened: its parameters, and the sharing and
// partner behind it. oauth is set on the stand-in consent page.
type link struct {
	id    int64
	token string
	oauth bool
	sh    Sharing
	p     *partner
}

// openLink reads a link's id and token from v and finds the sharing behind
// it; when the link cannot be used, it draws the error page and returns false.
func (s *Server) openLink(w http.ResponseWriter, v url.Values, oauth bool) (link, bool) {
	l := link{oauth: oauth}
	var ok bool
	l.id, l.token, ok = linkParams(v)
	lerr := errBadLink
	if ok {
		lerr = errUnknownLink
		if l.sh, ok = s.store.withToken(l.token); ok {
			lerr = s.check(&l, l.sh)
		}
	}
	if lerr != nil {
		s.linkErrorPage(w, lerr)
		return l, false
	}
	return l, true
}

// linkParams reads and sanity-checks the id and token of a link.
func linkParams(v url.Values) (id int64, token string, ok bool) {
	id, ok = parseID(strings.TrimSpace(v.Get("id")))
	if !ok {
		return 0, "", false
	}
	token = v.Get("token")
	if token == "" || len(token) > maxTokenLen {
		return 0, "", false
	}
	for _, c := range token {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return 0, "", false
		}
	}
	return id, token, true
}

// check tells whether sh is the sharing behind l, under the link id in
// force, and whether l can still be used; it sets l.p.
func (s *Server) check(l *link, sh Sharing) *linkError {
	p, ok := findPartner(sh.PartnerID)
	if !ok || sh.Token != l.token || s.Settings().LinkID.of(sh) != l.id || (l.oauth && p.Kind != kindOAuth) {
		return errUnknownLink
	}
	switch err := sh.usable(s.Now()); {
	case errors.Is(err, ErrRevoked):
		return errRevokedLink
	case errors.Is(err, ErrGranted):
		return errSpentLink
	case errors.Is(err, ErrExpired):
		return errExpiredLink
	}
	if l.oauth && sh.Status != StatusWaitingOAuth {
		return &linkError{http.StatusConflict, "Authorization not started",
			"This authorization request is not active. Start again from the connect page.",
			linkURL(connectPath, l.id, l.token)}
	}
	l.p = p
	return nil
}

// apply makes edit to the sharing behind l if the link can still be used;
// otherwise, or when saving fails, it draws the error page and returns false.
func (s *Server) apply(w http.ResponseWriter, l *link, edit change) bool {
	sh, err := s.store.update(l.sh.ID, func(cur Sharing) error {
		if lerr := s.check(l, cur); lerr != nil {
			return lerr
		}
		return nil
	}, edit)
	var lerr *linkError
	switch {
	case errors.As(err, &lerr):
		s.linkErrorPage(w, lerr)
	case err != nil:
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "The sandbox could not save your answer. Try again.")
	default:
		l.sh = sh
		return true
	}
	return false
}

func linkURL(path string, id int64, token string) string {
	return path + "?" + url.Values{"id": {strconv.FormatInt(id, 10)}, "token": {token}}.Encode()
}

// serveConnect serves the end user's pages under /connect.
func (s *Server) serveConnect(w http.ResponseWriter, r *http.Request) {
	for k, v := range pageHeaders {
		w.Header().Set(k, v)
	}
	var get, post func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case connectPath:
		get, post = s.connectGet, s.connectPost
	case authorizePath:
		get, post = s.authorizeGet, s.authorizePost
	default:
		s.errorPage(w, http.StatusNotFound, "Page not found", "There is no page at this address.")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		get(w, r)
	case http.MethodPost:
		if crossSiteForm.Check(r) != nil {
			s.errorPage(w, http.StatusForbidden, "Form sent from another site",
				"This form can only be sent from the connect page itself. Open the link you received and submit the form there.")
			return
		}
		if !s.parsePostForm(w, r) {
			return
		}
		post(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		s.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed", "This page only answers GET and POST.")
	}
}

// parsePostForm parses a bounded urlencoded form body, answering on failure.
func (s *Server) parsePostForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, http.StatusRequestEntityTooLarge, "Form too large", "The form you sent is too large.")
		} else {
			s.errorPage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		}
		return false
	}
	return true
}

func (s *Server) connectGet(w http.ResponseWriter, r *http.Request) {
	if l, ok := s.openLink(w, r.URL.Query(), false); ok {
		s.renderPage(w, http.StatusOK, "form", formPage(l, nil, nil))
	}
}

// formPage builds the partner's form; values refills non-secret fields.
func formPage(l link, values url.Values, errs []string) pageData {
	d := pageData{
		PageTitle:    "Connect " + l.p.Name,
		Partner:      l.p.Name,
		LinkID:       l.id,
		SharingTitle: l.sh.Title,
		Token:        l.token,
		OAuth:        l.p.Kind == kindOAuth,
		Errors:       errs,
	}
	for _, f := range l.p.Fields {
		ff := formField{Name: f.Name, Label: f.Label, Help: f.Help, Secret: f.Secret, Pattern: f.PatternH, MaxLen: maxFieldLen}
		if !f.Secret && values != nil {
			ff.Value = clip(values.Get(f.Name), maxFieldLen)
		}
		d.Fields = append(d.Fields, ff)
	}
	return d
}

// validateFields checks the submitted form against the partner's fields.
func validateFields(p *partner, v url.Values) []string {
	var errs []string
	for _, f := range p.Fields {
		val := v.Get(f.Name)
		switch {
		case strings.TrimSpace(val) == "":
			errs = append(errs, f.Label+" is required.")
		case utf8.RuneCountInString(val) > maxFieldLen:
			errs = append(errs, fmt.Sprintf("%s must be at most %d characters.", f.Label, maxFieldLen))
		case f.Pattern != nil && !f.Pattern.MatchString(val):
			errs = append(errs, f.PatternE)
		}
	}
	return errs
}

func (s *Server) connectPost(w http.ResponseWriter, r *http.Request) {
	l, ok := s.openLink(w, r.PostForm, false)
	switch {
	case !ok:
	case l.p.Kind == kindOAuth:
		if s.apply(w, &l, setStatus(StatusWaitingOAuth)) {
			http.Redirect(w, r, linkURL(authorizePath, l.id, l.token), http.StatusSeeOther)
		}
	default:
		if errs := validateFields(l.p, r.PostForm); len(errs) > 0 {
			s.renderPage(w, http.StatusUnprocessableEntity, "form", formPage(l, r.PostForm, errs))
			return
		}
		s.finish(w, &l)
	}
}

// finish grants the sharing behind l and draws the success page.
func (s *Server) finish(w http.ResponseWriter, l *link) {
	if s.apply(w, l, grant) {
		s.renderPage(w, http.StatusOK, "success", pageData{
			PageTitle: "Connection created", Partner: l.p.Name, SharingTitle: l.sh.Title, CredentialID: *l.sh.CredentialID,
		})
	}
}

func (s *Server) authorizeGet(w http.ResponseWriter, r *http.Request) {
	if l, ok := s.openLink(w, r.URL.Query(), true); ok {
		s.renderPage(w, http.StatusOK, "consent", pageData{
			PageTitle: l.p.Name + ": allow access?", Partner: l.p.Name, LinkID: l.id, SharingTitle: l.sh.Title, Token: l.token,
		})
	}
}

func (s *Server) authorizePost(w http.ResponseWriter, r *http.Request) {
	decision := r.PostForm.Get("decision")
	if decision != "allow" && decision != "deny" {
		if _, _, ok := linkParams(r.PostForm); !ok {
			s.linkErrorPage(w, errBadLink)
		} else {
			s.errorPage(w, http.StatusBadRequest, "Bad request", `Choose "Allow" or "Deny".`)
		}
		return
	}
	l, ok := s.openLink(w, r.PostForm, true)
	switch {
	case !ok:
	case decision == "allow":
		s.finish(w, &l)
	case s.apply(w, &l, setStatus(StatusWaiting)):
		s.renderPage(w, http.StatusOK, "denied", pageData{
			PageTitle: "Access denied", Partner: l.p.Name, RetryURL: linkURL(connectPath, l.id, l.token),
		})
	}
}
