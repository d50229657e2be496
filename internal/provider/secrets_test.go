package provider

// A suite across types: no secret in any log, plan or state of any resource,
// data source or list.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// No secret (API token, sharing token, link) reaches a log line at TRACE,
// through create, read, regeneration, import, the data sources (the list's
// secrets in their sensitive maps, with an output over them) and a failed
// request. Both the in-process provider's and the CLI's logs are checked,
// and so are the plans and states outside their sensitive values.
func TestAccSecretsNeverLogged(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")

	e := newTestEnv(t)
	// The test harness logs the configuration it writes, so the token comes
	// from the environment, as users should pass it.
	t.Setenv(envToken, testToken)
	providerBlock := fmt.Sprintf("provider \"albato\" {\n  api_url     = %q\n  connect_url = %q\n}\n", e.server.URL, e.connectURL())
	var mu sync.Mutex
	var secrets []string
	remember := func(*terraform.State) error {
		mu.Lock()
		defer mu.Unlock()
		for _, sh := range e.sandbox.Sharings() {
			secrets = append(secrets, sh.Token, buildLink(e.connectURL(), sh.PartnerID, sh.Token))
		}
		return nil
	}
	cfg := func(rotation string) string {
		return providerBlock + fmt.Sprintf(`
resource "albato_connection_link" "test" {
  partner_id          = 225
  title               = "secret keeping"
  regenerate_triggers = { rotation = %q }
}
`, rotation) + `
data "albato_connection_link" "test" {
  id              = albato_connection_link.test.id
  wait_for_status = ["waiting"]
}

data "albato_connection_links" "all" {
  include_secrets = true
  depends_on      = [albato_connection_link.test]
}

output "link_ids" {
  value = [for l in data.albato_connection_links.all.links : l.id]
}

output "links" {
  value     = data.albato_connection_links.all.link_by_id
  sensitive = true
}
`
	}
	// Step 5 reads the list during the plan, so its plan holds the secrets.
	shown := noSecretShown{e: e}
	plans := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{shown},
		PostApplyPostRefresh: []plancheck.PlanCheck{shown},
	}
	states := []statecheck.StateCheck{shown}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1"), Check: remember, ConfigPlanChecks: plans, ConfigStateChecks: states},
			{Config: cfg("2"), Check: remember, ConfigPlanChecks: plans, ConfigStateChecks: states},
			// An import knows only dateCreated, not when step 2 regenerated
			// the token (kept in private state), so the issue time differs.
			{ResourceName: linkAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"regenerate_triggers", "issued_at", "expires_at"}},
			{
				PreConfig: func() {
					e.sandbox.AddFault(sandboxFaultBody("GET", 500,
						fmt.Sprintf(`{"success":false,"message":"upstream echoed Authorization: Basic %s"}`, testToken), 0))
				},
				Config:      cfg("2"),
				ExpectError: regexp.MustCompile(`HTTP\s+500`),
			},
			{
				PreConfig:         func() { e.sandbox.ClearFaults() },
				Config:            cfg("2"),
				Check:             remember,
				ConfigPlanChecks:  plans,
				ConfigStateChecks: states,
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	log := string(raw)
	if !strings.Contains(log, "albato_connection_link") || len(log) < 10000 {
		t.Fatalf("the trace log (%d bytes) does not look like a TRACE log of this test", len(log))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(secrets) < 4 {
		t.Fatalf("only %d secrets collected; the test did not exercise regeneration", len(secrets))
	}
	for _, s := range append([]string{testToken}, secrets...) {
		if i := strings.Index(log, s); i >= 0 {
			context := log[max(0, i-300):min(len(log), i+len(s)+100)]
			t.Logf("where: %q", strings.ReplaceAll(context, s, "<SECRET>"))
			t.Errorf("a secret (%d chars, starting %q) appears in the trace log", len(s), s[:min(4, len(s))])
		}
	}
}

// noSecretShown fails when a sharing's token or link, or the API token,
// is in a plan or state outside the values that it or the provider's
// schema marks sensitive: what the CLI would print. (Terraform 1.5.7's
// planned_values leave out the schema's marks, which its renderer adds.)
// It also fails when the plan or state holds no secret at all, so that it
// cannot pass on a configuration that reads none.
type noSecretShown struct{ e *testEnv }

// schemaMarks are the sensitive attributes of each resource ("managed")
// and data source ("data") type, by mode and type, as the sensitive_values
// of the plan and state JSON mark them.
func schemaMarks() map[string]any {
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		panic(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		panic(err)
	}
	out := map[string]any{}
	for mode, m := range map[string]map[string]*tfprotov6.Schema{"managed": resp.ResourceSchemas, "data": resp.DataSourceSchemas} {
		for name, s := range m {
			out[mode+"."+name] = attributeMarks(s.Block.Attributes)
		}
	}
	return out
}

func attributeMarks(attrs []*tfprotov6.SchemaAttribute) map[string]any {
	marks := map[string]any{}
	for _, a := range attrs {
		switch {
		case a.Sensitive:
			marks[a.Name] = true
		case a.NestedType != nil && a.NestedType.Nesting == tfprotov6.SchemaObjectNestingModeSingle:
			marks[a.Name] = attributeMarks(a.NestedType.Attributes)
		}
	}
	return marks
}

// mergeMarks is what either of two sensitivity marks hides.
func mergeMarks(a, b any) any {
	if a == true || b == true {
		return true
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	switch {
	case !aok:
		return b
	case !bok:
		return a
	}
	out := map[string]any{}
	for k, v := range am {
		out[k] = mergeMarks(v, bm[k])
	}
	for k, v := range bm {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func (c noSecretShown) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	p, schema := req.Plan, schemaMarks()
	var shown, all []string
	stateStrings("planned_values ", schema, p.PlannedValues, &shown, &all)
	stateStrings("prior_state ", schema, stateValuesOf(p.PriorState), &shown, &all)
	for _, changes := range [][]*tfjson.ResourceChange{p.ResourceChanges, p.ResourceDrift} {
		for _, rc := range changes {
			changeStrings(rc.Address, schema[string(rc.Mode)+"."+rc.Type], rc.Change, &shown, &all)
		}
	}
	for name, ch := range p.OutputChanges {
		changeStrings("output."+name, nil, ch, &shown, &all)
	}
	resp.Error = c.judge("plan", shown, all, p.PriorState != nil && len(c.e.sandbox.Sharings()) > 0)
}

func (c noSecretShown) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var shown, all []string
	stateStrings("", schemaMarks(), stateValuesOf(req.State), &shown, &all)
	resp.Error = c.judge("state", shown, all, true)
}

// judge checks the strings shown and, when mustHold, that all holds a secret.
func (c noSecretShown) judge(what string, shown, all []string, mustHold bool) error {
	secrets := []string{testToken}
	for _, sh := range c.e.sandbox.Sharings() {
		secrets = append(secrets, sh.Token, buildLink(c.e.connectURL(), sh.PartnerID, sh.Token))
	}
	held := false
	for _, s := range secrets {
		for _, v := range shown {
			if path, value, _ := strings.Cut(v, "\x00"); strings.Contains(value, s) {
				return fmt.Errorf("a secret (%d chars) is in the %s outside its sensitive values, at %s", len(s), what, path)
			}
		}
		held = held || slices.ContainsFunc(all, func(v string) bool { return strings.Contains(v, s) })
	}
	if mustHold && !held {
		return fmt.Errorf("the %s holds no secret even under its sensitive marks: the check saw nothing to guard", what)
	}
	return nil
}

func stateValuesOf(s *tfjson.State) *tfjson.StateValues {
	if s == nil {
		return nil
	}
	return s.Values
}

// stateStrings appends the strings of v outside its sensitive values and
// the schema's to shown, and every string of v to all.
func stateStrings(where string, schema map[string]any, v *tfjson.StateValues, shown, all *[]string) {
	if v == nil {
		return
	}
	for _, o := range v.Outputs {
		if !o.Sensitive {
			valueStrings("output", o.Value, nil, shown)
		}
		valueStrings("output", o.Value, nil, all)
	}
	var module func(m *tfjson.StateModule)
	module = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			var marks any
			if len(r.SensitiveValues) > 0 {
				_ = json.Unmarshal(r.SensitiveValues, &marks)
			}
			marks = mergeMarks(marks, schema[string(r.Mode)+"."+r.Type])
			values := r.AttributeValues
			valueStrings(where+r.Address, values, marks, shown)
			valueStrings(where+r.Address, values, nil, all)
		}
		for _, cm := range m.ChildModules {
			module(cm)
		}
	}
	module(v.RootModule)
}

func changeStrings(addr string, schema any, ch *tfjson.Change, shown, all *[]string) {
	if ch == nil {
		return
	}
	valueStrings(addr+" (before)", ch.Before, mergeMarks(ch.BeforeSensitive, schema), shown)
	valueStrings(addr+" (after)", ch.After, mergeMarks(ch.AfterSensitive, schema), shown)
	valueStrings(addr, ch.Before, nil, all)
	valueStrings(addr, ch.After, nil, all)
}

// valueStrings appends the strings of v that marks (true, or a value of
// v's shape with true at its sensitive parts) leaves unmarked, each as its
// path, a NUL and the string.
func valueStrings(path string, v, marks any, out *[]string) {
	if marks == true {
		return
	}
	switch v := v.(type) {
	case string:
		*out = append(*out, path+"\x00"+v)
	case map[string]any:
		m, _ := marks.(map[string]any)
		for k, x := range v {
			valueStrings(path+"."+k, x, m[k], out)
		}
	case []any:
		m, _ := marks.([]any)
		for i, x := range v {
			var mi any
			if i < len(m) {
				mi = m[i]
			}
			valueStrings(fmt.Sprintf("%s[%d]", path, i), x, mi, out)
		}
	}
}
