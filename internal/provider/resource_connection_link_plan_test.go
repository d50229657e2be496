package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// The plan of a link over the whole space: each argument known or unknown
// at plan (the trigger map in its forms), each status of the link, due or
// not. The rule the plan must follow, stated once here from DESIGN.md:
//
//   - The apply, given known arguments C, regenerates the link iff its
//     triggers change (both the state's map and C's are set, and differ) or
//     the link is waiting with C's regenerate_when_expired true and its last
//     reading at or past expires_at less C's regenerate_before.
//   - An attribute the apply may change, for some value the unknown
//     arguments may take, is unknown in the plan; every other attribute
//     keeps the value every such apply gives it.
//   - The plan warns that a completed link is reset (naming credential_id)
//     iff some value of the unknowns makes the apply regenerate it; it warns
//     of an expiry regeneration iff some value makes the apply regenerate a
//     waiting link for expiry alone; where the plan cannot tell whether the
//     apply regenerates, its warning says so; no warning quotes an unknown
//     setting or an expiry that has not come.
//   - Whatever values the unknowns take, the plan Terraform makes again at
//     apply keeps every value the first plan knew (a saved plan applies).

var spaceExpiry = time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)

// A link as the state holds it, and where its last reading stands.
type spaceState struct {
	status   string // waiting, waiting_oauth, granted, revoked; deleted: no state
	readAt   time.Time
	stored   bool   // the state's store_token
	triggers string // "" for a null map, else the value of its one key
}

// The configuration: each argument's form at plan.
type spaceConfig struct {
	partnerUnknown, titleUnknown bool
	storeToken                   string // "true", "false", "unknown"
	triggers                     string // "null", "same", "changed", "unknown values", "unknown"
	whenExpired                  string // "true", "false", "unknown"
	before                       string // a duration, or "unknown"
}

var spaceStatuses = map[string]int64{"waiting": 0, "granted": 1, "waiting_oauth": 2, "revoked": 3, "deleted": -1}

// resolutions are the configurations, all known, the unknowns may become.
func (c spaceConfig) resolutions() []spaceConfig {
	out := []spaceConfig{c}
	expand := func(get func(*spaceConfig) *string, unknown string, values ...string) {
		var next []spaceConfig
		for _, r := range out {
			if *get(&r) != unknown {
				next = append(next, r)
				continue
			}
			for _, v := range values {
				*get(&r) = v
				next = append(next, r)
			}
		}
		out = next
	}
	expand(func(c *spaceConfig) *string { return &c.storeToken }, "unknown", "true", "false")
	expand(func(c *spaceConfig) *string { return &c.triggers }, "unknown", "null", "same", "changed")
	expand(func(c *spaceConfig) *string { return &c.triggers }, "unknown values", "same", "changed")
	expand(func(c *spaceConfig) *string { return &c.whenExpired }, "unknown", "true", "false")
	expand(func(c *spaceConfig) *string { return &c.before }, "unknown", "0s", "6h", "100h")
	return out
}

// The rule, for known arguments.
func ruleTriggers(s spaceState, c spaceConfig) bool {
	return s.triggers != "" && c.triggers == "changed"
}

func ruleExpiry(s spaceState, c spaceConfig) bool {
	before, _ := time.ParseDuration(c.before)
	return s.status == "waiting" && c.whenExpired == "true" && !s.readAt.Before(spaceExpiry.Add(-before))
}

func ruleRegenerates(s spaceState, c spaceConfig) bool { return ruleTriggers(s, c) || ruleExpiry(s, c) }

// ruleToken is the token an apply that does not regenerate leaves; "?" for
// one it reads from the API.
func ruleToken(s spaceState, c spaceConfig) string {
	switch {
	case s.status != "waiting" && s.status != "waiting_oauth", c.storeToken == "false":
		return ""
	case s.stored:
		return "tok"
	}
	return "?"
}

