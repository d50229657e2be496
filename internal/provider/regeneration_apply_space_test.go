package provider

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The apply of a regeneration over its whole space (DESIGN.md, "What a plan
// shows", the second table): every reason a plan regenerates × every status
// the plan saw that the reason admits × every status the apply finds. The
// end user acts between the plan and the apply, as in a real run; the test
// drives the provider's protocol server as Terraform does (plan, then apply
// of that plan, each with the private state), against the sandbox.
//
// The rule, stated once here from DESIGN.md:
//
//   - A plan that does not regenerate (a setting changed) sends nothing and
//     saves the plan, whatever became of the link (even one fallen due).
//   - A trigger regeneration of a link the plan saw granted sends the PUT at
//     once, with no GET: the plan warned of the reset. A PUT refused (the
//     link revoked) fails and keeps the state as before; a link deleted (404)
//     fails and leaves the state.
//   - Any other regeneration reads the link first. Revoked: fails, saved as
//     revoked; deleted: fails, gone from the state.
//   - For expiry alone: a link still waiting gets the PUT; one completed or
//     waiting for OAuth is saved as read, with no PUT and no error.
//   - For triggers (with or without expiry): a link as the plan saw it, or
//     back to waiting, gets the PUT; one completed, or waiting for OAuth
//     where the plan saw it waiting, fails naming the link and changes
//     nothing.
//   - Every error names the link's id. A PUT leaves the link waiting with a
//     new token and no credential_id; no PUT leaves it as the end user left it.

// The statuses, as the table says them. "waiting" found by the apply is the
// link untouched where the plan saw it waiting, else regenerated outside
// Terraform (the one way back to waiting).
var regenSaw = []string{"waiting", "waiting_oauth", "granted"}

var regenFound = []string{"waiting", "waiting_oauth", "granted", "revoked", "deleted"}

// The reasons a plan of an existing link regenerates it, and none. "triggers
// unknown at plan" is a map known only at apply: Terraform plans again with
// it known, and the apply follows that final plan.
var regenReasons = []string{"expiry", "triggers", "triggers unknown at plan", "expiry and triggers", "none"}

// admits is whether the plan regenerates for reason a link it saw so: a
// plan regenerates for expiry only a waiting link.
func admits(reason, saw string) bool {
	return !strings.Contains(reason, "expiry") || saw == "waiting"
}

type regenOutcome struct {
	get, put, err bool
	// state is what the apply leaves: "new" (regenerated), "read" (as the
	// apply found it), "prior" (as before), "planned" (the plan, settings and
	// all), "revoked" (saved so), "removed".
	state string
}

func regenRule(reason, saw, found string) regenOutcome {
	triggers := strings.Contains(reason, "triggers")
	switch {
	case reason == "none":
		return regenOutcome{state: "planned"}
	case triggers && saw == "granted":
		switch found {
		case "revoked":
			return regenOutcome{put: true, err: true, state: "prior"}
		case "deleted":
			return regenOutcome{put: true, err: true, state: "removed"}
		}
		return regenOutcome{put: true, state: "new"}
	case found == "revoked":
		return regenOutcome{get: true, err: true, state: "revoked"}
	case found == "deleted":
		return regenOutcome{get: true, err: true, state: "removed"}
	case !triggers && found == "waiting":
		return regenOutcome{get: true, put: true, state: "new"}
	case !triggers:
		return regenOutcome{get: true, state: "read"}
	case found == saw || found == "waiting":
		return regenOutcome{get: true, put: true, state: "new"}
	}
	return regenOutcome{get: true, err: true, state: "prior"}
}

func TestRegenerationApplySpace(t *testing.T) {
	t.Parallel()
	n := 0
	for _, reason := range regenReasons {
		for _, saw := range regenSaw {
			if !admits(reason, saw) {
				continue
			}
			for _, found := range regenFound {
				n++
				t.Run(fmt.Sprintf("%s/saw %s/found %s", reason, saw, found), func(t *testing.T) {
					t.Parallel()
					checkRegenerationApply(t, reason, saw, found)
				})
			}
		}
	}
	if n != 11*len(regenFound) {
		t.Errorf("the space has %d cases", n)
	}
}

func checkRegenerationApply(t *testing.T, reason, saw, found string) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	e := newTestEnv(t)
	l := newProtoLink(ctx, t, e)
	before := "6h" // the link is due 42 h after its issue
	// OAuth partner, so that the end user can begin an OAuth sign-in.
	cfg := func(trigger tftypes.Value, before string) tftypes.Value {
		return l.config(map[string]tftypes.Value{
			"partner_id": tftypes.NewValue(tftypes.Number, 227), "title": tftypes.NewValue(tftypes.String, "regenerated"),
			"regenerate_triggers": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"r": trigger}),
			"regenerate_before":   tftypes.NewValue(tftypes.String, before),
		})
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	l.create(cfg(str("1"), before))
	id := l.id()
	e.moveLink(t, id, "waiting", saw)
	if strings.Contains(reason, "expiry") {
		e.clock.Advance(43 * time.Hour) // within regenerate_before, still usable
	}
	l.refresh()
	if got := l.attr(l.state, "status_name"); got != saw {
		t.Fatalf("the refresh saw %q, want %q", got, saw)
	}

	config := cfg(str("1"), before)
	switch reason {
	case "triggers", "expiry and triggers":
		config = cfg(str("2"), before)
	case "triggers unknown at plan":
		first := cfg(tftypes.NewValue(tftypes.String, tftypes.UnknownValue), before)
		if planned, _ := l.plan(first); planned.IsKnown() && l.attrValue(planned, "status").IsKnown() {
			t.Fatal("a trigger unknown at plan: the plan leaves status known")
		}
		config = cfg(str("2"), before)
	case "none":
		config = cfg(str("1"), "1h")
	}
	planned, private := l.plan(config)
	if regenerates := !l.attrValue(planned, "status").IsKnown(); regenerates != (reason != "none") {
		t.Fatalf("the plan regenerates %t", regenerates)
	}

	prior, oldToken := l.state, e.onlySharing().Token
	e.moveLink(t, id, saw, found)
	if reason == "none" {
		e.clock.Advance(49 * time.Hour) // fallen due since the plan: still no PUT
	}
	e.sandbox.ResetRequests()
	after, diags := l.apply(config, planned, private)

	want := regenRule(reason, saw, found)
	gets, puts := 0, e.sandbox.Count("PUT")
	for _, r := range e.sandbox.Requests() {
		if r.Method == "GET" && r.Path == fmt.Sprintf("%s/%d", sharingsPath, id) {
			gets++
		}
	}
	var errs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
	}
	if (gets > 0) != want.get || (puts > 0) != want.put || gets > 1 || puts > 1 {
		t.Errorf("%d GETs of the link and %d PUTs, want a GET %t and a PUT %t; requests: %v", gets, puts, want.get, want.put, e.requests())
	}
	if (len(errs) > 0) != want.err {
		t.Errorf("errors %q, want an error %t", errs, want.err)
	}
	for _, msg := range errs {
		if !strings.Contains(msg, strconv.FormatInt(id, 10)) {
			t.Errorf("the error does not name link %d: %q", id, msg)
		}
	}
	sh, live := e.sandbox.Sharing(id)
	if want.put && !want.err && (sh.Token == oldToken || sh.Status != sandbox.StatusWaiting || sh.CredentialID != nil) {
		t.Errorf("after the PUT the link is %s: status %d, credential %v, token new %t",
			found, sh.Status, sh.CredentialID, sh.Token != oldToken)
	}
	if !want.put && live && sandboxStatusName(sh.Status) != found {
		t.Errorf("with no PUT, the link the end user left %s is %s", found, sandboxStatusName(sh.Status))
	}
	l.checkState(after, want.state, prior, planned, sh, oldToken)
}

