// Package provider maps Terraform's plugin framework onto the Albato API
// client (DESIGN.md, "Where each thing lives").
package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ provider.ProviderWithEphemeralResources = (*AlbatoProvider)(nil)
	_ provider.ProviderWithListResources      = (*AlbatoProvider)(nil)
	_ provider.ProviderWithActions            = (*AlbatoProvider)(nil)
)

type AlbatoProvider struct {
	version          string
	now              func() time.Time // the clock expiry is judged by: tests move it
	clientOptions    func(*albato.Config)
	pollMin, pollMax time.Duration // the bounds of the pause between two reads of a wait
	readerPages      int           // what sharingReader starts knowing of the account's pages
}

// Option tunes a provider built by New; only tests use them (helpers_test.go).
type Option func(*AlbatoProvider)

// providerData is what Configure hands to every type; client and reads
// are nil while arguments are unknown.
type providerData struct {
	settings
	client           *albato.Client
	reads            *sharingReader
	now              func() time.Time
	pollMin, pollMax time.Duration
	titles           *titlePlans // this run's plans of links, by partner and title
}

// A wait's pause between two reads grows from the first to the longest.
const (
	defaultPollFirst   = time.Second
	defaultPollLongest = 15 * time.Second
)

// New returns a factory for the provider; version goes into the User-Agent.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &AlbatoProvider{version: version, now: time.Now, pollMin: defaultPollFirst, pollMax: defaultPollLongest}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

func (p *AlbatoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "albato"
	resp.Version = p.version
}

func (p *AlbatoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Albato provider manages Albato *connection links*: one-time links through which " +
			"a partner's client signs in to an app and Albato creates a connection (a credential) without the " +
			"partner ever seeing the client's secrets.",
		Attributes: map[string]schema.Attribute{
			"api_url": schema.StringAttribute{Optional: true,
				Validators: []validator.String{urlValidator(albato.ParseBaseURL, invalidAPIURL)},
				MarkdownDescription: "Base URL of the Albato API, `http` or `https`. May also be set with the `" + envAPIURL +
					"` environment variable. Defaults to `" + defaultAPIURL + "`."},
			"token": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Albato API token. Required unless set with the `" + envToken + "` environment " +
					"variable (preferred, so that the token stays out of configuration files)."},
			"auth_scheme": schema.StringAttribute{Optional: true,
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(albato.AuthSchemes...)},
				MarkdownDescription: "How the token is sent in the `Authorization` header: `auto`, `Bearer` or `Basic`, " +
					"in any letter case. `Bearer` and `Basic` send `<scheme> <token>`. `auto` (Albato's documents " +
					"disagree on the scheme) tries `Bearer <token>`, then `Basic <token>`, then standard Basic " +
					"(`Basic base64(<token>:)`), moving on only when the API refuses the credentials (HTTP 401 or 403), " +
					"and keeps the first one accepted for the rest of the run. May also be set with the `" + envAuthScheme +
					"` environment variable. Defaults to `" + defaultAuthScheme + "`."},
			"link_id": schema.StringAttribute{Optional: true,
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(linkIDPartner, linkIDSharing)},
				MarkdownDescription: "Which id the `id=` parameter of a link carries: `" + linkIDPartner + "` (the partner, " +
					"as Albato's parameter table and example show) or `" + linkIDSharing + "` (the link's own id, as " +
					"Albato's field list defines it). Open a fresh link: the app's sign-in form means the setting is " +
					"right, an \"unknown link\" page means the other one. May also be set with the `" + envLinkID +
					"` environment variable. Defaults to `" + defaultLinkID + "`."},
			"connect_url": schema.StringAttribute{Optional: true,
				Validators: []validator.String{urlValidator(albato.ParseConnectURL, invalidConnectURL)},
				MarkdownDescription: "Base of the links handed to end users; white-label domains differ. Trimmed of white " +
					"space around it; white space inside it, a query or a fragment is refused (the provider adds the link's " +
					"own `id` and `token`). May also be set with the `" + envConnectURL + "` environment variable. Defaults " +
					"to `" + defaultConnectURL + "`."},
			"max_retries": schema.Int64Attribute{Optional: true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
				MarkdownDescription: "How many times a request is retried after the first try, on rate limits (HTTP 429) " +
					"and transient failures; `0` means one try only. May also be set with the `" + envMaxRetries +
					"` environment variable. Defaults to `" + strconv.Itoa(defaultMaxRetries) + "`."},
			"same_account_as": schema.ListAttribute{ElementType: types.StringType, Optional: true,
				Validators: []validator.List{listvalidator.ValueStringsAre(
					stringCheck{"value must be an API URL or a token fingerprint", checkSameAccountEntry})},
				MarkdownDescription: "Earlier API URLs and token fingerprints of this same Albato account, for links " +
					"made before a change of `api_url` (a white-label host) or of the token (a rotated token). Each link " +
					"remembers the account it was made or imported in (the API URL and a fingerprint of the token, " +
					"never the token), and a provider configuration of another account never reads, regenerates or " +
					"revokes it: the plan fails, naming both accounts and the values to add here if both are the same " +
					"account. A fingerprint is 16 hex digits, as that error shows it."},
		},
	}
}