func (s spaceState) model() connectionLinkResourceModel {
	m := grantedModel()
	m.Status, m.StatusName = types.Int64Value(spaceStatuses[s.status]), types.StringValue(s.status)
	m.ExpiresAt = types.StringValue(formatTime(spaceExpiry))
	m.IssuedAt = types.Int64Value(spaceExpiry.Add(-linkLifetime).Unix())
	if s.status != "granted" {
		m.CredentialID = types.Int64Null()
	}
	m.StoreToken = types.BoolValue(s.stored)
	if !s.stored || ruleToken(s, spaceConfig{storeToken: "true"}) == "" {
		m.forgetToken()
	}
	m.RegenerateTriggers = types.MapNull(types.StringType)
	if s.triggers != "" {
		m.RegenerateTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"r": types.StringValue(s.triggers)})
	}
	return m
}

// planned is what Terraform hands ModifyPlan: the configuration, and the
// state's computed values (UseStateForUnknown), all unknown for a create.
func (c spaceConfig) planned(s spaceState) connectionLinkResourceModel {
	m := s.model()
	if s.status == "deleted" {
		var v linkView
		v.ID, v.Token, v.Link, v.StatusName, v.DateCreated, v.ExpiresAt = types.StringUnknown(), types.StringUnknown(),
			types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		v.Status, v.CredentialID, v.IssuedAt, v.Expired = types.Int64Unknown(), types.Int64Unknown(), types.Int64Unknown(), types.BoolUnknown()
		v.PartnerID, v.Title = m.PartnerID, m.Title
		m.linkView = v
	}
	if c.partnerUnknown {
		m.PartnerID = types.Int64Unknown()
	}
	if c.titleUnknown {
		m.Title = types.StringUnknown()
	}
	m.StoreToken = knownBool(c.storeToken)
	m.RegenerateWhenExpired = knownBool(c.whenExpired)
	m.RegenerateBefore = types.StringValue(c.before)
	if c.before == "unknown" {
		m.RegenerateBefore = types.StringUnknown()
	}
	one := func(v attr.Value) types.Map {
		return types.MapValueMust(types.StringType, map[string]attr.Value{"r": v})
	}
	switch c.triggers {
	case "null":
		m.RegenerateTriggers = types.MapNull(types.StringType)
	case "same":
		m.RegenerateTriggers = one(types.StringValue(cmpOr(s.triggers, "1")))
	case "changed":
		m.RegenerateTriggers = one(types.StringValue(cmpOr(s.triggers, "1") + "+"))
	case "unknown values":
		m.RegenerateTriggers = one(types.StringUnknown())
	case "unknown":
		m.RegenerateTriggers = types.MapUnknown(types.StringType)
	}
	return m
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func knownBool(v string) types.Bool {
	if v == "unknown" {
		return types.BoolUnknown()
	}
	return types.BoolValue(v == "true")
}

// spacePlanner plans with one schema, built once, and builds its values
// without the framework's reflection, the cost of a test this size.
type spacePlanner struct {
	schema fwresource.SchemaResponse
	typ    tftypes.Object
}

func newSpacePlanner() *spacePlanner {
	p := &spacePlanner{}
	(&connectionLinkResource{}).Schema(context.Background(), fwresource.SchemaRequest{}, &p.schema)
	p.typ = p.schema.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
	return p
}

func (p *spacePlanner) raw(t *testing.T, m connectionLinkResourceModel) tftypes.Value {
	values := m.values()
	values["regenerate_triggers"], values["regenerate_when_expired"] = m.RegenerateTriggers, m.RegenerateWhenExpired
	values["regenerate_before"], values["store_token"] = m.RegenerateBefore, m.StoreToken
	out := map[string]tftypes.Value{}
	for name, v := range values {
		tv, err := v.ToTerraformValue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[name] = tv
	}
	return tftypes.NewValue(p.typ, out)
}

func (p *spacePlanner) plan(t *testing.T, s spaceState, c spaceConfig) *fwresource.ModifyPlanResponse {
	state := tfsdk.State{Schema: p.schema.Schema, Raw: tftypes.NewValue(p.typ, nil)}
	if s.status != "deleted" {
		state.Raw = p.raw(t, s.model())
	}
	plan := tfsdk.Plan{Schema: p.schema.Schema, Raw: p.raw(t, c.planned(s))}
	req := fwresource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: p.schema.Schema, Raw: plan.Raw}}
	resp := &fwresource.ModifyPlanResponse{Plan: plan}
	(&connectionLinkResource{}).planChange(context.Background(), req, resp, s.readAt)
	if resp.Diagnostics.HasError() {
		t.Fatalf("%+v %+v: %v", s, c, resp.Diagnostics)
	}
	return resp
}

