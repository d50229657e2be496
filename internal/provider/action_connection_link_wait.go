package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

var (
	_ action.Action              = (*waitAction)(nil)
	_ action.ActionWithConfigure = (*waitAction)(nil)
)

// progressGapPolls is how many of the shortest pauses between reads must
// pass between two progress events (5 seconds in use), so that a busy
// picture does not flood the terminal.
const progressGapPolls = 5

// maxNamedInProgress bounds how many waiting links a progress event names.
const maxNamedInProgress = 5

// NewConnectionLinkWaitAction returns the albato_connection_link_wait action.
func NewConnectionLinkWaitAction() action.Action {
	return &waitAction{}
}

type waitAction struct {
	data *providerData
}

type waitActionModel struct {
	IDs      types.List   `tfsdk:"ids"`
	Statuses types.Set    `tfsdk:"statuses"`
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
			"The links are read again with a growing pause, from about 1 second up to 15 seconds: one request for " +
			"a single link, and for several one listing of the account per round (or a request per link, when " +
			"that is fewer). A progress event such as `2 of 3 links granted; waiting for 61 (Globex)` is sent " +
			"when the picture changes, at most one every 5 seconds.\n\n" +
			"A link that is, or becomes, revoked, deleted or expired (waiting and past its `expires_at`, judged " +
			"from `date_created` as the data source judges it) while not in `statuses` fails the action at once, " +
			"naming it and what to do; so does running out of `timeout`, naming the links still waiting. " +
			"Interrupting Terraform (Ctrl-C) ends the wait within a second. Terraform 1.16.4 then fails an " +
			"apply that triggered the action (`execution halted`), but ends `terraform apply -invoke` with " +
			"`Apply complete!` and exit code 0, dropping the action's error: a script must not take that exit " +
			"code after an interrupt for every client having acted.\n\n" +
			"Unlike the `albato_connection_link` data source's `wait_for_status`, the action runs only when it is " +
			"invoked (`terraform apply -invoke=action.albato_connection_link_wait.<name>`) or triggered " +
			"(`lifecycle { action_trigger { ... } }`), never during `plan` or `destroy`.",
		Attributes: map[string]schema.Attribute{
			"ids": schema.ListAttribute{
				MarkdownDescription: "The sharing ids of the links to wait for, in decimal, e.g. " +
					"`[for l in albato_connection_link.clients : l.id]`.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(sharingIDValidator{}),
				},
			},
			"statuses": schema.SetAttribute{
				MarkdownDescription: "The status names that end the wait for a link: `waiting`, `granted`, " +
					"`waiting_oauth`, `revoked`. Defaults to `[\"granted\"]`, as the data source's " +
					"`wait_for_status` is mostly used.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(statusNames...)),
				},
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: "How long to wait for all the links, as a Go duration such as `\"30m\"` or " +
					"`\"2h\"`. Defaults to `\"10m\"`, as the data source's `timeouts.read`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

func (a *waitAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, resp.Diagnostics.AddError); pd != nil {
		a.data = pd
	}
}

// waitedLink is one link of the wait as last read.
type waitedLink struct {
	id    int64
	title string
	done  bool // in one of the statuses
}

func (a *waitAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	if !a.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = withSecretsMasked(ctx, a.data)
	var cfg waitActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	w, ok := newWaitRun(ctx, a.data, cfg, &resp.Diagnostics)
	if !ok {
		return
	}
	w.send = func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	w.run(ctx, &resp.Diagnostics)
}

// waitRun is one invocation of the wait action.
type waitRun struct {
	data    *providerData
	links   []*waitedLink
	wanted  map[string]bool
	want    string // the statuses, for messages
	timeout time.Duration
	pages   int // the account's pages, as the last round's reader learnt them; 0 before
	send    func(string)

	lastSent    string
	lastSentAt  time.Time
	progressGap time.Duration
}