// protoLink is one albato_connection_link instance as Terraform holds it:
// its state and private state, changed only through the provider's
// protocol server, as Terraform calls it.
type protoLink struct {
	ctx     context.Context
	t       *testing.T
	e       *testEnv
	srv     tfprotov6.ProviderServer
	typ     tftypes.Object
	state   tftypes.Value
	private []byte
}

func newProtoLink(ctx context.Context, t *testing.T, e *testEnv) *protoLink {
	srv := e.configuredServer(t, nil)
	typ := linkObjectType(ctx, t, srv)
	return &protoLink{ctx: ctx, t: t, e: e, srv: srv, typ: typ, state: tftypes.NewValue(typ, nil)}
}

// config is a configuration with the given arguments, the rest null.
func (l *protoLink) config(args map[string]tftypes.Value) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, at := range l.typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := args[name]; ok {
			vals[name] = v
		}
	}
	return tftypes.NewValue(l.typ, vals)
}

// proposed is Terraform's proposed new state: the configuration, and the
// prior state's value where the configuration leaves a computed attribute null.
func (l *protoLink) proposed(config tftypes.Value) tftypes.Value {
	if l.state.IsNull() {
		return config
	}
	var c, p map[string]tftypes.Value
	if err := config.As(&c); err != nil {
		l.t.Fatal(err)
	}
	if err := l.state.As(&p); err != nil {
		l.t.Fatal(err)
	}
	for name, v := range c {
		if v.IsNull() && name != "regenerate_triggers" { // every other attribute is computed
			c[name] = p[name]
		}
	}
	return tftypes.NewValue(l.typ, c)
}

