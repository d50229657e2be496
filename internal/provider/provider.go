// Package provider maps Terraform's plugin framework onto the Albato API
// client: the provider configuration, the albato_connection_link resource,
// ephemeral resource and data source, and the albato_connection_links data
// source.
package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clock"
)

// Defaults and environment variables of the provider configuration, as the
// contract names them.
const (
	defaultAPIURL     = "https://api.albato.com"
	defaultConnectURL = "https://connect.integrations-hub.com"
	defaultAuthScheme = "Basic"
	defaultMaxRetries = 4

	envAPIURL     = "ALBATO_API_URL"
	envToken      = "ALBATO_TOKEN"
	envAuthScheme = "ALBATO_AUTH_SCHEME"
	envConnectURL = "ALBATO_CONNECT_URL"
	envMaxRetries = "ALBATO_MAX_RETRIES"
)

var (
	_ provider.Provider                       = (*AlbatoProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*AlbatoProvider)(nil)
)

// AlbatoProvider is the provider implementation.
type AlbatoProvider struct {
	version string
	clock   clock.Clock
	// clientOptions lets tests shorten the client's retry waits.
	clientOptions func(*albato.Config)
	// pollMin and pollMax bound the wait between two reads of wait_for_status.
	pollMin, pollMax time.Duration
}

// Option tunes a provider built by New; tests use them, main uses none.
type Option func(*AlbatoProvider)

// WithClock makes the provider judge expiry by c instead of the wall clock.
func WithClock(c clock.Clock) Option {
	return func(p *AlbatoProvider) { p.clock = c }
}

// WithClientConfig lets f adjust the API client's configuration (e.g. to
// shorten retry waits in tests).
func WithClientConfig(f func(*albato.Config)) Option {
	return func(p *AlbatoProvider) { p.clientOptions = f }
}

// WithPollInterval sets the first and the longest wait between two reads
// while a data source waits for a status.
func WithPollInterval(first, longest time.Duration) Option {
	return func(p *AlbatoProvider) { p.pollMin, p.pollMax = first, longest }
}

// providerModel is the provider configuration block.
type providerModel struct {
	APIURL     types.String `tfsdk:"api_url"`
	Token      types.String `tfsdk:"token"`
	AuthScheme types.String `tfsdk:"auth_scheme"`
	ConnectURL types.String `tfsdk:"connect_url"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client           *albato.Client
	clock            clock.Clock
	connectURL       string
	apiToken         string
	pollMin, pollMax time.Duration
}

// New returns a factory for the provider; version goes into the User-Agent.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &AlbatoProvider{version: version, clock: clock.Real{}, pollMin: time.Second, pollMax: 15 * time.Second}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

// Metadata returns the provider type name and version.
func (p *AlbatoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "albato"
	resp.Version = p.version
}

// Schema describes the provider configuration.
func (p *AlbatoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Albato provider manages Albato *connection links*: one-time links through which " +
			"a partner's client signs in to an app and Albato creates a connection (a credential) without the " +
			"partner ever seeing the client's secrets.",
		Attributes: map[string]schema.Attribute{
			"api_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Albato API, `http` or `https`. May also be set with the `" + envAPIURL +
					"` environment variable. Defaults to `" + defaultAPIURL + "`.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator{}},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Albato API token. Required unless set with the `" + envToken + "` environment " +
					"variable (preferred, so that the token stays out of configuration files).",
				Optional:  true,
				Sensitive: true,
			},
			"auth_scheme": schema.StringAttribute{
				MarkdownDescription: "Scheme of the `Authorization` header: `Basic` (the API token) or `Bearer` " +
					"(a short-lived session JWT), in any letter case. May also be set with the `" + envAuthScheme +
					"` environment variable. Defaults to `" + defaultAuthScheme + "`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive("Basic", "Bearer")},
			},
			"connect_url": schema.StringAttribute{
				MarkdownDescription: "Base of the links handed to end users; white-label domains differ. May also be set " +
					"with the `" + envConnectURL + "` environment variable. Defaults to `" + defaultConnectURL + "`.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried after the first try, on rate limits (HTTP 429) " +
					"and transient failures; `0` means one try only. May also be set with the `" + envMaxRetries +
					"` environment variable. Defaults to `" + strconv.Itoa(defaultMaxRetries) + "`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
		},
	}
}

