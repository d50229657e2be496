package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// progressLog records the progress events of one invocation, with when
// each came.
type progressLog struct {
	mu     sync.Mutex
	events []string
	at     []time.Time
}

func (p *progressLog) send(ev action.InvokeProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, ev.Message)
	p.at = append(p.at, time.Now())
}

func (p *progressLog) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.events...)
}

// invokeWait runs the wait action's Invoke directly against the test's
// sandbox, with polls every 20 to 200 ms, and returns its diagnostics.
func invokeWait(ctx context.Context, t *testing.T, e *testEnv, ids []int64, statuses []string, timeout string, p *progressLog) string {
	t.Helper()
	return invokeWaitPolling(ctx, t, e, ids, statuses, timeout, p, 20*time.Millisecond, 200*time.Millisecond)
}

// invokeWaitPolling is invokeWait with the pauses between reads from
// pollMin to pollMax; progress events are then at least 5 pollMin apart.
func invokeWaitPolling(ctx context.Context, t *testing.T, e *testEnv, ids []int64, statuses []string, timeout string,
	p *progressLog, pollMin, pollMax time.Duration,
) string {
	t.Helper()
	pd := e.configured(t)
	pd.pollMin, pd.pollMax = pollMin, pollMax
	a := &waitAction{data: pd}
	var sr action.SchemaResponse
	a.Schema(ctx, action.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	idVals := make([]tftypes.Value, len(ids))
	for i, id := range ids {
		idVals[i] = tftypes.NewValue(tftypes.String, strconv.FormatInt(id, 10))
	}
	statusVal := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, nil)
	if statuses != nil {
		vals := make([]tftypes.Value, len(statuses))
		for i, s := range statuses {
			vals[i] = tftypes.NewValue(tftypes.String, s)
		}
		statusVal = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vals)
	}
	timeoutVal := tftypes.NewValue(tftypes.String, nil)
	if timeout != "" {
		timeoutVal = tftypes.NewValue(tftypes.String, timeout)
	}
	raw := tftypes.NewValue(typ, map[string]tftypes.Value{
		"ids":      tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, idVals),
		"statuses": statusVal,
		"timeout":  timeoutVal,
	})
	resp := action.InvokeResponse{SendProgress: p.send}
	// A deadline of the test's own, well past the wait's: a wait that does
	// not stop fails here in seconds, not at the package's timeout.
	limit := 30 * time.Second
	if d, err := time.ParseDuration(timeout); err == nil && timeout != "" {
		limit = d + 10*time.Second
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Invoke(ctx, action.InvokeRequest{Config: tfsdk.Config{Raw: raw, Schema: sr.Schema}}, &resp)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("the wait action did not stop within %s (timeout %q): it ignores its timeout", limit, timeout)
	}
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Severity().String()+": "+d.Summary()+": "+d.Detail())
	}
	return strings.Join(out, "\n")
}

