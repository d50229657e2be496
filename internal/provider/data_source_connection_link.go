package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ datasource.DataSource              = (*connectionLinkDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*connectionLinkDataSource)(nil)
)

// defaultWaitTimeout bounds wait_for_status when no timeouts block says otherwise.
const defaultWaitTimeout = 10 * time.Minute

// NewConnectionLinkDataSource returns the albato_connection_link data source.
func NewConnectionLinkDataSource() datasource.DataSource {
	return &connectionLinkDataSource{}
}

type connectionLinkDataSource struct {
	data *providerData
}

type connectionLinkDataSourceModel struct {
	linkAttributes
	WaitForStatus types.Set      `tfsdk:"wait_for_status"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (d *connectionLinkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link"
}

// statusNames lists the status words in status order.
var statusNames = []string{
	albato.StatusWaiting.Name(), albato.StatusGranted.Name(),
	albato.StatusWaitingOAuth.Name(), albato.StatusRevoked.Name(),
}

func (d *connectionLinkDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := linkDataSourceAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The sharing id to read, in decimal.",
		Required:            true,
		Validators:          []validator.String{sharingIDValidator{}},
	}
	attrs["wait_for_status"] = schema.SetAttribute{
		MarkdownDescription: "Wait until the link's status is one of these names (`waiting`, `granted`, " +
			"`waiting_oauth`, `revoked`), e.g. `[\"granted\"]` to wait for the end user. The link is read again " +
			"with a growing pause, from about 1 second up to 15 seconds, for at most `timeouts.read` " +
			"(default `10m`). A link already in the set returns at once; one that is or becomes revoked or " +
			"expired while waiting for another status is an error at once, and so is running out of time. " +
			"A Ctrl-C ends the wait when the CLI passes it on: during `terraform plan` always, during the plan " +
			"of an apply or a destroy on Terraform 1.16 but not on Terraform 1.5 to 1.13 or OpenTofu 1.12.",
		ElementType: types.StringType,
		Optional:    true,
		Validators: []validator.Set{
			setvalidator.SizeAtLeast(1),
			setvalidator.ValueStringsAre(stringvalidator.OneOf(statusNames...)),
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one connection link (an Albato *sharing*) by id and, optionally, waits until " +
			"its end user has completed it. Use it in a later stage, or a later `terraform apply`, to pick up the " +
			"`credential_id` of a link created by the `albato_connection_link` resource.\n\n" +
			"`expires_at` here counts 48 hours from `date_created`: unlike the resource, the data source cannot " +
			"know when a token was last regenerated.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.BlockWithOpts(ctx, timeouts.Opts{}),
		},
	}
}

// linkDataSourceAttributes are the computed attributes of one link, shared
// by the single-link data source and the items of the list.
func linkDataSourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":            schema.StringAttribute{MarkdownDescription: "The sharing id, in decimal.", Computed: true},
		"partner_id":    schema.Int64Attribute{MarkdownDescription: "The partner (app) id.", Computed: true},
		"title":         schema.StringAttribute{MarkdownDescription: "Title of the link.", Computed: true},
		"token":         schema.StringAttribute{MarkdownDescription: "The one-time token; null once the link is granted or revoked (the token is spent or dead).", Computed: true, Sensitive: true},
		"link":          schema.StringAttribute{MarkdownDescription: "The link to hand to the end user: `<connect_url>?id=<partner_id>&token=<token>`. Anyone holding it can create the connection until it is used, revoked or expired. Null once the link is granted or revoked.", Computed: true, Sensitive: true},
		"status":        schema.Int64Attribute{MarkdownDescription: "`0` waiting, `1` granted, `2` waiting for OAuth, `3` revoked.", Computed: true},
		"status_name":   schema.StringAttribute{MarkdownDescription: "`waiting`, `granted`, `waiting_oauth` or `revoked`.", Computed: true},
		"credential_id": schema.Int64Attribute{MarkdownDescription: "Null until status `1`; then the id of the connection created.", Computed: true},
		"date_created":  schema.StringAttribute{MarkdownDescription: "When the API created the link, RFC 3339 in UTC; null until the API reports it.", Computed: true},
		"expires_at":    schema.StringAttribute{MarkdownDescription: "RFC 3339 in UTC: 48 hours after `issued_at`.", Computed: true},
		"issued_at":     schema.Int64Attribute{MarkdownDescription: "When the token was issued as far as the API tells, in Unix seconds: `date_created`, since a later regeneration of the token, which only the resource knows of, may not move it. Null until the API reports `date_created`.", Computed: true},
		"expired":       schema.BoolAttribute{MarkdownDescription: "Whether the link is waiting and at or past `expires_at`.", Computed: true},
	}
}

