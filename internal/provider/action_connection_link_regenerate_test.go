package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

const regenerateLinkConfig = `
resource "albato_connection_link" "acme" {
  partner_id = 225
  title      = "Acme onboarding"
}
`

// The action regenerates a managed link with one PUT; the link keeps its id,
// and the resource's next refresh shows the new token.
func TestAccActionRegenerate_managedLink(t *testing.T) {
	e := newTestEnv(t)
	var id, token string
	attr := func(s *terraform.State, name string) string {
		return s.RootModule().Resources["albato_connection_link.acme"].Primary.Attributes[name]
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + regenerateLinkConfig,
				Check: func(s *terraform.State) error {
					id, token = attr(s, "id"), attr(s, "token")
					if token == "" {
						return fmt.Errorf("no token in state")
					}
					e.sandbox.ResetRequests()
					return nil
				},
			},
			{
				Config: e.providerConfig() + regenerateLinkConfig + `
action "albato_connection_link_regenerate" "acme" {
  config {
    id = albato_connection_link.acme.id
  }
}
` + triggered("regenerate", "action.albato_connection_link_regenerate.acme"),
				Check: func(s *terraform.State) error {
					if n := e.sandbox.Count("PUT"); n != 1 {
						return fmt.Errorf("the action sent %d PUTs, want exactly 1; requests: %v", n, e.requests())
					}
					if n := e.sandbox.Count("POST") + e.sandbox.Count("DELETE"); n != 0 {
						return fmt.Errorf("the action created or deleted links; requests: %v", e.requests())
					}
					sh := e.onlySharing()
					if fmt.Sprint(sh.ID) != id || sh.Token == token {
						return fmt.Errorf("after the action the link is %d with the same token: %v, want %s with a new token",
							sh.ID, sh.Token == token, id)
					}
					return nil
				},
			},
			{
				RefreshState: true,
				Check: func(s *terraform.State) error {
					if got := attr(s, "id"); got != id {
						return fmt.Errorf("id %s after the refresh, want %s", got, id)
					}
					if got := attr(s, "token"); got == token || got != e.onlySharing().Token {
						return fmt.Errorf("the refresh after the action does not show the new token")
					}
					return nil
				},
			},
		},
	})
}

// The action refuses what it cannot or should not regenerate, naming the
// link and what to do; a granted link only with allow_granted, with a
// warning.
func TestAccActionRegenerate_refusals(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(e *testEnv, id int64) error
		extra   string
		wantErr string
		wantPUT int
	}{
		{"revoked", func(e *testEnv, id int64) error { return e.sandbox.Revoke(id) }, "",
			`(?s)Cannot Regenerate a Revoked Connection Link.*link\s+%d\s+is\s+revoked.*creates\s+a\s+new\s+link`, 0},
		{"deleted", func(e *testEnv, id int64) error { return e.sandbox.Remove(id) }, "",
			`(?s)Connection Link Not Found.*id\s+%d.*creates\s+a\s+new\s+link`, 0},
		{"granted", func(e *testEnv, id int64) error { _, err := e.sandbox.Grant(id); return err }, "",
			`(?s)Connection Link Already Granted.*link\s+%d.*allow_granted\s+=\s+true`, 0},
		// Written out, false is the default: still refused.
		{"granted, allow_granted = false", func(e *testEnv, id int64) error { _, err := e.sandbox.Grant(id); return err },
			"allow_granted = false", `(?s)Connection Link Already Granted.*link\s+%d.*allow_granted\s+=\s+true`, 0},
		{"granted, allowed", func(e *testEnv, id int64) error { _, err := e.sandbox.Grant(id); return err },
			"allow_granted = true", "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			id := e.seed(225, "Acme onboarding")
			if err := tc.setup(e, id); err != nil {
				t.Fatal(err)
			}
			step := resource.TestStep{
				Config: e.providerConfig() + fmt.Sprintf(`
action "albato_connection_link_regenerate" "x" {
  config {
    id = "%d"
    %s
  }
}
`, id, tc.extra) + triggered("regenerate", "action.albato_connection_link_regenerate.x"),
				Check: func(*terraform.State) error {
					sh, _ := e.sandbox.Sharing(id)
					if sh.Status != int(albato.StatusWaiting) || sh.CredentialID != nil {
						return fmt.Errorf("after allow_granted the link is status %d, credential %v; want waiting, none", sh.Status, sh.CredentialID)
					}
					return nil
				},
			}
			if tc.wantErr != "" {
				step.ExpectError = regexp.MustCompile(fmt.Sprintf(tc.wantErr, id))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   needsTerraform114,
				Steps:                    []resource.TestStep{step},
				CheckDestroy: func(*terraform.State) error {
					if n := e.sandbox.Count("PUT"); n != tc.wantPUT {
						return fmt.Errorf("%d PUTs, want %d; requests: %v", n, tc.wantPUT, e.requests())
					}
					return nil
				},
			})
		})
	}
}