// The wait returns only once the last end user has acted, reports progress
// as the picture changes but no more often than every 5 shortest pauses
// (here 400 ms, while it reads every 80 to 90 ms), reads
// the links with one listing per round, and changes nothing.
func TestActionWait_progress(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	acme := e.seed(225, "Acme")
	globex := e.seed(225, "Globex")
	initech := e.seed(227, "Initech")
	if _, err := e.sandbox.Grant(acme); err != nil {
		t.Fatal(err)
	}
	e.sandbox.ResetRequests()
	var lastGrant time.Time
	go func() {
		time.Sleep(500 * time.Millisecond)
		if _, err := e.sandbox.Grant(initech); err != nil {
			t.Error(err)
		}
		// Less than the 400 ms between events: the last picture is not sent.
		time.Sleep(250 * time.Millisecond)
		lastGrant = time.Now()
		if _, err := e.sandbox.Grant(globex); err != nil {
			t.Error(err)
		}
	}()
	var p progressLog
	diags := invokeWaitPolling(t.Context(), t, e, []int64{acme, globex, initech}, nil, "", &p, 80*time.Millisecond, 90*time.Millisecond)
	returned := time.Now()
	if diags != "" {
		t.Fatalf("diagnostics: %s", diags)
	}
	if lastGrant.IsZero() || returned.Before(lastGrant) {
		t.Fatalf("the wait returned before the last end user acted")
	}
	events := p.all()
	// The facts of each picture: how many of the links are there, and
	// which are still waiting (by id), whatever the wording.
	for _, w := range []struct {
		facts   []string
		notWait string
	}{
		{[]string{"1 of 3", "granted", fmt.Sprint(globex), fmt.Sprint(initech)}, ""},
		{[]string{"2 of 3", "granted", fmt.Sprint(globex)}, fmt.Sprint(initech)},
	} {
		if !slices.ContainsFunc(events, func(ev string) bool {
			return saysAll(ev, w.facts...) && (w.notWait == "" || !strings.Contains(ev, w.notWait))
		}) {
			t.Errorf("no progress event saying %q in %q", w.facts, events)
		}
	}
	for i := 1; i < len(p.at); i++ {
		if gap := p.at[i].Sub(p.at[i-1]); gap < 400*time.Millisecond {
			t.Errorf("progress events %d and %d came %s apart, want at least 400ms: %q", i-1, i, gap, events)
		}
		if events[i] == events[i-1] {
			t.Errorf("progress event %q repeated", events[i])
		}
	}
	lists := 0
	for _, r := range e.sandbox.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("the wait sent %s %s: it must never change a link", r.Method, r.Path)
		}
		if r.Path == sharingsPath {
			lists++
		}
	}
	// Two links waiting in an account of two pages: a listing is no dearer
	// than a GET each, and it is what the first round uses.
	if lists == 0 {
		t.Errorf("the wait never listed the account: requests %v", e.requests())
	}
	perLink := e.perLink()
	delete(perLink, 0)
	gets := 0
	for _, seq := range perLink {
		gets += len(seq)
	}
	t.Logf("%d requests, %d of them GETs of single links; events: %q", len(e.sandbox.Requests()), gets, events)
}

// A revoked or deleted link fails the wait at once, naming the link and
// the remedy.
func TestActionWait_deadLinks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		kill func(e *testEnv, id int64) error
		want string
	}{
		{"revoked", func(e *testEnv, id int64) error { return e.sandbox.Revoke(id) }, "revoked"},
		{"deleted", func(e *testEnv, id int64) error { return e.sandbox.Remove(id) }, "no connection link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			acme := e.seed(225, "Acme")
			globex := e.seed(225, "Globex")
			if _, err := e.sandbox.Grant(acme); err != nil {
				t.Fatal(err)
			}
			go func() {
				time.Sleep(150 * time.Millisecond)
				if err := tc.kill(e, globex); err != nil {
					t.Error(err)
				}
			}()
			start := time.Now()
			diags := invokeWait(t.Context(), t, e, []int64{acme, globex}, nil, "1m", &progressLog{})
			// The facts: the link, how it went, the status it will never
			// reach, and the remedy.
			if !saysAll(diags, fmt.Sprint(globex), tc.want, "never become granted", "creates a new") {
				t.Errorf("diagnostics %q do not name link %d, %q, the status and the remedy", diags, globex, tc.want)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("the wait took %s to notice, want about one poll", took)
			}
		})
	}
}

// Running out of time names the links still waiting; Ctrl-C ends the wait
// within a second.
func TestActionWait_timeoutAndCancel(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	acme := e.seed(225, "Acme")
	globex := e.seed(225, "Globex")
	initech := e.seed(225, "Initech")
	if _, err := e.sandbox.Grant(acme); err != nil {
		t.Fatal(err)
	}
	diags := invokeWait(t.Context(), t, e, []int64{acme, globex, initech}, nil, "300ms", &progressLog{})
	// The facts: the links still waiting, the status, the timeout.
	if !saysAll(diags, fmt.Sprint(globex), fmt.Sprint(initech), "granted", "300ms") {
		t.Errorf("diagnostics %q do not name links %d and %d, the status and the timeout", diags, globex, initech)
	}

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	diags = invokeWait(ctx, t, e, []int64{globex}, []string{"granted", "waiting_oauth"}, "1h", &progressLog{})
	if took := time.Since(start) - 300*time.Millisecond; took > time.Second {
		t.Errorf("the wait ended %s after the interrupt, want within a second", took)
	}
	if !saysAll(diags, "interrupted", fmt.Sprint(globex), "granted", "waiting_oauth") {
		t.Errorf("diagnostics %q do not say the wait for link %d to become granted or waiting_oauth was interrupted", diags, globex)
	}
}

// saysAll reports whether text carries every fact, whatever its wording.
func saysAll(text string, facts ...string) bool {
	for _, f := range facts {
		if !strings.Contains(text, f) {
			return false
		}
	}
	return true
}

