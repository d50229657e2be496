package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"pgregory.net/rapid"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// A wait's pause grows by 1.6x a round from the shortest to the longest,
// and stays there: a quick grant is seen quickly, a slow one costs few reads.
func TestNextPause(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	for p := time.Second; len(got) < 8; p = nextPause(p, 15*time.Second) {
		got = append(got, p)
	}
	want := []time.Duration{time.Second, 1600 * time.Millisecond, 2560 * time.Millisecond, 4096 * time.Millisecond,
		6553600 * time.Microsecond, 10485760 * time.Microsecond, 15 * time.Second, 15 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
}

// A wait's messages name at most five links, then say how many more.
func TestWaitNames(t *testing.T) {
	t.Parallel()
	w := linkWait{read: map[int64]*albato.Sharing{61: {ID: 61, Title: "Acme"}}}
	if got, want := w.names([]int64{61, 62, 63, 64, 65, 66, 67}), "61 (Acme), 62, 63, 64, 65, and 2 more"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if got, want := w.names([]int64{61, 62}), "61 (Acme), 62"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
}

// virtualClock is a wait's time that moves only when the wait pauses, so
// that a wait of ten minutes takes none.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	c.mu.Unlock()
	return ch
}

// gone is a link the API answers 404 for, in a script.
const gone albato.Status = -1

// scriptedAPI answers the sharing API's reads from a script: each link's
// status (or gone) in each phase of a minute, phase 3 on for ever, on the
// clock of the wait under test.
type scriptedAPI struct {
	clock  *virtualClock
	start  time.Time
	script map[int64][]albato.Status
	phase  time.Duration // how long each status of a script lasts; 0: a minute

	mu    sync.Mutex
	reads []string // each request: the id read, or "list"
}

func (a *scriptedAPI) statusOf(id int64) albato.Status {
	phase := a.clock.Now().Sub(a.start) / cmp.Or(a.phase, time.Minute)
	return a.script[id][min(int(phase), len(a.script[id])-1)]
}

func (a *scriptedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, one := strings.CutPrefix(r.URL.Path, sharingsPath+"/")
	a.mu.Lock()
	if !one {
		rest = "list"
	}
	a.reads = append(a.reads, rest)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	item := func(id int64) map[string]any {
		var credential any
		if a.statusOf(id) == albato.StatusGranted {
			credential = 7000 + id
		}
		return map[string]any{"id": id, "partnerId": 225, "title": fmt.Sprintf("link %d", id),
			"token": fmt.Sprintf("tok-%d", id), "status": int(a.statusOf(id)), "credentialId": credential, "dateCreated": nil}
	}
	if one {
		id, err := strconv.ParseInt(rest, 10, 64)
		if _, known := a.script[id]; err != nil || !known || a.statusOf(id) == gone {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"success":false,"message":"Sharing not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": item(id)})
		return
	}
	items := []map[string]any{} // "data": [] when every link is gone, as the API lists none
	for _, id := range slices.Sorted(maps.Keys(a.script)) {
		if a.statusOf(id) != gone {
			items = append(items, item(id))
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": items,
		"meta": map[string]any{"page": 1, "totalPages": 1, "totalItemsCount": len(items)}})
}

// handlerTransport serves a client's requests with a handler, in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// waitEnd is how a wait ended: "ok" with each link's status as reported
// (deleted shown as gone), "dead <id>", or "timeout".
type waitEnd struct {
	how      string
	statuses map[int64]albato.Status
}

// expectedEnd is the rule every wait keeps, stated once. A wait reads each
// link at least once and watches it until it is in want; a link revoked or
// deleted (a 404) while revoked is not wanted fails the wait at once. When
// every link is in want, it reads again those it saw there earlier: all
// still in want, it succeeds, reporting each as that reading showed it (a
// deleted link as revoked); one revoked or deleted fails it; one otherwise
// out of want, it waits on. When the time is up it fails. Each phase of a
// script outlasts the longest pause, so the wait sees the first `phases`.
func expectedEnd(ids []int64, want []albato.Status, script map[int64][]albato.Status, phases int) waitEnd {
	wanted := func(s albato.Status) bool {
		return slices.Contains(want, s) || (s == gone && slices.Contains(want, albato.StatusRevoked))
	}
	dead := func(s albato.Status) bool { return s == albato.StatusRevoked || s == gone }
	seen := map[int64]bool{}
	for p := range phases {
		for _, id := range ids {
			switch s := script[id][p]; {
			case seen[id]:
			case wanted(s):
				seen[id] = true
			case dead(s):
				return waitEnd{how: fmt.Sprint("dead ", id)}
			}
		}
		if len(seen) < len(ids) {
			continue
		}
		end := waitEnd{how: "ok", statuses: map[int64]albato.Status{}}
		for _, id := range ids {
			switch s := script[id][p]; {
			case wanted(s):
				end.statuses[id] = s
			case dead(s):
				return waitEnd{how: fmt.Sprint("dead ", id)}
			default:
				delete(seen, id)
			}
		}
		if len(seen) == len(ids) {
			return end
		}
	}
	return waitEnd{how: "timeout"}
}