// Configure builds the API client from the configuration and the environment.
func (p *AlbatoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// An unknown value (e.g. from another resource not yet created) cannot
	// be replaced by the environment silently: say so.
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"api_url": cfg.APIURL, "token": cfg.Token, "auth_scheme": cfg.AuthScheme,
		"connect_url": cfg.ConnectURL, "max_retries": cfg.MaxRetries,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Albato Provider Value",
				fmt.Sprintf("The provider cannot be configured while %q is unknown. Set it to a value known at plan time, "+
					"or use its environment variable instead.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	apiURL := coalesce(cfg.APIURL, envAPIURL, defaultAPIURL)
	token := coalesce(cfg.Token, envToken, "")
	authScheme := coalesce(cfg.AuthScheme, envAuthScheme, defaultAuthScheme)
	connectURL := coalesce(cfg.ConnectURL, envConnectURL, defaultConnectURL)

	ctx = tflog.MaskMessageStrings(ctx, token)
	ctx = tflog.MaskAllFieldValuesStrings(ctx, token)

	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Albato API Token",
			"The provider needs an Albato API token. Set the \"token\" argument in the provider configuration, "+
				"or the "+envToken+" environment variable.")
	}
	if err := checkHTTPURL(apiURL); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("api_url"), "Invalid Albato API URL",
			fmt.Sprintf("The API URL (from \"api_url\" or %s) is not usable: %s.", envAPIURL, err))
	}
	if err := checkHTTPURL(connectURL); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("connect_url"), "Invalid Albato Connect URL",
			fmt.Sprintf("The connect URL (from \"connect_url\" or %s) is not usable: %s.", envConnectURL, err))
	}
	switch strings.ToLower(authScheme) {
	case "basic":
		authScheme = "Basic"
	case "bearer":
		authScheme = "Bearer"
	default:
		resp.Diagnostics.AddAttributeError(path.Root("auth_scheme"), "Invalid Albato Auth Scheme",
			fmt.Sprintf("The auth scheme (from \"auth_scheme\" or %s) must be Basic or Bearer, got %q.", envAuthScheme, authScheme))
	}

	maxRetries := int64(defaultMaxRetries)
	switch {
	case !cfg.MaxRetries.IsNull():
		maxRetries = cfg.MaxRetries.ValueInt64()
	case os.Getenv(envMaxRetries) != "":
		n, err := strconv.ParseInt(os.Getenv(envMaxRetries), 10, 32)
		if err != nil || n < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid Albato Max Retries",
				fmt.Sprintf("%s must be a whole number of at least 0, got %q.", envMaxRetries, os.Getenv(envMaxRetries)))
		}
		maxRetries = n
	}
	if resp.Diagnostics.HasError() {
		return
	}

	var logMu sync.Mutex // see Logf below
	clientCfg := albato.Config{
		BaseURL:    apiURL,
		Token:      token,
		AuthScheme: authScheme,
		MaxRetries: int(maxRetries),
		UserAgent: fmt.Sprintf("terraform-provider-albato/%s (+https://www.terraform.io) Terraform/%s",
			p.version, req.TerraformVersion),
		Logf: func(ctx context.Context, msg string, fields map[string]any) {
			// terraform-plugin-log masks by rewriting the field maps held in
			// ctx, so concurrent calls on one ctx (the list's page fetches)
			// must take turns.
			logMu.Lock()
			defer logMu.Unlock()
			tflog.Debug(ctx, msg, fields)
		},
	}
	if p.clientOptions != nil {
		p.clientOptions(&clientCfg)
	}
	client, err := albato.New(clientCfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Albato API Client", err.Error())
		return
	}
	tflog.Debug(ctx, "Configured Albato API client", map[string]any{
		"api_url": apiURL, "auth_scheme": authScheme, "max_retries": maxRetries,
	})

	data := &providerData{
		client: client, clock: p.clock, connectURL: connectURL, apiToken: token,
		pollMin: p.pollMin, pollMax: p.pollMax,
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

// Resources lists the provider's resources.
func (p *AlbatoProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewConnectionLinkResource}
}

// DataSources lists the provider's data sources.
func (p *AlbatoProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewConnectionLinkDataSource, NewConnectionLinksDataSource}
}

// EphemeralResources lists the provider's ephemeral resources (Terraform
// 1.10+, OpenTofu 1.11+; older CLIs never ask for them).
func (p *AlbatoProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewConnectionLinkEphemeralResource}
}

// coalesce picks the configured value, else the environment variable, else
// the default.
func coalesce(v types.String, env, def string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return def
}

// checkHTTPURL accepts absolute http and https URLs with a host.
func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

// providerDataFrom extracts providerData in resources' and data sources'
// Configure; it returns nil (and no error) before the provider is configured.
func providerDataFrom(data any, addError func(summary, detail string)) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		addError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *provider.providerData, got %T. This is always a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// withSecretsMasked masks the API token in every log line of ctx, including
// those the framework and the client write.
func withSecretsMasked(ctx context.Context, pd *providerData, more ...string) context.Context {
	secrets := make([]string, 0, 1+len(more))
	if pd != nil && pd.apiToken != "" {
		secrets = append(secrets, pd.apiToken)
	}
	for _, s := range more {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	return tflog.MaskAllFieldValuesStrings(ctx, secrets...)
}