func planAttrs(t *testing.T, resp *fwresource.ModifyPlanResponse) map[string]tftypes.Value {
	var m map[string]tftypes.Value
	if err := resp.Plan.Raw.As(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPlanSpace(t *testing.T) {
	t.Parallel()
	p := newSpacePlanner()
	cases := map[string]int{}
	for status := range spaceStatuses {
		cases[status] = 0
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			finals := map[spaceKey]*fwresource.ModifyPlanResponse{}
			final := func(s spaceState, c spaceConfig) *fwresource.ModifyPlanResponse {
				key := spaceKey{s, c}
				if finals[key] == nil {
					finals[key] = p.plan(t, s, c)
					checkApply(t, s, c, finals[key])
				}
				return finals[key]
			}
			for _, s := range spaceStates(status) {
				for _, c := range spaceConfigs() {
					checkPlan(t, s, c, p.plan(t, s, c), final)
				}
			}
		})
	}
}

// spaceStates are a link's states of one status: due or not (its last
// reading long before expires_at, within 6h of it, past it), storing its
// token or not, with triggers or not. A deleted link has no state: one.
func spaceStates(status string) []spaceState {
	var out []spaceState
	for _, readAt := range []time.Time{spaceExpiry.Add(-40 * time.Hour), spaceExpiry.Add(-time.Hour), spaceExpiry.Add(time.Minute)} {
		for _, stored := range []bool{true, false} {
			for _, triggers := range []string{"", "1"} {
				out = append(out, spaceState{status: status, readAt: readAt, stored: stored, triggers: triggers})
				if status == "deleted" {
					return out
				}
			}
		}
	}
	return out
}

// The size of the space, for the record: statuses' states x configurations.
func TestPlanSpaceSize(t *testing.T) {
	n := 0
	for status := range spaceStatuses {
		n += len(spaceStates(status)) * len(spaceConfigs())
	}
	if n != (4*12+1)*4*3*5*3*3 {
		t.Errorf("the space has %d cases", n)
	}
	t.Logf("%d cases", n)
}

type spaceKey struct {
	s spaceState
	c spaceConfig
}

func spaceConfigs() []spaceConfig {
	var out []spaceConfig
	for _, partner := range []bool{false, true} {
		for _, title := range []bool{false, true} {
			for _, store := range []string{"true", "false", "unknown"} {
				for _, trig := range []string{"null", "same", "changed", "unknown values", "unknown"} {
					for _, when := range []string{"true", "false", "unknown"} {
						for _, before := range []string{"0s", "6h", "unknown"} {
							out = append(out, spaceConfig{partner, title, store, trig, when, before})
						}
					}
				}
			}
		}
	}
	return out
}

var computedButID = []string{"token", "link", "status", "status_name", "credential_id", "date_created", "expires_at", "expired", "issued_at"}