// As Terraform runs it: an action_trigger after a terraform_data's creation
// holds the apply until the last end user has completed the link, acting on
// the connect page's control endpoint while the apply waits.
func TestAccActionWait_triggered(t *testing.T) {
	e := newTestEnv(t)
	acme := e.seed(225, "Acme")
	globex := e.seed(227, "Globex")
	e.sandbox.ResetRequests()
	var mu sync.Mutex
	var lastGrant time.Time
	config := e.providerConfig() + fmt.Sprintf(`
action "albato_connection_link_wait" "clients" {
  config {
    ids     = ["%d", "%d"]
    timeout = "2m"
  }
}
`, acme, globex) + triggered("after_links", "action.albato_connection_link_wait.clients")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The end users act while the apply waits: the first GET
				// after the plan is the action's first round.
				go func() {
					time.Sleep(2 * time.Second)
					if _, err := e.sandbox.Grant(acme); err != nil {
						t.Error(err)
					}
					time.Sleep(time.Second)
					mu.Lock()
					lastGrant = time.Now()
					mu.Unlock()
					if _, err := e.sandbox.Grant(globex); err != nil {
						t.Error(err)
					}
				}()
			},
			Config: config,
			Check: func(*terraform.State) error {
				mu.Lock()
				defer mu.Unlock()
				if lastGrant.IsZero() {
					return fmt.Errorf("the apply finished before the last end user acted")
				}
				for _, id := range []int64{acme, globex} {
					if sh, _ := e.sandbox.Sharing(id); sh.Status != int(albato.StatusGranted) {
						return fmt.Errorf("link %d is status %d after the wait", id, sh.Status)
					}
				}
				if n := e.sandbox.Count("PUT") + e.sandbox.Count("POST") + e.sandbox.Count("DELETE"); n != 0 {
					return fmt.Errorf("the wait changed links: %v", e.requests())
				}
				return nil
			},
		}},
	})
}

// As Terraform runs it, a revoked link fails the apply, naming the link.
func TestAccActionWait_triggeredRevoked(t *testing.T) {
	e := newTestEnv(t)
	acme := e.seed(225, "Acme")
	if err := e.sandbox.Revoke(acme); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + fmt.Sprintf(`
action "albato_connection_link_wait" "clients" {
  config {
    ids = ["%d"]
  }
}
`, acme) + triggered("after_links", "action.albato_connection_link_wait.clients"),
			ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Connection Link Can No Longer Reach the Status.*link\s+%d\s+\(Acme\)\s+is\s+revoked`, acme)),
		}},
	})
}

// A date that says a link expired is a hint: the wait goes on to its
// timeout, which says so, and a link regenerated outside Terraform just
// before its date says it expires, then completed, ends the wait with its
// grant, whether the API's PUT moves dateCreated or keeps it.
func TestActionWait_expiryIsAHint(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	globex := e.seed(225, "Globex")
	e.clock.Advance(49 * time.Hour)
	start := time.Now()
	diags := invokeWait(t.Context(), t, e, []int64{globex}, nil, "500ms", &progressLog{})
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("the wait ended after %s, before its timeout: %s", took, diags)
	}
	// The hint quotes expires_at itself, never date_created, 48 hours before it.
	sh, _ := e.sandbox.Sharing(globex)
	expiresAt, created := rfc3339(sh.DateCreated.Add(linkLifetime)), rfc3339(sh.DateCreated)
	want := fmt.Sprintf(`Timed Out Waiting for Connection Link: Connection link %d \(Globex\) did not become granted .*`+
		`Connection link %d \(Globex\) has an expires_at of %s, which has passed.*counted 48 hours from date_created.*`+
		`albato_connection_link_regenerate.*raise the action's timeout argument`, globex, globex, regexp.QuoteMeta(expiresAt))
	if !regexp.MustCompile(want).MatchString(diags) || strings.Contains(diags, created) {
		t.Errorf("diagnostics %q do not match %q, or quote date_created %s", diags, want, created)
	}

	for _, moves := range []bool{false, true} {
		t.Run(fmt.Sprintf("PUT moves dateCreated: %v", moves), func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.regeneratedJustBeforeItsDate(t, 61, moves)
			e.before("GET", 2, func() { e.clock.Advance(10 * time.Second) })
			e.before("GET", 3, func() {
				if _, err := e.sandbox.Grant(61); err != nil {
					t.Error(err)
				}
			})
			if diags := invokeWait(t.Context(), t, e, []int64{61}, nil, "30s", &progressLog{}); diags != "" {
				t.Errorf("the wait failed: %s", diags)
			}
			if sh, _ := e.sandbox.Sharing(61); sh.Status != 1 {
				t.Errorf("the wait returned, but the link is in status %d", sh.Status)
			}
		})
	}
}