func (l *protoLink) dyn(v tftypes.Value) *tfprotov6.DynamicValue {
	d, err := tfprotov6.NewDynamicValue(l.typ, v)
	if err != nil {
		l.t.Fatal(err)
	}
	return &d
}

func (l *protoLink) value(d *tfprotov6.DynamicValue) tftypes.Value {
	if d == nil {
		return tftypes.NewValue(l.typ, nil)
	}
	v, err := d.Unmarshal(l.typ)
	if err != nil {
		l.t.Fatal(err)
	}
	return v
}

func (l *protoLink) fatalOnError(what string, diags []*tfprotov6.Diagnostic) {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			l.t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

func (l *protoLink) plan(config tftypes.Value) (tftypes.Value, []byte) {
	resp := l.planResponse(config)
	l.fatalOnError("plan", resp.Diagnostics)
	return l.value(resp.PlannedState), resp.PlannedPrivate
}

// planResponse is the provider's whole answer to a plan, warnings included.
func (l *protoLink) planResponse(config tftypes.Value) *tfprotov6.PlanResourceChangeResponse {
	resp, err := l.srv.PlanResourceChange(l.ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "albato_connection_link",
		PriorState: l.dyn(l.state), ProposedNewState: l.dyn(l.proposed(config)), Config: l.dyn(config), PriorPrivate: l.private})
	if err != nil {
		l.t.Fatal(err)
	}
	return resp
}

// apply applies a plan and keeps what the provider returns, as Terraform
// does (a null state with an error keeps the prior one).
func (l *protoLink) apply(config, planned tftypes.Value, private []byte) (tftypes.Value, []*tfprotov6.Diagnostic) {
	resp, err := l.srv.ApplyResourceChange(l.ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: "albato_connection_link",
		PriorState: l.dyn(l.state), PlannedState: l.dyn(planned), Config: l.dyn(config), PlannedPrivate: private})
	if err != nil {
		l.t.Fatal(err)
	}
	after := l.value(resp.NewState)
	if !after.IsNull() {
		l.state, l.private = after, resp.Private
	}
	return after, resp.Diagnostics
}

func (l *protoLink) create(config tftypes.Value) {
	planned, private := l.plan(config)
	_, diags := l.apply(config, planned, private)
	l.fatalOnError("create", diags)
}

func (l *protoLink) refresh() {
	resp, err := l.srv.ReadResource(l.ctx, &tfprotov6.ReadResourceRequest{TypeName: "albato_connection_link",
		CurrentState: l.dyn(l.state), Private: l.private})
	if err != nil {
		l.t.Fatal(err)
	}
	l.fatalOnError("refresh", resp.Diagnostics)
	l.state, l.private = l.value(resp.NewState), resp.Private
}

func (l *protoLink) attrValue(v tftypes.Value, name string) tftypes.Value {
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		l.t.Fatal(err)
	}
	return m[name]
}

// attr is a known string or number attribute as a string, "" when null.
func (l *protoLink) attr(v tftypes.Value, name string) string {
	a := l.attrValue(v, name)
	if a.IsNull() || !a.IsKnown() {
		return ""
	}
	if a.Type().Is(tftypes.Number) {
		var n big.Float
		if err := a.As(&n); err != nil {
			l.t.Fatal(err)
		}
		return n.Text('f', 0)
	}
	var s string
	_ = a.As(&s)
	return s
}

func (l *protoLink) id() int64 {
	id, err := strconv.ParseInt(l.attr(l.state, "id"), 10, 64)
	if err != nil {
		l.t.Fatal(err)
	}
	return id
}

