package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var _ action.ActionWithConfigure = (*waitAction)(nil)

func NewConnectionLinkWaitAction() action.Action { return &waitAction{} }

type waitAction struct{ data *providerData }

type waitActionModel struct {
	IDs      []string     `tfsdk:"ids"`
	Statuses []string     `tfsdk:"statuses"`
	Timeout  types.String `tfsdk:"timeout"`
}

func (a *waitAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_link_wait"
}

func (a *waitAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Waits until every one of some connection links is in one of `statuses` (by default, " +
			"until their end users have completed them), reporting progress as it goes (Terraform 1.14 and later; " +
			"OpenTofu 1.12 has no actions). It never changes a link.\n\n" +
			"The links are read at once, then again with a growing pause, from about " + inWords(defaultPollFirst) +
			" up to " + inWords(defaultPollLongest) + ", until `timeout` has passed: one request for a single link, " +
			"and for several one listing of the account per round (or a request per link, when that is fewer). A " +
			"progress event such as `2 of 3 links granted; waiting for 61 (Globex)` is sent when the picture " +
			"changes, at most one every " + inWords(progressGapPolls*defaultPollFirst) + ".\n\n" +
			"Every link is read at least once, whatever `timeout`: `timeout = \"0s\"` checks once. Once every link " +
			"is in `statuses`, the links seen there in an earlier round are read once more, and the action succeeds " +
			"only if they still are: its result holds when it ends (a progress event says what was seen when it was " +
			"sent).\n\n" +
			"Only a revoked or deleted link ends the wait early. A link that is revoked, or that the API no longer " +
			"knows (404, counted as revoked), fails the action, naming it and what to do, unless `statuses` includes " +
			"`revoked` (then that link is done): at once while it is waited for, and at that last reading when it " +
			"was in `statuses` before. Any other link is waited for until `timeout`, whose error names the links " +
			"still waiting and, for each whose `expires_at` (counted from `date_created`) has passed, what that may " +
			"mean: the wait never fails on that date alone, since a regenerated link may keep it. Interrupting " +
			"Terraform (Ctrl-C) ends the wait within a second. Terraform 1.16.4 then fails an apply that triggered " +
			"the action (`execution halted`), but ends `terraform apply -invoke` with `Apply complete!` and exit " +
			"code 0, dropping the action's error: a script must not take that exit code after an interrupt for every " +
			"client having acted.\n\n" +
			"Unlike the `albato_connection_link` data source's `wait_for_status`, the action runs only when it is " +
			"invoked (`terraform apply -invoke=action.albato_connection_link_wait.<name>`) or triggered " +
			"(`lifecycle { action_trigger { ... } }`), never during `plan` or `destroy`.",
		Attributes: map[string]schema.Attribute{
			"ids": schema.ListAttribute{ElementType: types.StringType, Required: true,
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(sharingIDValidator)},
				MarkdownDescription: "The sharing ids of the links to wait for, in decimal, e.g. " +
					"`[for l in albato_connection_link.clients : l.id]`."},
			"statuses": schema.SetAttribute{ElementType: types.StringType, Optional: true,
				Validators: wantedStatusesValidators,
				MarkdownDescription: "The status names that end the wait for a link: " + statusNameList("") + ". " +
					"Defaults to `[\"" + albato.StatusGranted.Name() + "\"]`, as the data source's " +
					"`wait_for_status` is mostly used."},
			"timeout": schema.StringAttribute{Optional: true,
				Validators: []validator.String{durationValidator},
				MarkdownDescription: "How long to wait for all the links, as a Go duration such as `\"30m\"` or " +
					"`\"2h\"`. Defaults to `\"" + goDuration(defaultWaitTimeout) + "\"`, as the data source's `timeouts.read`."},
		},
	}
}

func (a *waitAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *waitAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg waitActionModel
	ctx, ok := a.data.decode(ctx, req.Config, &cfg, &resp.Diagnostics)
	if !ok || !validateAtInvoke(ctx, a, req.Config, &resp.Diagnostics) {
		return
	}
	wait := linkWait{want: cfg.Statuses, timeout: defaultWaitTimeout, idsAt: path.Root("ids"),
		timeoutAt: path.Root("timeout"), raise: "To wait longer, raise the action's timeout argument (for example " +
			"timeout = \"30m\"), or check with the end users; invoking the action again goes on waiting."}
	if resp.SendProgress != nil {
		wait.progress = func(msg string) { resp.SendProgress(action.InvokeProgressEvent{Message: msg}) }
	}
	if wait.want == nil {
		wait.want = []string{albato.StatusGranted.Name()}
	}
	if !cfg.Timeout.IsNull() {
		wait.timeout = parseDuration(cfg.Timeout.ValueString(), path.Root("timeout"), &resp.Diagnostics)
	}
	for i, raw := range cfg.IDs {
		if id, ok := sharingID(raw, path.Root("ids").AtListIndex(i), &resp.Diagnostics); ok {
			wait.ids = append(wait.ids, id)
		}
	}
	if !resp.Diagnostics.HasError() && wait.run(ctx, a.data, &resp.Diagnostics) {
		tflog.Info(ctx, "Connection links reached the wanted status",
			map[string]any{"links": len(wait.ids), "want": wait.wantText()})
	}
}
