package provider

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// Defaults and environment variables of the provider configuration.
const (
	defaultAPIURL     = "https://api.albato.com"
	defaultConnectURL = "https://connect.integrations-hub.com"
	defaultAuthScheme = "auto"
	defaultLinkID     = linkIDPartner
	defaultMaxRetries = 4

	envAPIURL     = "ALBATO_API_URL"
	envToken      = "ALBATO_TOKEN"
	envAuthScheme = "ALBATO_AUTH_SCHEME"
	envLinkID     = "ALBATO_LINK_ID"
	envConnectURL = "ALBATO_CONNECT_URL"
	envMaxRetries = "ALBATO_MAX_RETRIES"
)

// The values of link_id.
const (
	linkIDPartner = "partner_id"
	linkIDSharing = "sharing_id"
)

type providerModel struct {
	APIURL     types.String `tfsdk:"api_url"`
	Token      types.String `tfsdk:"token"`
	AuthScheme types.String `tfsdk:"auth_scheme"`
	LinkID     types.String `tfsdk:"link_id"`
	ConnectURL types.String `tfsdk:"connect_url"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`

	SameAccountAs types.List `tfsdk:"same_account_as"`
}

// settings is the provider configuration once arguments, environment
// variables and defaults are combined: the one place where that happens.
type settings struct {
	apiURL, token string
	authScheme    string // one of albato.AuthSchemes
	linkID        string // linkIDPartner or linkIDSharing
	connectURL    string // trimmed once here: the one value every link is built on
	maxRetries    int
	sameAccountAs []string // earlier API URLs and token fingerprints of the account (account.go)
	unknown       []string // the arguments not known yet (set from a resource still to be created)
	// Where the URLs came from, for messages, naming the variable the
	// configuration overrode: a copied example meets a sandbox's variable.
	apiURLOrigin, connectURLOrigin string
}

// resolve picks the configured value, else the environment's, else the
// default, and words where it took it from (a URL shown without the parts
// that may carry secrets).
func resolve(name, env, def string, value types.String, getenv func(string) string) (v, origin string, unknown bool) {
	fromEnv := getenv(env)
	switch {
	case value.IsUnknown():
		return "", "", true
	case !value.IsNull() && fromEnv != "" && fromEnv != value.ValueString():
		return value.ValueString(), fmt.Sprintf("%q from the provider configuration, which wins over %s=%q",
			name, env, albato.ShownURL(fromEnv)), false
	case !value.IsNull():
		return value.ValueString(), fmt.Sprintf("%q in the provider configuration", name), false
	case fromEnv != "":
		return fromEnv, env, false
	default:
		return def, fmt.Sprintf("the default of %q (set it, or %s)", name, env), false
	}
}

// resolveSettings turns the provider block and the environment (getenv)
// into the settings, reporting each problem against its argument.
func resolveSettings(cfg providerModel, getenv func(string) string) (settings, diag.Diagnostics) {
	s := settings{maxRetries: defaultMaxRetries}
	var diags diag.Diagnostics
	str := func(name, env, def string, value types.String) (string, string) {
		v, origin, unknown := resolve(name, env, def, value, getenv)
		if unknown {
			s.unknown = append(s.unknown, name)
		}
		return v, origin
	}
	s.apiURL, s.apiURLOrigin = str("api_url", envAPIURL, defaultAPIURL, cfg.APIURL)
	s.token, _ = str("token", envToken, "", cfg.Token)
	s.authScheme, _ = str("auth_scheme", envAuthScheme, defaultAuthScheme, cfg.AuthScheme)
	s.linkID, _ = str("link_id", envLinkID, defaultLinkID, cfg.LinkID)
	s.connectURL, s.connectURLOrigin = str("connect_url", envConnectURL, defaultConnectURL, cfg.ConnectURL)
	s.connectURL = strings.TrimSpace(s.connectURL)
	diags.Append(s.check()...)
	var unknown bool
	if s.sameAccountAs, unknown = sameAccountSetting(cfg.SameAccountAs); unknown {
		s.unknown = append(s.unknown, "same_account_as")
	}
	switch v := getenv(envMaxRetries); {
	case cfg.MaxRetries.IsUnknown():
		s.unknown = append(s.unknown, "max_retries")
	case !cfg.MaxRetries.IsNull():
		s.maxRetries = int(min(cfg.MaxRetries.ValueInt64(), 1<<20)) // the validator refuses negative values
	case v != "":
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Albato Max Retries",
				fmt.Sprintf("%s must be a whole number of at least 0, got %q.", envMaxRetries, v))
		}
		s.maxRetries = int(max(n, 0))
	}
	if !diags.HasError() {
		diags.Append(s.warnings()...)
	}
	return s, diags
}