func checkPlan(t *testing.T, s spaceState, c spaceConfig, resp *fwresource.ModifyPlanResponse,
	final func(spaceState, spaceConfig) *fwresource.ModifyPlanResponse,
) {
	t.Helper()
	name := fmt.Sprintf("%+v %+v", s, c)
	got := planAttrs(t, resp)
	var warnings []string
	for _, w := range resp.Diagnostics.Warnings() {
		warnings = append(warnings, w.Summary()+": "+w.Detail())
	}
	if s.status == "deleted" { // a create: everything the API decides is unknown
		for _, a := range append([]string{"id"}, computedButID...) {
			wantNull := (a == "token" || a == "link") && c.storeToken == "false"
			if wantNull != got[a].IsNull() || (!wantNull && got[a].IsKnown()) {
				t.Errorf("%s: create plans %s = %v", name, a, got[a])
			}
		}
		if len(warnings) > 0 {
			t.Errorf("%s: create warns %v", name, warnings)
		}
		return
	}
	if s.status == "revoked" || c.partnerUnknown || c.titleUnknown { // a replacement
		replacingWarning := len(warnings) == 1 && strings.Contains(warnings[0], "Replacing a Completed") &&
			strings.Contains(warnings[0], "not known until the apply")
		if s.status == "revoked" && (got["status"].IsKnown() || len(resp.RequiresReplace) != 1) {
			t.Errorf("%s: a revoked link is not replaced: %v", name, resp.RequiresReplace)
		}
		if (s.status == "granted") != replacingWarning {
			t.Errorf("%s: replacement warnings %v", name, warnings)
		}
		return
	}
	var anyRegen, allRegen, anyReset, anyExpiryWarning = false, true, false, false
	tokens := map[string]bool{}
	for _, r := range c.resolutions() {
		regen := ruleRegenerates(s, r)
		anyRegen, allRegen = anyRegen || regen, allRegen && regen
		anyReset = anyReset || (regen && s.status == "granted")
		anyExpiryWarning = anyExpiryWarning || (ruleExpiry(s, r) && !ruleTriggers(s, r))
		switch {
		case r.storeToken == "false":
			tokens[""] = true
		case regen:
			tokens["?"] = true
		default:
			tokens[ruleToken(s, r)] = true
		}
		checkFinal(t, name, s, r, got, final(s, r))
	}
	prior := s.model()
	for _, a := range computedButID {
		wantUnknown := anyRegen
		if a == "token" || a == "link" {
			wantUnknown = len(tokens) > 1 || tokens["?"]
		}
		if got[a].IsKnown() == wantUnknown {
			t.Errorf("%s: %s planned %v, want unknown %t", name, a, got[a], wantUnknown)
		}
		if !wantUnknown && a == "status" && !got[a].Equal(tftypes.NewValue(tftypes.Number, prior.Status.ValueInt64())) {
			t.Errorf("%s: status %v changed", name, got[a])
		}
	}
	for _, a := range []string{"id", "partner_id", "title"} {
		if !got[a].IsFullyKnown() {
			t.Errorf("%s: %s unknown", name, a)
		}
	}
	checkWarnings(t, name, s, c, warnings, anyRegen && !allRegen, anyReset, anyExpiryWarning)
}

func checkWarnings(t *testing.T, name string, s spaceState, c spaceConfig, warnings []string, undecided, anyReset, anyExpiry bool) {
	t.Helper()
	resets, expiry := 0, 0
	for _, w := range warnings {
		switch {
		case strings.Contains(w, "clears credential_id"):
			resets++
		case strings.Contains(w, "Expire") || strings.Contains(w, "May Be Regenerated"):
			expiry++
		default:
			t.Errorf("%s: unexpected warning %q", name, w)
		}
		if undecided && !strings.Contains(w, "not known until the apply") {
			t.Errorf("%s: the apply may not regenerate, but the warning does not say so: %q", name, w)
		}
		if c.before == "unknown" && strings.Contains(w, "regenerate_before (") {
			t.Errorf("%s: the warning quotes an unknown setting: %q", name, w)
		}
		if strings.Contains(w, "expired at") && s.readAt.Before(spaceExpiry) {
			t.Errorf("%s: the warning says a link not yet expired expired: %q", name, w)
		}
	}
	if (resets == 1) != anyReset || resets > 1 {
		t.Errorf("%s: reset warnings %v, want one %t", name, warnings, anyReset)
	}
	if (expiry == 1) != anyExpiry || expiry > 1 {
		t.Errorf("%s: expiry warnings %v, want one %t", name, warnings, anyExpiry)
	}
}