// invokeRegenerate runs the regenerate action's Invoke directly, as
// Terraform does, with allow_granted = true.
func invokeRegenerate(t *testing.T, e *testEnv, id int64) (action.InvokeResponse, *progressLog) {
	t.Helper()
	return invokeRegenerateAllow(t, e, id, tftypes.NewValue(tftypes.Bool, true))
}

// invokeRegenerateAllow is invokeRegenerate with allow_granted as given
// (null for unset).
func invokeRegenerateAllow(t *testing.T, e *testEnv, id int64, allow tftypes.Value) (action.InvokeResponse, *progressLog) {
	t.Helper()
	a := &regenerateAction{data: e.configured(t)}
	var sr action.SchemaResponse
	a.Schema(t.Context(), action.SchemaRequest{}, &sr)
	var p progressLog
	resp := action.InvokeResponse{SendProgress: p.send}
	raw := tftypes.NewValue(sr.Schema.Type().TerraformType(t.Context()), map[string]tftypes.Value{
		"id":            tftypes.NewValue(tftypes.String, strconv.FormatInt(id, 10)),
		"allow_granted": allow,
	})
	a.Invoke(t.Context(), action.InvokeRequest{Config: tfsdk.Config{Raw: raw, Schema: sr.Schema}}, &resp)
	return resp, &p
}

// Invoked directly, as Terraform does: a waiting link is regenerated without
// a warning, a granted one (with allow_granted) with one, and each says so
// in a progress event; the sandbox holds the new token.
func TestActionRegenerate_invoke(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	waiting, granted := e.seed(225, "Acme"), e.seed(225, "Globex")
	if _, err := e.sandbox.Grant(granted); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id       int64
		warnings int
	}{{waiting, 0}, {granted, 1}} {
		before, _ := e.sandbox.Sharing(c.id)
		resp, p := invokeRegenerate(t, e, c.id)
		after, _ := e.sandbox.Sharing(c.id)
		switch {
		case resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != c.warnings:
			t.Errorf("link %d: %v, want %d warnings", c.id, resp.Diagnostics, c.warnings)
		case after.Token == before.Token || after.Status != int(albato.StatusWaiting):
			t.Errorf("link %d not regenerated: %+v", c.id, after)
		case len(p.all()) != 1 || !strings.HasPrefix(p.all()[0], fmt.Sprintf("Regenerated connection link %d ", c.id)):
			t.Errorf("link %d: progress %q", c.id, p.all())
		}
	}
}

// A PUT that fails says nothing was done: no warning that a granted link
// was reset, no progress event; the error says what is known: nothing
// changed (a refusal), nothing there to change (404), or that it may have
// changed (a server error: no usable answer).
func TestActionRegenerate_failedPUT(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		want   string
	}{
		{http.StatusBadRequest, `(?s)Unable to Regenerate Connection Link.*Nothing was changed: connection link %[1]d keeps ` +
			`its token and stays granted \(credential \d+\)\.`},
		{http.StatusNotFound, `(?s)Connection Link Not Found.*id %[1]d.*Nothing was regenerated\.`},
		{http.StatusInternalServerError, `(?s)Unable to Regenerate Connection Link.*HTTP 500.*Albato may have regenerated ` +
			`connection link %[1]d all the same.*the granted link is waiting again`},
	}
	for _, c := range cases {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			id := e.seed(225, "Acme")
			if _, err := e.sandbox.Grant(id); err != nil {
				t.Fatal(err)
			}
			before, _ := e.sandbox.Sharing(id)
			e.sandbox.AddFault(sandboxFaultBody(http.MethodPut, c.status, "", 0))
			resp, p := invokeRegenerate(t, e, id)
			var text []string
			for _, d := range resp.Diagnostics {
				text = append(text, d.Severity().String()+": "+d.Summary()+": "+d.Detail())
			}
			if resp.Diagnostics.WarningsCount() != 0 || len(p.all()) != 0 {
				t.Errorf("a failed regeneration said it happened: %q, progress %q", text, p.all())
			}
			if !regexp.MustCompile(fmt.Sprintf(c.want, id)).MatchString(strings.Join(text, "\n")) {
				t.Errorf("diagnostics %q do not match %q", text, c.want)
			}
			if after, _ := e.sandbox.Sharing(id); after.Token != before.Token || after.Status != int(albato.StatusGranted) {
				t.Errorf("the sandbox changed the link: %+v", after)
			}
		})
	}
}

