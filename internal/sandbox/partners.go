package sandbox

import (
	"regexp"
	"slices"
)

// partnerKind tells how the end user authenticates with a partner (app).
type partnerKind int

const (
	kindAPIKey partnerKind = iota
	kindLogin
	kindOAuth
)

// maxFieldLen caps the length of any value typed into the connect form.
const maxFieldLen = 1024

// field is one input of a partner's connect form.
type field struct {
	Name     string
	Label    string
	Help     string
	Secret   bool           // drawn as a password input and never echoed back
	Pattern  *regexp.Regexp // optional; the whole value must match
	PatternH string         // the same pattern for the HTML pattern attribute
	PatternE string         // error message when the pattern does not match
}

// partner is one app of the fixed catalogue.
type partner struct {
	ID     int64
	Name   string
	Kind   partnerKind
	Fields []field
}

// partners is the sandbox's fixed catalogue of apps.
var partners = []partner{
	{
		ID:   225,
		Name: "Demo CRM",
		Kind: kindAPIKey,
		Fields: []field{
			{
				Name:   "api_key",
				Label:  "API key",
				Help:   "Find it in Demo CRM under Settings → API.",
				Secret: true,
			},
			{
				Name:     "subdomain",
				Label:    "Subdomain",
				Help:     "The first part of your account address, as in acme.democrm.example.",
				Pattern:  regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`),
				PatternH: `[a-z0-9][a-z0-9\-]{0,62}`,
				PatternE: "Subdomain must be 1 to 63 lower-case letters, digits or hyphens, and must not start with a hyphen.",
			},
		},
	},
	{
		ID:   226,
		Name: "Demo Mailer",
		Kind: kindLogin,
		Fields: []field{
			{Name: "login", Label: "Login", Help: "The login you use to sign in to Demo Mailer."},
			{Name: "password", Label: "Password", Secret: true},
		},
	},
	{
		ID:   227,
		Name: "Demo Calendar",
		Kind: kindOAuth,
	},
}

// findPartner returns the catalogue entry with the given id.
func findPartner(id int64) (*partner, bool) {
	i := slices.IndexFunc(partners, func(p partner) bool { return p.ID == id })
	if i < 0 {
		return nil, false
	}
	return &partners[i], true
}
