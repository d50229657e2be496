package provider

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAccExamplesApplyAsShown applies, then destroys, each reference page's
// and guide's example folder that the other example tests only validate, as
// a reader would: its own files, with the variables a reader would pass, on
// the CLI under test against the sandbox. What each page promises beyond
// "it applies" is held by the tests of DESIGN.md's promise table; this one
// holds that every folder a page shows runs as shown. Folders left out are
// run elsewhere (getting-started, the drift checks, the import block, the
// solution installation, the testing guide's modules) or need what a test
// cannot give (an S3 backend, a secret store, generated ids).
func TestAccExamplesApplyAsShown(t *testing.T) {
	clients := `{acme = { partner_id = 225, title = "Acme Corp: Demo CRM" }}`
	umbrella := func(e *testEnv) []string {
		e.seed(225, "CRM connection for Umbrella") // id 61, the link the page's import block imports
		return nil
	}
	for _, c := range []struct {
		dir  string
		vars func(e *testEnv) []string // -var arguments; a granted link where a wait is shown
	}{
		{"examples/resources/albato_connection_link", umbrella},
		{"examples/resources/albato_connection_link/import-by-identity", umbrella},
		{"examples/data-sources/albato_connection_link", func(e *testEnv) []string {
			return []string{"crm_link_id=" + grantedLink(t, e)}
		}},
		{"examples/data-sources/albato_connection_links", func(e *testEnv) []string { e.seed(225, "Acme"); return nil }},
		{"examples/ephemeral-resources/albato_connection_link", nil},
		{"examples/guides/expiry-and-rotation", func(*testEnv) []string { return []string{"clients=" + clients} }},
		{"examples/guides/expiry-and-rotation/try-it", nil},
		{"examples/guides/handing-out-links/links", func(*testEnv) []string { return []string{"clients=" + clients} }},
		{"examples/guides/handing-out-links/many-links", func(e *testEnv) []string { e.seed(225, "Acme"); return nil }},
		{"examples/guides/importing-links/find", func(e *testEnv) []string { e.seed(225, "Acme"); return nil }},
		{"examples/guides/keeping-links-out-of-state/ephemeral", func(*testEnv) []string {
			return []string{`clients={acme = "Acme Corp"}`}
		}},
		{"examples/guides/wait-without-blocking-destroy", func(e *testEnv) []string {
			return []string{"link_id=" + grantedLink(t, e)}
		}},
	} {
		t.Run(strings.TrimPrefix(c.dir, "examples/"), func(t *testing.T) {
			cli := newExampleCLI(t)
			src := filepath.Join(repoRoot, c.dir)
			files, err := filepath.Glob(filepath.Join(src, "*.tf"))
			if err != nil || len(files) == 0 {
				t.Fatalf("%s holds no .tf file: %v", c.dir, err)
			}
			dir, joined := t.TempDir(), ""
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				joined += string(b) + "\n"
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cli.skipUnlessRequiredVersion(t, c.dir, joined)
			if !requiredProvidersRE.MatchString(joined) { // a snippet shown on its own, as validate runs it
				rp := "terraform {\n  required_providers {\n    albato = {\n      source = \"albato/albato\"\n    }\n  }\n}\n"
				if err := os.WriteFile(filepath.Join(dir, addedRequiredProviders), []byte(rp), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			e := newTestEnv(t)
			args := []string{"-auto-approve", "-input=false", "-no-color"}
			if c.vars != nil {
				for _, v := range c.vars(e) {
					args = append(args, "-var", v)
				}
			}
			if out, code := runExample(t, cli, e, dir, append([]string{"apply"}, args...)...); code != 0 {
				t.Fatalf("apply exited %d:\n%s", code, out)
			}
			if out, code := runExample(t, cli, e, dir, append([]string{"destroy"}, args...)...); code != 0 {
				t.Fatalf("destroy exited %d:\n%s", code, out)
			}
		})
	}
}

// grantedLink seeds a link its client has completed, so that an example that
// waits for the grant ends at once, and returns its id.
func grantedLink(t *testing.T, e *testEnv) string {
	t.Helper()
	id := e.seed(225, "Acme Corp: Demo CRM")
	if _, err := e.sandbox.Grant(id); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}