// By default the wait is for granted links only: a link waiting for OAuth
// does not end it (it runs to its timeout), and the grant that follows does.
func TestActionWait_defaultWaitsPastOAuth(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	calendar := e.seed(227, "Calendar") // partner 227 signs in with OAuth
	if err := e.sandbox.StartOAuth(calendar); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	diags := invokeWait(t.Context(), t, e, []int64{calendar}, nil, "400ms", &progressLog{})
	if took := time.Since(start); took < 400*time.Millisecond || !strings.Contains(diags, "Timed Out Waiting") {
		t.Errorf("a link waiting for OAuth ended the default wait after %s: %q", took, diags)
	}
	e.before("GET", 2, func() {
		if _, err := e.sandbox.Grant(calendar); err != nil {
			t.Error(err)
		}
	})
	if diags := invokeWait(t.Context(), t, e, []int64{calendar}, nil, "30s", &progressLog{}); diags != "" {
		t.Errorf("the wait did not end with the grant: %s", diags)
	}
}

// waitActionConfig is the wait action over ids, its config's other lines
// given, triggered by a terraform_data's creation.
func waitActionConfig(e *testEnv, ids []int64, lines string) string {
	var quoted []string
	for _, id := range ids {
		quoted = append(quoted, strconv.Quote(strconv.FormatInt(id, 10)))
	}
	return e.providerConfig() + fmt.Sprintf(`
action "albato_connection_link_wait" "clients" {
  config {
    ids = [%s]
    %s
  }
}
`, strings.Join(quoted, ", "), lines) + triggered("after_links", "action.albato_connection_link_wait.clients")
}

// As Terraform runs it, the wait ends as it promises: "0s" checks once, and
// a granted link passes; a wait for revoked passes on a revoked link and on
// one the API deleted (404); a link that reached the wanted status and was
// revoked before the last one got there fails it, naming that link.
func TestAccActionWait_endings(t *testing.T) {
	deadline(t, 10*time.Minute, "the wait action")
	cases := []struct {
		name       string
		notFound   bool // the API answers 404 for a deleted link
		setup      func(t *testing.T, e *testEnv) []int64
		lines      string
		wantErr    string
		wantStatus []int // each link's status in the sandbox at the end
	}{
		{name: "granted, timeout 0s", setup: func(t *testing.T, e *testEnv) []int64 {
			acme := e.seed(225, "Acme")
			if _, err := e.sandbox.Grant(acme); err != nil {
				t.Fatal(err)
			}
			return []int64{acme}
		}, lines: `timeout = "0s"`, wantStatus: []int{1}},
		{name: "revoked, waiting for revoked", setup: func(t *testing.T, e *testEnv) []int64 {
			acme := e.seed(225, "Acme")
			if err := e.sandbox.Revoke(acme); err != nil {
				t.Fatal(err)
			}
			return []int64{acme}
		}, lines: `statuses = ["revoked"]`, wantStatus: []int{3}},
		{name: "deleted (404), waiting for revoked", notFound: true, setup: func(t *testing.T, e *testEnv) []int64 {
			acme, globex := e.seed(225, "Acme"), e.seed(225, "Globex")
			if err := e.deleteThroughAPI(acme); err != nil {
				t.Fatal(err)
			}
			// Globex is deleted while the wait reads it.
			e.before("GET", 3, func() {
				if err := e.deleteThroughAPI(globex); err != nil {
					t.Error(err)
				}
			})
			return []int64{acme, globex}
		}, lines: `statuses = ["revoked"]
    timeout  = "1m"`, wantStatus: []int{3, 3}},
		{name: "reached, then revoked", setup: func(t *testing.T, e *testEnv) []int64 {
			acme, globex := e.seed(225, "Acme"), e.seed(225, "Globex")
			if _, err := e.sandbox.Grant(acme); err != nil {
				t.Fatal(err)
			}
			// The first read finds Acme granted; then Acme is revoked, and
			// only then Globex granted.
			e.before("GET", 2, func() {
				if err := e.sandbox.Revoke(acme); err != nil {
					t.Error(err)
				}
			})
			e.before("GET", 4, func() {
				if _, err := e.sandbox.Grant(globex); err != nil {
					t.Error(err)
				}
			})
			return []int64{acme, globex}
		}, lines: `timeout = "1m"`, wantErr: `(?s)Connection Link Can No Longer Reach the Status.*link\s+%d\s+\(Acme\)\s+is\s+revoked`,
			wantStatus: []int{3, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t, func(o *sandbox.Options) { o.NotFoundAfterDelete = c.notFound })
			ids := c.setup(t, e)
			step := resource.TestStep{Config: waitActionConfig(e, ids, c.lines)}
			if c.wantErr != "" {
				step.ExpectError = regexp.MustCompile(fmt.Sprintf(c.wantErr, ids[0]))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   needsTerraform114,
				Steps:                    []resource.TestStep{step},
				CheckDestroy: func(*terraform.State) error {
					for i, id := range ids {
						if sh, _ := e.sandbox.Sharing(id); sh.Status != c.wantStatus[i] {
							return fmt.Errorf("link %d is in status %d at the end, want %d", id, sh.Status, c.wantStatus[i])
						}
					}
					return nil
				},
			})
		})
	}
}