// The whole space of a wait's ending: every non-empty set of wanted
// statuses, every status a link starts in (and deleted), every change
// during the wait (none; reached, then revoked; revoked by a DELETE;
// deleted, answering 404), alone or beside a link that gets into want late,
// and a timeout of zero, shorter than the first change, or longer than the
// last. Each ends as expectedEnd says.
func TestWaitEnding(t *testing.T) {
	t.Parallel()
	live := []albato.Status{albato.StatusWaiting, albato.StatusGranted, albato.StatusWaitingOAuth}
	all := append(slices.Clone(live), albato.StatusRevoked)
	starts := append(slices.Clone(all), gone)
	changes := map[string]func(start, reached albato.Status) []albato.Status{
		"none": func(s, _ albato.Status) []albato.Status { return []albato.Status{s, s, s, s} },
		"reached, then revoked": func(s, r albato.Status) []albato.Status {
			if s == albato.StatusRevoked || s == gone {
				return []albato.Status{s, s, s, s}
			}
			return []albato.Status{s, r, albato.StatusRevoked, albato.StatusRevoked}
		},
		"revoked by a DELETE": func(s, _ albato.Status) []albato.Status {
			if s == gone {
				return []albato.Status{s, s, s, s}
			}
			return []albato.Status{s, albato.StatusRevoked, albato.StatusRevoked, albato.StatusRevoked}
		},
		"deleted, 404": func(s, _ albato.Status) []albato.Status { return []albato.Status{s, gone, gone, gone} },
	}
	timeouts := []struct {
		name   string
		d      time.Duration
		phases int
	}{{"zero", 0, 1}, {"short", 30 * time.Second, 1}, {"long", 4 * time.Minute, 4}}
	for mask := 1; mask < 1<<len(all); mask++ {
		var want []albato.Status
		for i, s := range all {
			if mask&(1<<i) != 0 {
				want = append(want, s)
			}
		}
		reached := want[0] // the first wanted status, a live one when there is one
		outside := slices.DeleteFunc(slices.Clone(live), func(s albato.Status) bool { return slices.Contains(want, s) })
		for _, start := range starts {
			for change, script := range changes {
				for _, companion := range []bool{false, true} {
					if companion && len(outside) == 0 {
						continue // no live status outside want for a link to wait in
					}
					name := fmt.Sprintf("want %v/%v/%s/companion %v", want, start, change, companion)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						// Its own deadline: a wait that never ends fails in seconds.
						ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
						defer cancel()
						s := map[int64][]albato.Status{61: script(start, reached)}
						ids := []int64{61}
						if companion {
							s[62] = []albato.Status{outside[0], outside[0], outside[0], want[0]}
							ids = append(ids, 62)
						}
						for _, to := range timeouts {
							exp := expectedEnd(ids, want, s, to.phases)
							if got := runScripted(ctx, t, ids, want, s, to.d); !reflect.DeepEqual(got, exp) {
								t.Errorf("timeout %s: the wait ended %+v, want %+v (script %v)", to.name, got, exp, s)
							}
						}
					})
				}
			}
		}
	}
}

// newScriptedWait is a scriptedAPI whose statuses last phase each (0: a
// minute), on a virtual clock from 2026-03-01 09:00 UTC, and a provider
// reading it with the provider's own pauses (1 to 15 s). In process,
// without a network: the cases are many.
func newScriptedWait(t interface{ Fatal(...any) }, script map[int64][]albato.Status, phase time.Duration) (*scriptedAPI, *providerData) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	api := &scriptedAPI{clock: &virtualClock{now: start}, start: start, script: script, phase: phase}
	c, err := albato.New(albato.Config{BaseURL: "http://albato.test", Token: testToken, AuthScheme: "Bearer",
		RetryWaitMin: time.Millisecond, HTTPClient: &http.Client{Transport: handlerTransport{api}}})
	if err != nil {
		t.Fatal(err)
	}
	return api, &providerData{client: c, now: api.clock.Now, pollMin: time.Second, pollMax: 15 * time.Second}
}