func (d *connectionLinkDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, resp.Diagnostics.AddError); pd != nil {
		d.data = pd
	}
}

func (d *connectionLinkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, d.data)
	var model connectionLinkDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := sharingID(model.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
	if !ok {
		return
	}

	var want []string
	if !model.WaitForStatus.IsNull() && !model.WaitForStatus.IsUnknown() {
		resp.Diagnostics.Append(model.WaitForStatus.ElementsAs(ctx, &want, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	if d.waitForStatus(ctx, id, want, &model, resp) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
	}
}

// waitForStatus reads the link into model, and while wait_for_status is set
// and not met, reads it again with a growing pause. Diagnostics go into resp;
// ok is false when the wait failed.
func (d *connectionLinkDataSource) waitForStatus(ctx context.Context, id int64, want []string,
	model *connectionLinkDataSourceModel, resp *datasource.ReadResponse,
) (ok bool) {
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
	}
	timeout := defaultWaitTimeout
	if len(want) > 0 {
		t, ds := model.Timeouts.Read(ctx, defaultWaitTimeout)
		resp.Diagnostics.Append(ds...)
		if ds.HasError() {
			return false
		}
		timeout = t
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	pause := d.data.pollMin
	for attempt := 1; ; attempt++ {
		current, err := d.data.client.GetSharing(ctx, id)
		if err != nil {
			d.reportWaitError(ctx, resp, id, want, timeout, err)
			return false
		}
		ctx = withSecretsMasked(ctx, d.data, current.Token)
		model.fill(current, d.data, time.Time{})
		name := current.Status.Name()
		if len(want) == 0 || wanted[name] {
			return true
		}
		if why := neverReaches(model.linkAttributes, want); why != "" {
			resp.Diagnostics.AddAttributeError(path.Root("wait_for_status"), "Connection Link Can No Longer Reach the Status", why)
			return false
		}
		tflog.Debug(ctx, "Waiting for connection link status", map[string]any{
			"id": id, "status": name, "want": strings.Join(sorted(want), ","), "attempt": attempt, "pause": pause.String(),
		})
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			d.reportWaitError(ctx, resp, id, want, timeout, ctx.Err())
			return false
		case <-timer.C:
		}
		pause = min(pause*3/2+pause/10, d.data.pollMax) // grows by about 1.6x per read
	}
}

// neverReaches says why a link, revoked or expired, will never reach any
// status of want, and the remedy: what the albato_connection_link resource
// does at its next apply (re-create a revoked link with a new id, regenerate
// an expired one in place). "" while it still may.
func neverReaches(link linkAttributes, want []string) string {
	var state, remedy string
	switch {
	case link.Status.ValueInt64() == int64(albato.StatusRevoked):
		state, remedy = "revoked", "The next apply of the albato_connection_link resource that manages it "+
			"creates a new link, with a new id: hand that link out, and wait for the new id."
	case link.Expired.ValueBool():
		state = "expired at " + link.ExpiresAt.ValueString()
		remedy = "The next apply of the albato_connection_link resource that manages it regenerates it in " +
			"place (same id, new token) unless its regenerate_when_expired is false: hand the new link out."
	default:
		return ""
	}
	return fmt.Sprintf("Connection link %s is %s, so it will never become %s. %s",
		link.ID.ValueString(), state, strings.Join(sorted(want), " or "), remedy)
}

func (d *connectionLinkDataSource) reportWaitError(_ context.Context, resp *datasource.ReadResponse, id int64, want []string, timeout time.Duration, err error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded) && len(want) > 0:
		resp.Diagnostics.AddError("Timed Out Waiting for Connection Link",
			fmt.Sprintf("Connection link %d did not become %s within the read timeout of %s. Raise it with "+
				"timeouts { read = \"...\" }, or check with the end user.", id, strings.Join(sorted(want), " or "), timeout))
	case errors.Is(err, context.Canceled) && len(want) > 0:
		resp.Diagnostics.AddError("Stopped Waiting for Connection Link",
			fmt.Sprintf("Terraform was interrupted while waiting for connection link %d to become %s.", id, strings.Join(sorted(want), " or ")))
	case albato.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Connection Link Not Found",
			fmt.Sprintf("There is no connection link with id %d in this Albato account.", id))
	default:
		resp.Diagnostics.AddError("Unable to Read Connection Link", d.data.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err))
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