// A link that reached the wanted status and was revoked before the last one
// got there fails the wait, named: the success is read again at the end.
// The confirmation reads only that link again.
func TestActionWait_revokedAfterReached(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	acme, globex := e.seed(225, "Acme"), e.seed(225, "Globex")
	if _, err := e.sandbox.Grant(acme); err != nil {
		t.Fatal(err)
	}
	e.sandbox.ResetRequests()
	e.before("GET", 2, func() {
		if err := e.sandbox.Revoke(acme); err != nil {
			t.Error(err)
		}
	})
	e.before("GET", 4, func() {
		if _, err := e.sandbox.Grant(globex); err != nil {
			t.Error(err)
		}
	})
	diags := invokeWait(t.Context(), t, e, []int64{acme, globex}, nil, "30s", &progressLog{})
	want := fmt.Sprintf(`Connection Link Can No Longer Reach the Status: Connection link %d \(Acme\) is revoked, so it will never become granted`, acme)
	if !regexp.MustCompile(want).MatchString(diags) {
		t.Errorf("diagnostics %q do not match %q", diags, want)
	}
	if got, want := e.perLink()[acme], []string{"GET", "GET"}; !slices.Equal(got, want) {
		t.Errorf("requests for %d: %v, want %v (the first read and the confirmation); all: %v", acme, got, want, e.requests())
	}
}

// Inputs from a variable reach the action unknown at validation: the
// action refuses them at invoke, with the inline case's messages, before it
// reads a link.
func TestAccActionWait_inputFromVariable(t *testing.T) {
	e := newTestEnv(t)
	acme := fmt.Sprint(e.seed(225, "Acme"))
	e.sandbox.ResetRequests()
	cfg := e.providerConfig() + `
variable "ids" {
  type = list(string)
}
variable "statuses" {
  type = set(string)
}
action "albato_connection_link_wait" "clients" {
  config {
    ids      = var.ids
    statuses = var.statuses
    timeout  = "1m"
  }
}
# Changed by every step, so that every step's apply invokes the action.
resource "terraform_data" "after_links" {
  input = [var.ids, var.statuses]
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.albato_connection_link_wait.clients]
    }
  }
}
`
	list := func(vs ...string) config.Variable {
		out := make([]config.Variable, len(vs))
		for i, v := range vs {
			out[i] = config.StringVariable(v)
		}
		return config.ListVariable(out...)
	}
	noReads := func() error {
		if n := e.sandbox.Count("GET"); n != 0 {
			return fmt.Errorf("the action read links %d times on input it should have refused", n)
		}
		return nil
	}
	var steps []resource.TestStep
	for _, c := range []struct {
		ids, statuses config.Variable
		want          string
	}{
		{list(acme, acme), list("granted"), `Duplicate List Value`},
		{list(), list("granted"), `ids list must contain at least 1 elements`},
		{list(acme), list(), `statuses set must contain at least 1 elements`},
		{list(acme), list("grantd"), `value must be one of`},
	} {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				if err := noReads(); err != nil {
					t.Error(err)
				}
			},
			Config:          cfg,
			ConfigVariables: config.Variables{"ids": c.ids, "statuses": c.statuses},
			ExpectError:     regexp.MustCompile(c.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps:                    steps,
		CheckDestroy:             func(*terraform.State) error { return noReads() },
	})
}