// checkApply checks that the apply, given the final plan of known r,
// decides by the rule.
func checkApply(t *testing.T, s spaceState, r spaceConfig, resp *fwresource.ModifyPlanResponse) {
	t.Helper()
	var plan connectionLinkResourceModel
	if d := resp.Plan.Get(context.Background(), &plan); d.HasError() {
		t.Fatal(d)
	}
	f := readPlanFacts(s.model(), plan, s.readAt)
	regen := plan.Status.IsUnknown() && f.regeneration() == surely
	if regen != ruleRegenerates(s, r) || (regen && (f.triggers == surely) != ruleTriggers(s, r)) {
		t.Errorf("%+v, at apply %+v: the apply regenerates %t (triggers %v), want %t", s, r, regen, f.triggers, ruleRegenerates(s, r))
	}
}

// checkFinal checks the plan Terraform makes again at apply, with r known:
// it keeps what the first plan knew, and the apply decides by the rule.
func checkFinal(t *testing.T, name string, s spaceState, r spaceConfig, first map[string]tftypes.Value, resp *fwresource.ModifyPlanResponse) {
	t.Helper()
	again := planAttrs(t, resp)
	for a, v := range first {
		if v.IsFullyKnown() && !v.Equal(again[a]) && a != "regenerate_triggers" {
			t.Errorf("%s, at apply %+v: inconsistent final plan for %s: %v, then %v", name, r, a, v, again[a])
		}
	}
}

// unknownCLI runs a configuration through the CLI under test, as a user
// does, with saved plans: init once, then each step's apply of its own
// saved plan, and a plan after it that must be empty.
type unknownCLI struct {
	t        *testing.T
	e        *testEnv
	cli, dir string
	reattach tfexec.ReattachInfo
}

