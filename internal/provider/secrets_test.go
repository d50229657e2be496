package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// No secret (API token, sharing token, link) reaches a log line at TRACE,
// through create, read, regeneration, import, a data source and a failed
// request. Both the in-process provider's and the CLI's logs are checked.
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
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1"), Check: remember},
			{Config: cfg("2"), Check: remember},
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
				PreConfig: func() { e.sandbox.ClearFaults() },
				Config:    cfg("2"),
				Check:     remember,
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