func (p *AlbatoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...); resp.Diagnostics.HasError() {
		return
	}
	s, diags := resolveSettings(cfg, os.Getenv)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	data := &providerData{settings: s, now: p.now, pollMin: p.pollMin, pollMax: p.pollMax, titles: &titlePlans{}}
	resp.ResourceData, resp.DataSourceData, resp.EphemeralResourceData = data, data, data
	resp.ListResourceData, resp.ActionData = data, data
	if len(s.unknown) > 0 { // what needs the API fails in ready, naming the arguments
		tflog.Debug(ctx, "Albato provider arguments not known yet", map[string]any{"unknown": s.unknown})
		return
	}
	ctx = withSecretsMasked(ctx, data)
	client, err := albato.New(p.clientConfig(s, req.TerraformVersion))
	if err != nil {
		// resolveSettings checked all the client checks: this is a bug.
		resp.Diagnostics.AddError("Unable to Create Albato API Client", err.Error())
		return
	}
	data.client, data.reads = client, &sharingReader{client: client, pages: p.readerPages}
	tflog.Debug(ctx, "Configured Albato API client", map[string]any{
		"api_url": albato.ShownURL(s.apiURL), "auth_scheme": s.authScheme, "link_id": s.linkID, "max_retries": s.maxRetries,
	})
}

func (p *AlbatoProvider) clientConfig(s settings, terraformVersion string) albato.Config {
	var logMu sync.Mutex
	cfg := albato.Config{BaseURL: s.apiURL, Token: s.token, AuthScheme: s.authScheme, MaxRetries: s.maxRetries,
		UserAgent: fmt.Sprintf("terraform-provider-albato/%s (+https://www.terraform.io) Terraform/%s",
			p.version, terraformVersion),
		Logf: func(ctx context.Context, msg string, fields map[string]any) {
			// terraform-plugin-log masks by rewriting the field maps held in
			// ctx: concurrent calls on one ctx (a listing's pages) take turns.
			logMu.Lock()
			defer logMu.Unlock()
			tflog.Debug(ctx, msg, fields)
		},
	}
	if p.clientOptions != nil {
		p.clientOptions(&cfg)
	}
	return cfg
}

func (p *AlbatoProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewConnectionLinkResource}
}

func (p *AlbatoProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewConnectionLinkDataSource, NewConnectionLinksDataSource}
}

// EphemeralResources: Terraform 1.10+, OpenTofu 1.11+; older CLIs never ask.
func (p *AlbatoProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewConnectionLinkEphemeralResource}
}

// ListResources: Terraform 1.14+; older CLIs and OpenTofu 1.12 never ask.
func (p *AlbatoProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewConnectionLinkListResource}
}

// Actions: Terraform 1.14+; older CLIs and OpenTofu 1.12 never ask.
func (p *AlbatoProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{NewConnectionLinkRegenerateAction, NewConnectionLinkWaitAction}
}

// providerDataFrom is every type's Configure: nil (no error) before the provider is configured.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	pd, ok := data.(*providerData)
	if !ok && data != nil {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *provider.providerData, got %T. This is always a bug in the provider; please report it.", data))
	}
	return pd
}

// decode is how every operation starts: the API must be usable, the API
// token is masked in the returned context's logs, and from is read into into.
func (pd *providerData) decode(ctx context.Context, from interface {
	Get(context.Context, any) diag.Diagnostics
}, into any, diags *diag.Diagnostics,
) (context.Context, bool) {
	if !pd.ready(diags) {
		return ctx, false
	}
	ctx = withSecretsMasked(ctx, pd)
	diags.Append(from.Get(ctx, into)...)
	return ctx, !diags.HasError()
}

func (pd *providerData) ready(diags *diag.Diagnostics) bool {
	switch {
	case pd == nil:
		diags.AddError("Provider Not Configured", "The albato provider was not configured before it was used. "+
			"This is a bug in the provider or in Terraform; please report it.")
	case pd.client == nil:
		diags.AddError(notKnownYet(pd.unknown))
	default:
		return true
	}
	return false
}

// withSecretsMasked masks the API token and more in every log line of ctx, the framework's included.
func withSecretsMasked(ctx context.Context, pd *providerData, more ...string) context.Context {
	if pd != nil {
		more = append(more, pd.token)
	}
	secrets := slices.DeleteFunc(slices.Clone(more), func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return ctx
	}
	return tflog.MaskAllFieldValuesStrings(tflog.MaskMessageStrings(ctx, secrets...), secrets...)
}

// sdkLogLevelVariables set the level of the SDK's and the provider's loggers.
var sdkLogLevelVariables = []string{
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ALBATO",
}

// QuietLogsUnlessAsked turns the provider's logging off when nobody asked
// for logs: without a level the SDK loggers format TRACE entries that
// Terraform discards, a third of a no-change plan's CPU time (BENCHMARKS.md).
func QuietLogsUnlessAsked() {
	asked := append([]string{"TF_LOG", "TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"}, sdkLogLevelVariables...)
	for _, v := range asked {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range sdkLogLevelVariables {
		_ = os.Setenv(v, "off")
	}
}