func withUnknownCLI(t *testing.T, e *testEnv, f func(c *unknownCLI)) {
	cli := newExampleCLI(t).path
	srv, err := e.factories()["albato"]()
	if err != nil {
		t.Fatal(err)
	}
	err = serveProvider(t, srv, func(r tfexec.ReattachInfo) error {
		c := &unknownCLI{t: t, e: e, cli: cli, dir: t.TempDir(), reattach: r}
		c.run(nil, "init", "-no-color", "-input=false")
		f(c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (c *unknownCLI) run(okCodes []int, args ...string) string {
	c.t.Helper()
	out, _ := runCLI(c.t, c.cli, c.dir, c.reattach, okCodes, args...)
	return out
}

// json runs a command that prints JSON, and returns it without the lines a
// CLI may print before it on the same stream.
func (c *unknownCLI) json(args ...string) []byte {
	c.t.Helper()
	out := c.run(nil, args...)
	return []byte(out[max(strings.Index(out, "\n{"), -1)+1:])
}

// step writes the configuration: terraform_data.x holding input, and the
// link with the given lines; it plans to a file, checks that plan, applies
// the file and checks that the next plan is empty. It returns the plan's
// output and the link's planned values and unknowns.
func (c *unknownCLI) step(input string, lines ...string) (out string, planned, unknown map[string]any) {
	c.t.Helper()
	config := c.e.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "x" {
  input = %q
}
resource "albato_connection_link" "l" {
  partner_id = 225
  title      = "computed"
  %s
}
`, input, strings.Join(lines, "\n  "))
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(config), 0o600); err != nil {
		c.t.Fatal(err)
	}
	out = c.run(nil, "plan", "-no-color", "-input=false", "-out=step.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string
			Change  struct {
				After        map[string]any `json:"after"`
				AfterUnknown map[string]any `json:"after_unknown"`
			}
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(c.json("show", "-json", "step.tfplan"), &plan); err != nil {
		c.t.Fatal(err)
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address == "albato_connection_link.l" {
			planned, unknown = rc.Change.After, rc.Change.AfterUnknown
		}
	}
	c.run(nil, "apply", "-no-color", "-input=false", "step.tfplan")
	if again, code := runCLI(c.t, c.cli, c.dir, c.reattach, []int{2}, "plan", "-no-color", "-input=false", "-detailed-exitcode"); code != 0 {
		c.t.Errorf("the plan after the apply is not empty:\n%s", again)
	}
	return strings.Join(strings.Fields(out), " "), planned, unknown // Terraform wraps long lines
}

// stateToken is the link's token in the state, "" when null.
func (c *unknownCLI) stateToken() string {
	c.t.Helper()
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string
					Values  map[string]any
				}
			} `json:"root_module"`
		}
	}
	if err := json.Unmarshal(c.json("show", "-json"), &state); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == "albato_connection_link.l" {
			token, _ := r.Values["token"].(string)
			return token
		}
	}
	c.t.Fatal("no link in the state")
	return ""
}

// A store_token unknown at plan (computed from another resource) leaves
// token and link unknown, and the saved plan applies whichever way it turns
// out: false to true, then true to false.
func TestAccConnectionLink_storeTokenUnknown(t *testing.T) {
	e := newTestEnv(t)
	withUnknownCLI(t, e, func(c *unknownCLI) {
		c.step("a", "store_token = false")
		for _, s := range []struct {
			input, expr string
			stored      bool
		}{
			{"b", `terraform_data.x.output != ""`, true},
			{"c", `terraform_data.x.output == ""`, false},
		} {
			_, _, unknown := c.step(s.input, "store_token = "+s.expr)
			if unknown["token"] != true || unknown["link"] != true || unknown["status"] == true {
				t.Errorf("store_token = %s: planned unknowns %v, want token and link alone", s.expr, unknown)
			}
			if got := c.stateToken(); (got == e.onlySharing().Token) != s.stored || (got == "") == s.stored {
				t.Errorf("store_token = %s: the state holds the token %t, want %t", s.expr, got != "", s.stored)
			}
		}
		if n := len(e.sandbox.Sharings()); n != 1 {
			t.Errorf("%d links, want the one", n)
		}
	})
}

// A regenerate_triggers map unknown as a whole, on a link its end user
// completed: the saved plan warns that the apply may reset it, clearing
// credential_id, and never gives a made-up expiry; a map that changes then
// regenerates, and one that turns out unchanged regenerates nothing.
func TestAccConnectionLink_triggerMapUnknown(t *testing.T) {
	e := newTestEnv(t)
	triggers := `regenerate_triggers = jsondecode(jsonencode({ r = split("-", terraform_data.x.output)[0] }))`
	grant := func() {
		if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
			t.Fatal(err)
		}
	}
	withUnknownCLI(t, e, func(c *unknownCLI) {
		c.step("1-a", triggers)
		for _, s := range []struct {
			input string
			puts  int
		}{
			{"2-a", 1}, // the value changes: the warned reset
			{"2-b", 0}, // unknown at plan, unchanged at apply
		} {
			grant()
			e.sandbox.ResetRequests()
			out, _, unknown := c.step(s.input, triggers)
			if !strings.Contains(out, "Regenerating a Completed Connection Link") || !strings.Contains(out, "clears credential_id") ||
				!strings.Contains(out, "not known until the apply") || strings.Contains(out, "Expire") {
				t.Errorf("input %s: the plan does not say the apply may reset the completed link:\n%s", s.input, out)
			}
			if unknown["credential_id"] != true || unknown["status"] != true {
				t.Errorf("input %s: planned unknowns %v, want what a regeneration changes", s.input, unknown)
			}
			if got := e.checkCount("PUT", s.puts)(nil); got != nil {
				t.Errorf("input %s: %v", s.input, got)
			}
			if granted := albato.Status(e.onlySharing().Status) == albato.StatusGranted; granted != (s.puts == 0) {
				t.Errorf("input %s: the link is granted %t after the apply", s.input, granted)
			}
		}
	})
}

// Arguments unknown at validation and at plan are checked once known, with
// the validators' messages, before any request: Terraform validates the
// configuration again when it plans at apply.
func TestAccConnectionLink_unknownInputChecked(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(title, before string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "x" {
  input = { title = %q, before = %q }
}
resource "albato_connection_link" "test" {
  partner_id        = 225
  title             = terraform_data.x.output.title
  regenerate_before = terraform_data.x.output.before
}
`, title, before)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("ok", "0s")},
			{
				PreConfig:   func() { e.sandbox.ResetRequests() },
				Config:      cfg(strings.Repeat("ж", 256), "0s"),
				ExpectError: regexp.MustCompile(`got 256 characters`),
			},
			{
				Config:      cfg("ok", "-1h"),
				ExpectError: regexp.MustCompile(`"-1h" is negative`),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := e.sandbox.Count("POST") + e.sandbox.Count("PUT"); n != 0 {
				return fmt.Errorf("%d writes on input the validators refuse", n)
			}
			return nil
		},
	})
}

