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

var wantedStatusesValidators = []validator.Set{
	setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(statusNames...)),
}

// waitClock is the wall clock, or, in tests, a clock that moves only when the wait pauses.
type waitClock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// linkWait is one wait: for every link of ids to reach a status of want.
type linkWait struct {
	ids       []int64
	want      []string // status names
	timeout   time.Duration
	raise     string    // how to give the wait more time, for its message
	idsAt     path.Path // where a failure of one link points
	timeoutAt path.Path
	progress  func(string) // nil to send none
	clock     waitClock    // nil: the wall clock

	read     map[int64]*albato.Sharing // each link as last read
	deleted  map[int64]bool            // links the API answered 404 for: revoked, for a wait
	readIn   map[int64]int             // the round of each link's last reading
	doneIn   int                       // the round in which every link was in want; 0 while one is not
	gap      time.Duration             // between two progress events
	lastSent string
	sentAt   time.Time
}

// run reads the links with a growing pause until every one is in want, and
// reports whether they got there (w.read then holds them), by the rules of
// DESIGN.md's "Which view knows what": the deadline is judged between rounds,
// success is read again at the end, only a revoked or deleted link ends it early.
func (w *linkWait) run(ctx context.Context, pd *providerData, diags *diag.Diagnostics) bool {
	if w.clock == nil {
		w.clock = wallClock{}
	}
	deadline := w.clock.Now().Add(w.timeout)
	w.read, w.deleted, w.readIn = make(map[int64]*albato.Sharing, len(w.ids)), map[int64]bool{}, map[int64]int{}
	w.gap = progressGapPolls * pd.pollMin
	pause, pages := pd.pollMin, 0
	for round := 1; ; round++ {
		if !w.readRound(ctx, pd, round, &pages, diags) {
			return false
		}
		pending := w.pending()
		switch {
		case len(pending) > 0:
			w.doneIn = 0
		case w.doneIn == 0:
			w.doneIn = round
		}
		progress := fmt.Sprintf("%d of %d %s %s", len(w.ids)-len(pending), len(w.ids), plural(len(w.ids), "link", "links"),
			w.wantText())
		if len(pending) == 0 {
			if len(w.toRead()) > 0 {
				continue // read again now the links that were in want in an earlier round
			}
			w.send(progress + ".")
			return true
		}
		w.send(progress + "; waiting for " + w.names(pending))
		left := deadline.Sub(w.clock.Now())
		if left <= 0 {
			w.timedOut(pd, pending, diags)
			return false
		}
		tflog.Debug(ctx, "Waiting for connection links", map[string]any{
			"pending": len(pending), "want": w.wantText(), "round": round, "pause": pause.String()})
		select {
		case <-ctx.Done():
			w.interrupted(diags)
			return false
		case <-w.clock.After(min(pause, left)):
		}
		pause = nextPause(pause, pd.pollMax)
	}
}

// readRound reads the links to read, with a reader of its own: each round
// must see the API as it is now.
func (w *linkWait) readRound(ctx context.Context, pd *providerData, round int, pages *int, diags *diag.Diagnostics) bool {
	reads := &sharingReader{client: pd.client, pages: *pages}
	defer func() { *pages = reads.pages }()
	for _, id := range w.toRead() {
		s, err := reads.Get(ctx, id)
		switch {
		case err != nil && linkGone(nil, err):
			s = &albato.Sharing{ID: id, Status: albato.StatusRevoked} // revoked, for a wait
			if last := w.read[id]; last != nil {
				s.Title = last.Title // for messages
			}
			w.deleted[id] = true
		case err != nil && ctx.Err() != nil:
			w.interrupted(diags)
			return false
		case err != nil:
			diags.AddError(pd.readError(id, err))
			return false
		}
		w.read[id], w.readIn[id] = s, round
		if linkGone(s, nil) && !w.reached(s) {
			w.dead(id, diags)
			return false
		}
	}
	return true
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

// toRead is what the next round reads: the links not in want, and, once
// every link is, those last read before that round.
func (w *linkWait) toRead() []int64 {
	out := w.pending()
	for _, id := range w.ids {
		if s := w.read[id]; s != nil && w.reached(s) && w.doneIn > 0 && w.readIn[id] < w.doneIn {
			out = append(out, id)
		}
	}
	return out
}

// dead fails the wait on a revoked or deleted link, which can never reach want.
func (w *linkWait) dead(id int64, diags *diag.Diagnostics) {
	if w.deleted[id] {
		diags.Append(linkNotFound(w.idsAt, id, fmt.Sprintf(" So it will never become %s. %s", w.wantText(), recreateRemedy)))
		return
	}
	diags.AddAttributeError(w.idsAt, "Connection Link Can No Longer Reach the Status",
		fmt.Sprintf("Connection link %s is revoked, so it will never become %s. %s", w.describe(id), w.wantText(),
			recreateRemedy))
}

func (w *linkWait) interrupted(diags *diag.Diagnostics) {
	pending := w.pending()
	diags.AddError("Stopped Waiting for "+plural(len(pending), "Connection Link", "Connection Links"),
		fmt.Sprintf("The run was interrupted while waiting for %s to become %s.", w.names(pending), w.wantText()))
}

func (w *linkWait) timedOut(pd *providerData, pending []int64, diags *diag.Diagnostics) {
	what := "Connection link " + w.names(pending)
	if len(pending) > 1 {
		what = fmt.Sprintf("%d connection links (%s)", len(pending), w.names(pending))
	}
	diags.AddAttributeError(w.timeoutAt, "Timed Out Waiting for "+plural(len(pending), "Connection Link", "Connection Links"),
		fmt.Sprintf("%s did not become %s within the timeout of %s. %s%s", what, w.wantText(), w.timeout,
			w.expiryHints(pd, pending), w.raise))
}

// expiryHints words what to do about the links whose date says they expired.
func (w *linkWait) expiryHints(pd *providerData, pending []int64) string {
	var b strings.Builder
	for _, id := range pending {
		if s := w.read[id]; s != nil && viewOf(s, pd).Expired.ValueBool() {
			fmt.Fprintf(&b, "Connection link %s has an expires_at of %s, which has passed; but it is counted %s from "+
				"date_created, which a regeneration may not move, so the link may still be usable. If it was not "+
				"regenerated since, regenerate it (the albato_connection_link resource does at its next apply, unless "+
				"regenerate_when_expired is false; the albato_connection_link_regenerate action does now) and hand "+
				"the new link out. ", w.describe(id), viewOf(s, pd).ExpiresAt.ValueString(), inWords(linkLifetime))
		}
	}
	return b.String()
}

// send sends a progress event that differs from the last, sent long enough
// ago (the first always: since the zero time, the gap has passed).
func (w *linkWait) send(msg string) {
	now := w.clock.Now()
	if w.progress == nil || msg == w.lastSent || now.Sub(w.sentAt) < w.gap {
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