// runScripted runs one wait against a scriptedAPI, with the provider's
// own pauses (1 to 15 s) on a virtual clock, and says how it ended.
func runScripted(ctx context.Context, t *testing.T, ids []int64, want []albato.Status, script map[int64][]albato.Status, timeout time.Duration) waitEnd {
	t.Helper()
	api, pd := newScriptedWait(t, script, 0)
	w := linkWait{ids: ids, timeout: timeout, clock: api.clock}
	for _, s := range want {
		w.want = append(w.want, s.Name())
	}
	var diags diag.Diagnostics
	if w.run(ctx, pd, &diags) {
		end := waitEnd{how: "ok", statuses: map[int64]albato.Status{}}
		for _, id := range ids {
			end.statuses[id] = w.read[id].Status
			if w.deleted[id] {
				end.statuses[id] = gone
			}
		}
		return end
	}
	for _, d := range diags {
		switch {
		case strings.HasPrefix(d.Summary(), "Timed Out Waiting"):
			return waitEnd{how: "timeout"}
		case d.Summary() == "Connection Link Can No Longer Reach the Status" || d.Summary() == "Connection Link Not Found":
			for _, id := range ids {
				if strings.Contains(d.Detail(), fmt.Sprintf("link %d ", id)) || strings.Contains(d.Detail(), fmt.Sprintf("id %d ", id)) {
					return waitEnd{how: fmt.Sprint("dead ", id)}
				}
			}
		}
	}
	return waitEnd{how: fmt.Sprint(diags)}
}

// A wait's progress events are never closer together than progressGapPolls
// of its shortest pauses on its own clock, never repeat the event before,
// and the first is sent at the first reading: checked over any number of
// links whose statuses change every second in any order.
func TestWaitProgressProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a wait that never ends fails in seconds
		defer cancel()
		script := map[int64][]albato.Status{}
		ids := rapid.SliceOfNDistinct(rapid.Int64Range(61, 80), 1, 6, rapid.ID).Draw(rt, "ids")
		for _, id := range ids {
			script[id] = append(rapid.SliceOfN(rapid.SampledFrom([]albato.Status{albato.StatusWaiting, albato.StatusWaitingOAuth, albato.StatusGranted}), 0, 40).
				Draw(rt, fmt.Sprint("statuses of ", id)), albato.StatusGranted)
		}
		api, pd := newScriptedWait(rt, script, time.Second)
		clock, start := api.clock, api.start
		var events []string
		var at []time.Time
		w := linkWait{ids: ids, want: []string{albato.StatusGranted.Name()}, timeout: 5 * time.Minute, clock: clock,
			progress: func(msg string) { events, at = append(events, msg), append(at, clock.Now()) }}
		var diags diag.Diagnostics
		if !w.run(ctx, pd, &diags) {
			rt.Fatalf("the wait failed: %v", diags)
		}
		if len(at) == 0 || !at[0].Equal(start) {
			rt.Fatalf("the first reading sent no event at once: %q at %v", events, at)
		}
		for i := 1; i < len(at); i++ {
			if gap := at[i].Sub(at[i-1]); gap < progressGapPolls*pd.pollMin {
				rt.Errorf("events %d and %d came %s apart on the wait's clock, want at least %s: %q",
					i-1, i, gap, progressGapPolls*pd.pollMin, events)
			}
			if events[i] == events[i-1] {
				rt.Errorf("event %q repeated", events[i])
			}
		}
	})
}

// Once every link is in want, a wait reads again only the links it last
// read in an earlier round, once: links already in want at the first
// reading cost that one round (no link read twice, one listing at most),
// and a link that gets there last is not read again.
func TestWaitReadsAgainOnlyWhatItSawEarlier(t *testing.T) {
	t.Parallel()
	granted, waiting := albato.StatusGranted, albato.StatusWaiting
	oneRound := func(reads []string) bool {
		seen := map[string]bool{}
		for _, r := range reads {
			if seen[r] {
				return false
			}
			seen[r] = true
		}
		return true
	}
	for name, c := range map[string]struct {
		script map[int64][]albato.Status
		ok     func(reads []string) bool
	}{
		"one link, in want at once":    {map[int64][]albato.Status{61: {granted}}, oneRound},
		"three links, in want at once": {map[int64][]albato.Status{61: {granted}, 62: {granted}, 63: {granted}}, oneRound},
		"the second link gets there later": {map[int64][]albato.Status{61: {granted}, 62: {waiting, waiting, waiting, granted}},
			func(reads []string) bool { // 62 read once granted, then 61 once more
				return len(reads) > 3 && slices.Equal(reads[len(reads)-2:], []string{"62", "61"}) && reads[len(reads)-3] == "62"
			}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			api, pd := newScriptedWait(t, c.script, time.Second)
			w := linkWait{ids: slices.Sorted(maps.Keys(c.script)), want: []string{granted.Name()}, timeout: time.Minute, clock: api.clock}
			var diags diag.Diagnostics
			if !w.run(ctx, pd, &diags) {
				t.Fatalf("the wait failed: %v", diags)
			}
			if !c.ok(api.reads) {
				t.Errorf("the wait read %q (an id: its GET; list: a listing)", api.reads)
			}
		})
	}
}