func newWaitRun(ctx context.Context, pd *providerData, cfg waitActionModel, diags *diag.Diagnostics) (*waitRun, bool) {
	var rawIDs, statuses []string
	diags.Append(cfg.IDs.ElementsAs(ctx, &rawIDs, false)...)
	if !cfg.Statuses.IsNull() {
		diags.Append(cfg.Statuses.ElementsAs(ctx, &statuses, false)...)
	}
	if diags.HasError() {
		return nil, false
	}
	if len(statuses) == 0 {
		statuses = []string{albato.StatusGranted.Name()}
	}
	w := &waitRun{data: pd, wanted: map[string]bool{}, timeout: defaultWaitTimeout, progressGap: progressGapPolls * pd.pollMin}
	for _, s := range statuses {
		w.wanted[s] = true
	}
	w.want = strings.Join(sorted(statuses), " or ")
	if !cfg.Timeout.IsNull() {
		d, err := time.ParseDuration(cfg.Timeout.ValueString())
		if err != nil || d < 0 {
			diags.AddAttributeError(path.Root("timeout"), "Invalid Duration",
				fmt.Sprintf("%q is not a non-negative Go duration such as \"30m\".", cfg.Timeout.ValueString()))
			return nil, false
		}
		w.timeout = d
	}
	for i, raw := range rawIDs {
		id, ok := sharingID(raw, path.Root("ids").AtListIndex(i), diags)
		if !ok {
			return nil, false
		}
		w.links = append(w.links, &waitedLink{id: id})
	}
	return w, true
}

// run polls until every link is done, one fails, time runs out or ctx ends.
func (w *waitRun) run(ctx context.Context, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	pause := w.data.pollMin
	for {
		pending := w.pending()
		read, err := w.read(ctx, pending)
		if err != nil {
			w.reportError(ctx, diags, err)
			return
		}
		for _, l := range pending {
			s := read[l.id]
			l.title = s.Title
			var attrs linkAttributes
			attrs.fill(s, w.data, time.Time{})
			name := s.Status.Name()
			if w.wanted[name] {
				l.done = true
				continue
			}
			if s.Status == albato.StatusRevoked || attrs.Expired.ValueBool() {
				w.reportDead(diags, l, s.Status == albato.StatusRevoked, attrs.ExpiresAt.ValueString())
				return
			}
		}
		done := len(w.links) - len(w.pending())
		if done == len(w.links) {
			w.progress(fmt.Sprintf("%d of %d %s %s.", done, len(w.links), plural(len(w.links), "link", "links"), w.want))
			tflog.Info(ctx, "Connection links reached the wanted status", map[string]any{"links": len(w.links), "want": w.want})
			return
		}
		w.progress(w.picture(done))
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			w.reportError(ctx, diags, ctx.Err())
			return
		case <-timer.C:
		}
		pause = min(pause*3/2+pause/10, w.data.pollMax) // grows by about 1.6x per read, as the data source's
	}
}

func (w *waitRun) pending() []*waitedLink {
	var out []*waitedLink
	for _, l := range w.links {
		if !l.done {
			out = append(out, l)
		}
	}
	return out
}

// read reads the pending links as the resource's refreshes are read, with
// a sharing reader of its own for each round (a round must see the API as
// it is now, never an earlier round's listing) that starts knowing the
// account's pages from the rounds before: a GET each while that costs less
// than listing the account, else one listing.
func (w *waitRun) read(ctx context.Context, pending []*waitedLink) (map[int64]*albato.Sharing, error) {
	reads := newSharingReader(w.data.client, true)
	reads.pages = w.pages
	defer func() { w.pages = reads.pages }()
	out := make(map[int64]*albato.Sharing, len(pending))
	for _, l := range pending {
		s, err := reads.Get(ctx, l.id)
		if err != nil {
			return nil, &waitReadError{id: l.id, err: err}
		}
		out[l.id] = s
	}
	return out, nil
}

// waitReadError is a failed read of one link.
type waitReadError struct {
	id  int64
	err error
}

