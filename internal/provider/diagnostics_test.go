package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// A create that may have taken effect says what the user must check: a
// failed look names the link to find, several candidates name their ids; a
// create that surely failed says only that.
func TestCreateErrorDiagnostic(t *testing.T) {
	t.Parallel()
	pd := &providerData{settings: settings{apiURLOrigin: `"api_url" in the provider configuration`}}
	plan := connectionLinkResourceModel{linkView: linkView{Title: types.StringValue("CRM"), PartnerID: types.Int64Value(225)}}
	cause := errors.New("connection reset")
	for _, c := range []struct {
		name string
		err  error
		want []string // the summary, then parts of the detail
	}{
		{"failed", cause, []string{"Unable to Create Connection Link", "connection reset"}},
		{"look failed", &albato.AmbiguousCreateError{Cause: cause, LookErr: errors.New("HTTP 503")},
			[]string{"Connection Link May Have Been Created", `"CRM" for partner 225`, "HTTP 503", "import it"}},
		{"several candidates", &albato.AmbiguousCreateError{Cause: cause, Candidates: []albato.Sharing{{ID: 61}, {ID: 64}}},
			[]string{"Connection Link May Have Been Created More Than Once", "2 links", "ids 61, 64", "terraform import"}},
	} {
		summary, detail := pd.createErrorDiagnostic(plan.PartnerID.ValueInt64(), plan.Title.ValueString(), c.err)
		if summary != c.want[0] {
			t.Errorf("%s: summary %q, want %q", c.name, summary, c.want[0])
		}
		for _, part := range c.want[1:] {
			if !strings.Contains(detail, part) {
				t.Errorf("%s: detail %q lacks %q", c.name, detail, part)
			}
		}
	}
}

// An interrupt comes from Terraform or OpenTofu alike: no message it causes
// names either CLI.
func TestInterruptMessagesNameNoCLI(t *testing.T) {
	t.Parallel()
	pd := &providerData{}
	var diags diag.Diagnostics
	w := &linkWait{ids: []int64{61}, want: []string{"granted"}}
	w.interrupted(&diags)
	msgs := []string{pd.apiErrorDetail("create the link", context.Canceled),
		pd.apiErrorDetail("read link 61", fmt.Errorf("GET: %w", context.Canceled))}
	for _, d := range diags {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	if len(msgs) != 3 {
		t.Fatalf("the interrupted wait reported %d diagnostics, want 1: %v", len(diags), diags)
	}
	for _, m := range msgs {
		if strings.Contains(m, "Terraform") || strings.Contains(m, "OpenTofu") {
			t.Errorf("an interrupt's message names a CLI: %q", m)
		}
	}
}

// An API error is one clear diagnostic with the status and the API's own
// message, and nothing half-made in the state.
func TestAccConnectionLink_apiErrors(t *testing.T) {
	cases := map[string]struct {
		partner int
		fault   func(e *testEnv)
		want    string
	}{
		"unknown partner": {partner: 999, want: `(?s)Unable to Create Connection Link.*HTTP\s+400.*999`},
		// A 5xx or an unreadable answer at 200 may hide a create that
		// happened: the provider looks for the link, finds none, and sends
		// the POST once more (see the ambiguous create tests). The faults
		// here answer every POST, so that the error shows what came back.
		"html from a proxy": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 503, "<html><body><h1>503 Service Unavailable</h1></body></html>", 0))
		}, want: `(?s)Unable to Create Connection Link.*HTTP\s+503.*non-JSON`},
		"success false at 200": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 200, `{"success":false,"errors":[{"message":"quota exceeded"}]}`, 1))
		}, want: `(?s)HTTP\s+200.*quota exceeded`},
		"empty body": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandbox.Fault{Method: "POST", Status: 500, EmptyBody: true})
		}, want: `(?s)HTTP\s+500.*empty response body`},
		"truncated JSON": {partner: 225, fault: func(e *testEnv) {
			e.sandbox.AddFault(sandboxFaultBody("POST", 200, `{"success":true,"data":{"id":`, 0))
		}, want: `(?s)HTTP\s+200.*malformed JSON`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if c.fault != nil {
							c.fault(e)
						}
					},
					Config: e.providerConfig() + fmt.Sprintf(`
resource "albato_connection_link" "test" {
  partner_id = %d
  title      = "errors"
}`, c.partner),
					ExpectError: regexp.MustCompile(c.want),
				}},
				CheckDestroy: e.checkCount("DELETE", 0),
			})
		})
	}
}

// Ctrl-C (a cancelled context) during a slow request or a retry wait ends
// the operation within a second, with a diagnostic saying so, and leaves
// the API as the state says: nothing created.
func TestCancelEndsCreateQuickly(t *testing.T) {
	for name, fault := range map[string]sandbox.Fault{
		"slow answer": {Method: "POST", Latency: time.Minute},
		"retry wait":  {Method: "POST", Status: 429, RetryAfter: "60"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			// Honour a long Retry-After, as the real client would.
			e.clientTweak = func(c *albato.Config) { c.MaxRetryAfter = time.Minute }
			e.sandbox.AddFault(fault)
			server := e.configuredServer(t, nil)
			ctx := context.Background()
			typ := linkObjectType(ctx, t, server)
			vals := map[string]tftypes.Value{}
			for name, at := range typ.AttributeTypes {
				vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
			}
			vals["partner_id"] = tftypes.NewValue(tftypes.Number, 225)
			vals["title"] = tftypes.NewValue(tftypes.String, "cancelled")
			vals["regenerate_triggers"] = tftypes.NewValue(typ.AttributeTypes["regenerate_triggers"], nil)
			vals["regenerate_when_expired"] = tftypes.NewValue(tftypes.Bool, true)
			vals["regenerate_before"] = tftypes.NewValue(tftypes.String, "0s")
			planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
			if err != nil {
				t.Fatal(err)
			}
			prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: "albato_connection_link", PriorState: &prior, PlannedState: &planned, Config: &planned,
			})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// The fault would hold the request for a minute; ending far
			// sooner proves the wait was cut short, not waited out. The
			// bound is loose so that a loaded machine cannot fail it; the
			// typical figure (about 0.2 s) is in the test log.
			t.Logf("apply returned %v after the start, %v after Ctrl-C", elapsed, elapsed-200*time.Millisecond)
			if elapsed > 15*time.Second {
				t.Errorf("apply took %v after Ctrl-C; the cancellation did not end the wait", elapsed)
			}
			var details []string
			for _, d := range resp.Diagnostics {
				details = append(details, d.Summary+": "+d.Detail)
			}
			if !strings.Contains(strings.Join(details, "\n"), "cancelled") {
				t.Errorf("diagnostics do not say the request was cancelled: %q", details)
			}
			if n := len(e.sandbox.Sharings()); n != 0 {
				t.Errorf("the sandbox holds %d links after a cancelled create, want 0", n)
			}
		})
	}
}