// As Terraform runs it, a PUT that fails never reports a reset: the error
// says nothing was regenerated (404) or that it may have been (500, no
// usable answer), and the granted link keeps its grant and token.
func TestAccActionRegenerate_failedPUT(t *testing.T) {
	cases := []struct {
		status int
		want   string
	}{
		{http.StatusNotFound, `(?s)Connection Link Not Found.*id\s+%d.*Nothing\s+was\s+regenerated\.`},
		{http.StatusInternalServerError, `(?s)Unable to Regenerate Connection Link.*HTTP\s+500.*Albato\s+may\s+have\s+regenerated\s+connection\s+link\s+%d\s+all\s+the\s+same`},
	}
	for _, c := range cases {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			e := newTestEnv(t)
			id := e.seed(225, "Acme onboarding")
			if _, err := e.sandbox.Grant(id); err != nil {
				t.Fatal(err)
			}
			before, _ := e.sandbox.Sharing(id)
			e.sandbox.AddFault(sandboxFaultBody(http.MethodPut, c.status, "", 0))
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   needsTerraform114,
				Steps: []resource.TestStep{{
					Config: e.providerConfig() + fmt.Sprintf(`
action "albato_connection_link_regenerate" "x" {
  config {
    id            = "%d"
    allow_granted = true
  }
}
`, id) + triggered("regenerate", "action.albato_connection_link_regenerate.x"),
					ExpectError: regexp.MustCompile(fmt.Sprintf(c.want, id)),
				}},
				CheckDestroy: func(*terraform.State) error {
					if after, _ := e.sandbox.Sharing(id); after.Token != before.Token || after.Status != int(albato.StatusGranted) {
						return fmt.Errorf("the link changed: status %d, same token %v", after.Status, after.Token == before.Token)
					}
					return nil
				},
			})
		})
	}
}

// allow_granted over its space: unset, false and true, on a link in each
// status. The rule: the action regenerates (one PUT, the link waiting with a
// new token) a waiting link, or a granted one with allow_granted = true;
// it refuses a granted link otherwise, and a revoked or deleted link always,
// naming the link, with no PUT and the link as it was.
func TestActionRegenerate_allowGrantedSpace(t *testing.T) {
	t.Parallel()
	allows := map[string]tftypes.Value{"unset": tftypes.NewValue(tftypes.Bool, nil),
		"false": tftypes.NewValue(tftypes.Bool, false), "true": tftypes.NewValue(tftypes.Bool, true)}
	for allow, value := range allows {
		for _, status := range []string{"waiting", "waiting_oauth", "granted", "revoked", "deleted"} {
			t.Run(allow+"/"+status, func(t *testing.T) {
				t.Parallel()
				e := newTestEnv(t)
				id := e.seed(227, "Acme") // signs in with OAuth
				e.moveLink(t, id, "waiting", status)
				before, _ := e.sandbox.Sharing(id)
				e.sandbox.ResetRequests()
				resp, _ := invokeRegenerateAllow(t, e, id, value)
				regenerates := status == "waiting" || status == "waiting_oauth" || (status == "granted" && allow == "true")
				after, _ := e.sandbox.Sharing(id)
				if puts := e.sandbox.Count("PUT"); (puts == 1) != regenerates || puts > 1 {
					t.Errorf("%d PUTs, want a regeneration %t; %v", puts, regenerates, resp.Diagnostics)
				}
				if resp.Diagnostics.HasError() == regenerates {
					t.Errorf("diagnostics %v, want an error %t", resp.Diagnostics, !regenerates)
				}
				for _, d := range resp.Diagnostics.Errors() {
					if !strings.Contains(d.Detail(), strconv.FormatInt(id, 10)) {
						t.Errorf("the error does not name link %d: %s", id, d.Detail())
					}
				}
				switch {
				case regenerates && (after.Token == before.Token || after.Status != int(albato.StatusWaiting) || after.CredentialID != nil):
					t.Errorf("not regenerated: %+v", after)
				case !regenerates && (after.Token != before.Token || after.Status != before.Status):
					t.Errorf("refused, yet the link changed: %+v, was %+v", after, before)
				}
			})
		}
	}
}