func (e *waitReadError) Error() string { return e.err.Error() }
func (e *waitReadError) Unwrap() error { return e.err }

// picture is the progress message: "2 of 3 links granted; waiting for 61
// (Globex)".
func (w *waitRun) picture(done int) string {
	var names []string
	pending := w.pending()
	for i, l := range pending {
		if i == maxNamedInProgress {
			names = append(names, fmt.Sprintf("and %d more", len(pending)-i))
			break
		}
		names = append(names, describeLink(l))
	}
	return fmt.Sprintf("%d of %d %s %s; waiting for %s", done, len(w.links), plural(len(w.links), "link", "links"),
		w.want, strings.Join(names, ", "))
}

// progress sends msg when it differs from the last message sent and the
// last was sent long enough ago.
func (w *waitRun) progress(msg string) {
	now := time.Now()
	if msg == w.lastSent || (!w.lastSentAt.IsZero() && now.Sub(w.lastSentAt) < w.progressGap) {
		return
	}
	w.lastSent, w.lastSentAt = msg, now
	w.send(msg)
}

func describeLink(l *waitedLink) string {
	if l.title == "" {
		return strconv.FormatInt(l.id, 10)
	}
	return fmt.Sprintf("%d (%s)", l.id, l.title)
}

// reportDead fails the wait on a link that can never reach the statuses.
func (w *waitRun) reportDead(diags *diag.Diagnostics, l *waitedLink, revoked bool, expiresAt string) {
	// The remedy is what the albato_connection_link resource does at its
	// next apply: it re-creates a revoked link (new id) and regenerates an
	// expired one in place (same id).
	state, remedy := "revoked", "If an albato_connection_link resource manages it, the next terraform apply creates "+
		"a new link in its place, with a new id: hand that link out, and wait for the new id."
	if !revoked {
		state = "expired at " + expiresAt
		remedy = "If an albato_connection_link resource manages it, the next terraform apply regenerates it in place " +
			"(same id, new token) unless its regenerate_when_expired is false; or regenerate it now with the " +
			"albato_connection_link_regenerate action. Then hand the new link out."
	}
	diags.AddAttributeError(path.Root("ids"), "Connection Link Can No Longer Reach the Status",
		fmt.Sprintf("Connection link %s is %s, so it will never become %s. %s", describeLink(l), state, w.want, remedy))
}

// reportError turns a failed read, the timeout or an interrupt into a
// diagnostic.
func (w *waitRun) reportError(ctx context.Context, diags *diag.Diagnostics, err error) {
	var one *waitReadError
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		var names []string
		for _, l := range w.pending() {
			names = append(names, describeLink(l))
		}
		diags.AddAttributeError(path.Root("timeout"), "Timed Out Waiting for Connection Links",
			fmt.Sprintf("%s did not become %s within the timeout of %s: %s. Raise timeout, or check with the end "+
				"users; invoke the action again to go on waiting.",
				plural(len(names), "One link", fmt.Sprintf("%d links", len(names))), w.want, w.timeout, strings.Join(names, ", ")))
	case errors.Is(err, context.Canceled):
		diags.AddError("Stopped Waiting for Connection Links",
			fmt.Sprintf("Terraform was interrupted while waiting for connection links to become %s.", w.want))
	case errors.As(err, &one) && albato.IsNotFound(one.err):
		diags.AddAttributeError(path.Root("ids"), "Connection Link Not Found",
			fmt.Sprintf("There is no connection link with id %d in this Albato account: it was deleted, or the id is "+
				"wrong, so it will never become %s. Remove it from ids; if an albato_connection_link resource "+
				"managed it, the next terraform apply creates a new link in its place.", one.id, w.want))
	case errors.As(err, &one):
		diags.AddError("Unable to Read Connection Link",
			w.data.apiErrorDetail(fmt.Sprintf("read connection link %d", one.id), one.err))
	default:
		diags.AddError("Unable to List Connection Links", w.data.apiErrorDetail("list connection links", err))
	}
}