// Behaviour 3: a change of regenerate_triggers regenerates in place with one
// PUT; id, partner_id and title keep their values, every other computed
// attribute is unknown in the plan. Setting the triggers where they were
// null only records them.
func TestAccConnectionLink_regenerateTriggers(t *testing.T) {
	e := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newToken := statecheck.CompareValue(compare.ValuesDiffer())
	sameToken := statecheck.CompareValue(compare.ValuesSame())
	unknownAfterRegeneration := []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("partner_id"), knownvalue.Int64Exact(225)),
		plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("title"), knownvalue.StringExact("rotating")),
	}
	for _, a := range []string{"token", "link", "status", "status_name", "credential_id", "date_created", "expires_at", "expired", "issued_at"} {
		unknownAfterRegeneration = append(unknownAfterRegeneration, plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New(a)))
	}
	unknownAfterRegeneration = append(unknownAfterRegeneration, expectKnown(linkAddr, "id"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: testAccConnectionLinkConfig(e, "rotating"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					sameToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
				},
			},
			// Adding the triggers records them: an update, no request.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccConnectionLinkConfig(e, "rotating", `regenerate_triggers = { rotation = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("PUT", 0), e.checkCount("POST", 0)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
				},
			},
			// Granted, then a trigger changes: PUT once, back to waiting.
			{
				PreConfig: func() {
					e.sandbox.ResetRequests()
					if _, err := e.sandbox.Grant(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
					e.clock.Advance(time.Hour)
				},
				Config: testAccConnectionLinkConfig(e, "rotating", `regenerate_triggers = { rotation = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: unknownAfterRegeneration,
				},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("PUT", 1), e.checkCount("POST", 0), e.checkCount("DELETE", 0)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
					newToken.AddStateValue(linkAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("status_name"), knownvalue.StringExact("waiting")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("credential_id"), knownvalue.Null()),
					// Expiry counts from the regeneration, not from date_created.
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(rfc3339(testStart.Add(49*time.Hour)))),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("date_created"), knownvalue.StringExact(rfc3339(testStart))),
				},
			},
			// Removing the triggers only records it.
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    testAccConnectionLinkConfig(e, "rotating"),
				Check:     e.checkCount("PUT", 0),
			},
		},
	})
}

// Behaviour 3: an unknown trigger value plans a possible regeneration, never
// an invalid plan.
func TestAccConnectionLink_regenerateTriggersUnknown(t *testing.T) {
	e := newTestEnv(t)
	cfg := func(v string) string {
		return e.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "rotation" {
  input = %q
}
resource "albato_connection_link" "test" {
  partner_id          = 225
  title               = "unknown triggers"
  regenerate_triggers = { rotation = terraform_data.rotation.output }
}`, v)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() { e.sandbox.ResetRequests() },
				Config:    cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token")),
					},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}

// planFor runs ModifyPlan on a prior state and a planned state built from
// models, as Terraform would, as of a link last read at readAt, and returns
// the response.
func planFor(t *testing.T, readAt time.Time, prior, planned connectionLinkResourceModel) *fwresource.ModifyPlanResponse {
	t.Helper()
	req, resp := planRequest(t, prior, planned)
	(&connectionLinkResource{}).planChange(context.Background(), req, resp, readAt)
	return resp
}

