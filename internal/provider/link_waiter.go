package provider

// The one wait for links to reach a status: the data source's
// wait_for_status and the wait action (DESIGN.md, "Which view knows what").

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

const (
	defaultWaitTimeout = 10 * time.Minute
	progressGapPolls   = 5 // shortest pauses between two progress events (5 s in use)
	maxNamedInProgress = 5 // waiting links a message names
)

// wantedStatusesValidators check the statuses a wait is for.
var wantedStatusesValidators = []validator.Set{
	setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(statusNames...)),
}

// linkWait is one wait: for every link of ids to reach a status of want.
type linkWait struct {
	ids       []int64
	want      []string // status names
	timeout   time.Duration
	raise     string    // how to give the wait more time, for its message
	idsAt     path.Path // where a failure of one link points
	timeoutAt path.Path
	progress  func(string) // nil to send none

	read     map[int64]*albato.Sharing // each link as last read
	gap      time.Duration             // between two progress events
	lastSent string
	sentAt   time.Time
}

// run reads the links with a growing pause until every one is in want, and
// returns them as last read; nil when the wait failed. Only a revoked or
// deleted link ends it early: an expiry by date_created is a hint.
func (w *linkWait) run(ctx context.Context, pd *providerData, diags *diag.Diagnostics) map[int64]*albato.Sharing {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	w.read = make(map[int64]*albato.Sharing, len(w.ids))
	w.gap = progressGapPolls * pd.pollMin
	pause, pages := pd.pollMin, 0
	for round := 1; ; round++ {
		// A reader per round: each round must see the API as it is now.
		reads := &sharingReader{client: pd.client, pages: pages}
		for _, id := range w.pending() {
			s, err := reads.Get(ctx, id)
			if err != nil {
				w.fail(parent, ctx, pd, id, err, diags)
				return nil
			}
			w.read[id] = s
			if s.Status == albato.StatusRevoked && !w.reached(s) {
				diags.AddAttributeError(w.idsAt, "Connection Link Can No Longer Reach the Status",
					fmt.Sprintf("Connection link %s is revoked, so it will never become %s. %s", w.describe(id),
						w.wantText(), recreateRemedy))
				return nil
			}
		}
		pages = reads.pages
		pending := w.pending()
		progress := fmt.Sprintf("%d of %d %s %s", len(w.ids)-len(pending), len(w.ids), plural(len(w.ids), "link", "links"),
			w.wantText())
		if len(pending) == 0 {
			w.send(progress + ".")
			return w.read
		}
		w.send(progress + "; waiting for " + w.names(pending))
		tflog.Debug(ctx, "Waiting for connection links", map[string]any{
			"pending": len(pending), "want": w.wantText(), "round": round, "pause": pause.String()})
		select {
		case <-ctx.Done():
			w.fail(parent, ctx, pd, 0, ctx.Err(), diags)
			return nil
		case <-time.After(pause):
		}
		pause = nextPause(pause, pd.pollMax)
	}
}

// nextPause grows a wait's pause by 1.6x a round, up to most.
func nextPause(pause, most time.Duration) time.Duration { return min(pause*3/2+pause/10, most) }

func (w *linkWait) reached(s *albato.Sharing) bool {
	return slices.Contains(w.want, s.Status.Name())
}

func (w *linkWait) pending() []int64 {
	var out []int64
	for _, id := range w.ids {
		if s := w.read[id]; s == nil || !w.reached(s) {
			out = append(out, id)
		}
	}
	return out
}

func (w *linkWait) fail(parent, ctx context.Context, pd *providerData, id int64, err error, diags *diag.Diagnostics) {
	pending := w.pending()
	switch {
	case parent.Err() != nil:
		diags.AddError("Stopped Waiting for Connection Links",
			fmt.Sprintf("The run was interrupted while waiting for %s to become %s.", w.names(pending), w.wantText()))
	case ctx.Err() != nil:
		diags.AddAttributeError(w.timeoutAt, "Timed Out Waiting for Connection Links",
			fmt.Sprintf("%s did not become %s within the timeout of %s: %s. %s%s", plural(len(pending),
				"One link", strconv.Itoa(len(pending))+" links"), w.wantText(), w.timeout, w.names(pending),
				w.expiryHints(pd, pending), w.raise))
	case albato.IsNotFound(err):
		diags.Append(linkNotFound(w.idsAt, id, fmt.Sprintf(" So it will never become %s. %s", w.wantText(), recreateRemedy)))
	default:
		diags.AddError(pd.readError(id, err))
	}
}

// expiryHints words what to do about the links whose date says they expired.
func (w *linkWait) expiryHints(pd *providerData, pending []int64) string {
	var b strings.Builder
	for _, id := range pending {
		if s := w.read[id]; s != nil && viewOf(s, pd).Expired.ValueBool() {
			fmt.Fprintf(&b, "Connection link %s's date says it expired at %s; a regenerated link may not move "+
				"that date, so it may still be usable. If it was not regenerated since, regenerate it (the "+
				"albato_connection_link resource does at its next apply, unless regenerate_when_expired is false; "+
				"the albato_connection_link_regenerate action does now) and hand the new link out. ",
				w.describe(id), viewOf(s, pd).ExpiresAt.ValueString())
		}
	}
	return b.String()
}

// send sends a progress event that differs from the last, sent long enough ago.
func (w *linkWait) send(msg string) {
	now := time.Now()
	if w.progress == nil || msg == w.lastSent || (!w.sentAt.IsZero() && now.Sub(w.sentAt) < w.gap) {
		return
	}
	w.lastSent, w.sentAt = msg, now
	w.progress(msg)
}

func (w *linkWait) wantText() string {
	want := slices.Clone(w.want)
	slices.Sort(want)
	return strings.Join(want, " or ")
}

func (w *linkWait) names(ids []int64) string {
	var names []string
	for i, id := range ids {
		if i == maxNamedInProgress {
			names = append(names, fmt.Sprintf("and %d more", len(ids)-i))
			break
		}
		names = append(names, w.describe(id))
	}
	return strings.Join(names, ", ")
}

// describe is "61 (Acme)", or "61" before the link was read.
func (w *linkWait) describe(id int64) string {
	if s := w.read[id]; s != nil && s.Title != "" {
		return fmt.Sprintf("%d (%s)", id, s.Title)
	}
	return strconv.FormatInt(id, 10)
}