// moveLink takes link id from one status to another as its end user,
// Albato's UI or another script would.
func (e *testEnv) moveLink(t *testing.T, id int64, from, to string) {
	t.Helper()
	sb := e.sandbox
	var err error
	switch {
	case from == to:
	case to == "revoked":
		err = sb.Revoke(id)
	case to == "deleted":
		err = sb.Remove(id)
	case to == "waiting":
		err = e.regenerateThroughAPI(id)
	case to == "granted":
		_, err = sb.Grant(id)
	case to == "waiting_oauth" && from == "granted":
		if err = e.regenerateThroughAPI(id); err == nil {
			err = sb.StartOAuth(id)
		}
	case to == "waiting_oauth":
		err = sb.StartOAuth(id)
	}
	if err != nil {
		t.Fatalf("moving link %d from %s to %s: %v", id, from, to, err)
	}
}

func sandboxStatusName(status int) string {
	return map[int]string{sandbox.StatusWaiting: "waiting", sandbox.StatusGranted: "granted",
		sandbox.StatusWaitingOAuth: "waiting_oauth", sandbox.StatusRevoked: "revoked"}[status]
}

// checkState checks the state the apply left against the rule's word for it.
func (l *protoLink) checkState(after tftypes.Value, want string, prior, planned tftypes.Value, sh sandbox.Sharing, oldToken string) {
	t := l.t
	t.Helper()
	cred := ""
	if sh.CredentialID != nil {
		cred = strconv.FormatInt(*sh.CredentialID, 10)
	}
	switch want {
	case "removed":
		if !after.IsNull() {
			t.Errorf("the state keeps the deleted link: status %s", l.attr(after, "status_name"))
		}
		return
	case "prior", "planned":
		wantV := map[string]tftypes.Value{"prior": prior, "planned": planned}[want]
		for name := range l.typ.AttributeTypes {
			if got, w := l.attrValue(after, name), l.attrValue(wantV, name); !got.Equal(w) {
				t.Errorf("the state's %s is %v, want the %s %v", name, got, want, w)
			}
		}
		return
	}
	if after.IsNull() {
		t.Fatalf("no state, want %s", want)
	}
	status, token, credential := l.attr(after, "status_name"), l.attr(after, "token"), l.attr(after, "credential_id")
	switch want {
	case "new":
		if status != "waiting" || token == oldToken || token != sh.Token || credential != "" {
			t.Errorf("state %s, token new %t, as the API's %t, credential %q; want the regenerated link",
				status, token != oldToken, token == sh.Token, credential)
		}
	case "read":
		wantToken := sh.Token
		if sh.Status == sandbox.StatusGranted {
			wantToken = ""
		}
		if status != sandboxStatusName(sh.Status) || token != wantToken || credential != cred {
			t.Errorf("state %s, token as read %t, credential %q; want the link as read: %s, credential %q",
				status, token == wantToken, credential, sandboxStatusName(sh.Status), cred)
		}
	case "revoked":
		if status != "revoked" {
			t.Errorf("state %s, want the link saved as revoked", status)
		}
	}
}

// The trap row of the table through a real CLI: a trigger regeneration
// planned on a link the plan saw waiting for OAuth, completed by its end
// user before the apply, is not sent: the apply fails naming the link, no
// PUT, the link stays granted; the next plan shows the grant and the
// regeneration again, and its apply goes ahead. (The rows that start from
// waiting are TestAccConnectionLink_staleTriggerPlanNeverResetsACompletedLink,
// TestAccConnectionLink_grantedBetweenPlanAndApply and
// TestAccConnectionLink_revokedBetweenPlanAndApply.)
func TestAccRegenerationApply_oauthCompletedAfterPlan(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(v string) string { // partner 227 signs in with OAuth
		return e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id          = 227
  title               = "oauth then granted"
  regenerate_triggers = { rotation = "` + v + `" }
}`
	}
	grant := func() {
		if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
			t.Error(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() {
					if err := e.sandbox.StartOAuth(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting_oauth")),
				},
			},
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("status")),
						atPlanCheck(grant),
					},
				},
				ExpectError: regexp.MustCompile(`(?s)Connection Link Completed After the Plan.*link\s+\d+\s+completed\s+it`),
			},
			{
				PreConfig: func() {
					if sh := e.onlySharing(); sh.Status != sandbox.StatusGranted || sh.CredentialID == nil || e.sandbox.Count("PUT") != 0 {
						t.Errorf("after the failed apply: status %d, credential %v, %d PUTs; want granted, with its credential, none",
							sh.Status, sh.CredentialID, e.sandbox.Count("PUT"))
					}
				},
				Config: cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("credential_id"))},
				},
				Check: e.checkCount("PUT", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
				},
			},
		},
	})
}