// The fast path of a plan of many links says "nothing to do" only for an
// unchanged link that is neither revoked nor due; anything else takes the
// whole path.
func TestUnchangedAndNotDue(t *testing.T) {
	t.Parallel()
	waiting := grantedModel()
	waiting.Status, waiting.StatusName, waiting.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	revoked := waiting
	revoked.Status, revoked.StatusName = types.Int64Value(3), types.StringValue("revoked")
	renamed := waiting
	renamed.Title = types.StringValue("CRM, renamed")
	before, after := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name           string
		prior, planned connectionLinkResourceModel
		readAt         time.Time
		want           bool
	}{
		{"waiting, unchanged, not due", waiting, waiting, before, true},
		{"granted, unchanged", grantedModel(), grantedModel(), after, true},
		{"changed", waiting, renamed, before, false},
		{"revoked", revoked, revoked, before, false},
		{"due", waiting, waiting, after, false},
	} {
		req, _ := planRequest(t, c.prior, c.planned)
		if got := unchangedAndNotDue(req, c.readAt); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Behaviour 5: replacing a granted link warns that it must be completed again.
func TestModifyPlan_replacingGrantedLinkWarns(t *testing.T) {
	t.Parallel()
	prior := grantedModel()
	planned := prior
	planned.Title = types.StringValue("CRM, renamed")
	resp := planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected error: %v", resp.Diagnostics)
	}
	if resp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", resp.Diagnostics)
	}
	w := resp.Diagnostics.Warnings()[0]
	if !strings.Contains(w.Detail(), "must complete again") || !strings.Contains(w.Detail(), "credential_id is null") {
		t.Errorf("warning does not explain the consequence: %s", w.Detail())
	}

	// A waiting link is replaced without a warning.
	prior.Status = types.Int64Value(0)
	planned.Status = types.Int64Value(0)
	resp = planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.WarningsCount() != 0 {
		t.Errorf("unexpected warning for a waiting link: %v", resp.Diagnostics)
	}
}

// Plans say why a link changes in place: an in-place update alone says
// nothing of an expiry, nor of a completed link that triggers reset.
func TestModifyPlan_regenerationWarnings(t *testing.T) {
	t.Parallel()
	waiting := grantedModel()
	waiting.Status, waiting.StatusName, waiting.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	early := waiting
	early.RegenerateBefore = types.StringValue("6h")
	triggered := func(m connectionLinkResourceModel, v string) connectionLinkResourceModel {
		m.RegenerateTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"rotation": types.StringValue(v)})
		return m
	}
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	// The facts each warning must carry: the link, the time it expires at
	// (expires_at, never date_created, 2026-01-01), the setting that made it
	// due, the credential a reset clears. The wording is free.
	for _, c := range []struct {
		name           string
		now            time.Time
		prior, planned connectionLinkResourceModel
		facts          []string // of the one warning, summary and detail; none for no warning
	}{
		{"expired", expiry, waiting, waiting, []string{"61", "expire", "2026-01-03T00:00:00Z"}},
		{"within regenerate_before", expiry.Add(-time.Hour), early, early, []string{"61", "2026-01-03T00:00:00Z", "regenerate_before", "6h"}},
		{"not yet", expiry.Add(-time.Second), waiting, waiting, nil},
		{"triggers on a completed link", expiry.Add(-time.Hour), triggered(grantedModel(), "1"), triggered(grantedModel(), "2"), []string{"61", "credential_id", "248"}},
		{"triggers on a waiting link", expiry.Add(-time.Hour), triggered(waiting, "1"), triggered(waiting, "2"), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			resp := planFor(t, c.now, c.prior, c.planned)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			if len(warnings) != min(len(c.facts), 1) {
				t.Fatalf("warnings %v, want %d", warnings, min(len(c.facts), 1))
			}
			for _, fact := range c.facts {
				if got := warnings[0].Summary() + ": " + warnings[0].Detail(); !strings.Contains(strings.ToLower(got), strings.ToLower(fact)) {
					t.Errorf("warning %q does not say %q", got, fact)
				}
			}
		})
	}
}
