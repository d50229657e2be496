package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// A title the API would answer otherwise never leaves an inconsistent
// result: white space around it is refused before anything is sent, and
// any other tidying of an API that normalises titles (here runs of white
// space inside, collapsed) leaves the configured title in the state, the
// apply clean and the next plan empty.
func TestAccConnectionLink_titleTheAPITidies(t *testing.T) {
	e := newTestEnv(t)
	e.sandbox.AddFault(sandbox.Fault{Method: "POST", NormalizeTitle: true})
	cfg := func(title string) string {
		return e.providerConfig() + fmt.Sprintf("resource \"albato_connection_link\" \"test\" {\n  partner_id = 225\n  title      = %q\n}\n", title)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg("CRM for Acme\n"),
				ExpectError: regexp.MustCompile(`(?s)Title Begins or Ends With White Space.*The title "CRM for Acme\\n".*trimspace\(\)`),
			},
			{
				Config: cfg("CRM  for Acme"),
				Check: resource.ComposeAggregateTestCheckFunc(e.checkCount("POST", 1), func(*terraform.State) error {
					if got := e.onlySharing().Title; got != "CRM for Acme" {
						return fmt.Errorf("the sandbox holds title %q, want it tidied: the test proves nothing", got)
					}
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("title"), knownvalue.StringExact("CRM  for Acme")),
				},
			},
			{
				RefreshState: true,
				Check:        e.checkCount("POST", 1),
			},
			{
				Config:           cfg("CRM  for Acme"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// A create warns exactly when the API answers another title than the one
// sent, and keeps the configured title either way: an API that tidies
// titles or not × a title it would tidy or not.
func TestCreateWarnsWhenTheAPIAnswersOtherwise(t *testing.T) {
	t.Parallel()
	for _, tidies := range []bool{false, true} {
		for _, title := range []string{"CRM for Acme", "CRM  for Acme"} {
			t.Run(fmt.Sprintf("tidies %v, %q", tidies, title), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				e := newTestEnv(t)
				if tidies {
					e.sandbox.AddFault(sandbox.Fault{Method: "POST", NormalizeTitle: true})
				}
				l := newProtoLink(ctx, t, e)
				config := l.config(map[string]tftypes.Value{
					"partner_id": tftypes.NewValue(tftypes.Number, 225), "title": tftypes.NewValue(tftypes.String, title)})
				planned, private := l.plan(config)
				_, diags := l.apply(config, planned, private)
				l.fatalOnError("create", diags)
				answered := e.onlySharing().Title
				if (tidies && strings.Contains(title, "  ")) != (answered != title) {
					t.Fatalf("the sandbox holds title %q: the case proves nothing", answered)
				}
				var warnings []string
				for _, d := range diags {
					if d.Severity == tfprotov6.DiagnosticSeverityWarning {
						warnings = append(warnings, d.Summary+": "+d.Detail)
					}
				}
				if want := answered != title; len(warnings) != map[bool]int{false: 0, true: 1}[want] ||
					(want && !strings.Contains(warnings[0], fmt.Sprintf("%q", answered))) {
					t.Errorf("warnings %q; want one naming the title answered %t", warnings, want)
				}
				if got := l.attr(l.state, "title"); got != title {
					t.Errorf("the state's title is %q, want the configured %q", got, title)
				}
			})
		}
	}
}

// keepHeld keeps what the resource held, configured or imported, and
// answeredOtherwise says when the API answered something else: each field
// alone and both.
func TestKeepHeldAndAnsweredOtherwise(t *testing.T) {
	t.Parallel()
	pd := &providerData{now: clocktest.NewFake(testStart).Now, settings: settings{connectURL: "https://c"}}
	for _, c := range []struct {
		name       string
		partner    int64
		title      string
		answerDiff bool
	}{
		{"as sent", 225, "CRM", false},
		{"another title", 225, "crm", true},
		{"another partner", 226, "CRM", true},
		{"both", 226, "crm", true},
	} {
		var plan connectionLinkResourceModel
		plan.withDefaults()
		plan.PartnerID, plan.Title = types.Int64Value(225), types.StringValue("CRM")
		s := &albato.Sharing{ID: 61, PartnerID: c.partner, Title: c.title, Token: "tok"}
		if summary, _ := answeredOtherwise(plan, s); (summary != "") != c.answerDiff {
			t.Errorf("%s: warning %q, want one: %v", c.name, summary, c.answerDiff)
		}
		m := plan
		m.fill(s, pd, time.Time{})
		m.keepHeld(plan)
		if m.PartnerID.ValueInt64() != 225 || m.Title.ValueString() != "CRM" {
			t.Errorf("%s: kept partner %v, title %v; want what was configured", c.name, m.PartnerID, m.Title)
		}
		var imported connectionLinkResourceModel // an import holds nothing yet
		imported.fill(s, pd, time.Time{})
		imported.keepHeld(connectionLinkResourceModel{})
		if imported.PartnerID.ValueInt64() != c.partner || imported.Title.ValueString() != c.title {
			t.Errorf("%s: an import holds %v, %v; want the API's", c.name, imported.PartnerID, imported.Title)
		}
	}
}