// check reports the known values that are not usable, and canonicalises spellings.
func (s *settings) check() diag.Diagnostics {
	var diags diag.Diagnostics
	known := func(name string) bool { return !slices.Contains(s.unknown, name) }
	if known("token") && strings.TrimSpace(s.token) == "" {
		diags.AddAttributeError(path.Root("token"), "Missing Albato API Token",
			"The provider needs an Albato API token. Set the \"token\" argument in the provider configuration, "+
				"or the "+envToken+" environment variable.")
	}
	if _, err := albato.ParseBaseURL(s.apiURL); err != nil && known("api_url") {
		diags.Append(atURL(path.Root("api_url"), s.apiURL, diag.NewErrorDiagnostic(invalidAPIURL,
			fmt.Sprintf("The API URL (%s) is not usable: %s.", s.apiURLOrigin, err))))
	}
	if _, err := albato.ParseConnectURL(s.connectURL); err != nil && known("connect_url") {
		diags.Append(atURL(path.Root("connect_url"), s.connectURL, diag.NewErrorDiagnostic(invalidConnectURL,
			fmt.Sprintf("The connect URL (%s) is not usable: %s.", s.connectURLOrigin, err))))
	}
	var ok bool
	if s.authScheme, ok = canonical(albato.AuthSchemes, s.authScheme); !ok && known("auth_scheme") {
		diags.AddAttributeError(path.Root("auth_scheme"), "Invalid Albato Auth Scheme",
			fmt.Sprintf("The auth scheme (from \"auth_scheme\" or %s) must be one of %s, got %q.",
				envAuthScheme, strings.Join(albato.AuthSchemes, ", "), s.authScheme))
	}
	if s.linkID, ok = canonical([]string{linkIDPartner, linkIDSharing}, s.linkID); !ok && known("link_id") {
		diags.AddAttributeError(path.Root("link_id"), "Invalid Albato Link ID",
			fmt.Sprintf("The link id (from \"link_id\" or %s) must be %s or %s, got %q.",
				envLinkID, linkIDPartner, linkIDSharing, s.linkID))
	}
	return diags
}

// warnings are the settings that work but are most likely a mistake: links
// on Albato's connect page for the tokens of another API.
func (s settings) warnings() diag.Diagnostics {
	api, errAPI := url.Parse(s.apiURL)
	conn, errConn := url.Parse(s.connectURL)
	if s.apiURL == "" || s.connectURL == "" || errAPI != nil || errConn != nil ||
		strings.EqualFold(api.Hostname(), "api.albato.com") || !strings.EqualFold(conn.Hostname(), "connect.integrations-hub.com") {
		return nil
	}
	return diag.Diagnostics{atURL(path.Root("connect_url"), s.connectURL, diag.NewWarningDiagnostic(
		"Links Point at Albato's Connect Page, Not Your API's",
		fmt.Sprintf("The API is %s (from \"api_url\" or %s), which is not Albato's, but the links are built on "+
			"Albato's connect page %s (from \"connect_url\" or %s, or its default). Tokens of another API do not "+
			"work there: set \"connect_url\" (or %s) to the connect page of the same API, e.g. %s/connect for the "+
			"albato-sandbox.", albato.ShownURL(s.apiURL), envAPIURL, albato.ShownURL(s.connectURL), envConnectURL,
			envConnectURL, strings.TrimSuffix(albato.ShownURL(s.apiURL), "/"))))}
}

// atURL puts a URL's diagnostic at its argument, unless the URL has a part
// that may hold a secret (userinfo, query, fragment) or does not parse:
// Terraform would print that line, secret included.
func atURL(p path.Path, raw string, d diag.Diagnostic) diag.Diagnostic {
	if albato.ShownURL(raw) == strings.TrimSpace(raw) {
		return diag.WithPath(p, d)
	}
	return d
}

// canonical returns the element of values that v spells in any case, or v.
func canonical(values []string, v string) (string, bool) {
	for _, c := range values {
		if strings.EqualFold(c, strings.TrimSpace(v)) {
			return c, true
		}
	}
	return v, false
}

// notKnownYet is the error of what needs the API while arguments are unknown.
func notKnownYet(unknown []string) (summary, detail string) {
	quoted := make([]string, len(unknown))
	for i, n := range unknown {
		quoted[i] = strconv.Quote(n)
	}
	return "Albato Provider Argument Not Known Yet",
		fmt.Sprintf("This operation needs the Albato API, but the provider's %s %s not known until another resource "+
			"is applied. Apply that resource first (terraform apply -target=<its address>), or set the value "+
			"directly or through its environment variable.", strings.Join(quoted, ", "), plural(len(unknown), "is", "are"))
}
