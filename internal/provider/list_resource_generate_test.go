package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
)

// queryCLI is the Terraform CLI of TF_ACC_TERRAFORM_PATH when it has
// `terraform query` (1.14+); otherwise the test is skipped, saying why.
func queryCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH")
	}
	out, err := exec.Command(path, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", path, err)
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	got, err := version.NewVersion(v.TerraformVersion)
	if err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	if got.Core().LessThan(version.Must(version.NewVersion("1.14.0"))) {
		t.Skipf("terraform query needs Terraform 1.14 or later; this CLI is %s (OpenTofu 1.12 has no list resources)", got)
	}
	return path
}

// runCLI runs one CLI command in dir against the in-process provider and
// returns its output; a failure ends the test unless allowed exit codes say
// otherwise.
func runCLI(t *testing.T, cli, dir string, reattach tfexec.ReattachInfo, okCodes []int, args ...string) (string, int) {
	t.Helper()
	env, err := json.Marshal(reattach)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(env), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	if !slices.Contains(append(okCodes, 0), code) {
		t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), code, out.String())
	}
	return out.String(), code
}

var generatedAttrRE = regexp.MustCompile(`(?m)^\s+([a-z_]+)\s*=`)

// The configuration that `terraform query -generate-config-out` writes
// imports the links as written, with no change and nothing to edit, and
// plans empty after the apply.
func TestAccListConnectionLink_generateConfig(t *testing.T) {
	cli := queryCLI(t)
	e := newTestEnv(t)
	e.seed(225, "Acme onboarding")
	granted := e.seed(225, "Globex onboarding")
	e.seed(227, "Initech CRM") // not of partner 225: not imported
	if _, err := e.sandbox.Grant(granted); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("providers.tf", e.providerConfig())
	write("find.tfquery.hcl", `list "albato_connection_link" "partner_225" {
  provider         = albato
  include_resource = true
  config {
    partner_id = 225
  }
}
`)
	srv, err := e.factories()["albato"]()
	if err != nil {
		t.Fatal(err)
	}
	err = serveProvider(t, srv, func(r tfexec.ReattachInfo) error {
		runCLI(t, cli, dir, r, nil, "init", "-no-color", "-input=false")
		// The results carry the resource object, token and link included,
		// as sensitive values: no output shows them.
		for _, args := range [][]string{{"query", "-no-color"}, {"query", "-json"}} {
			out, _ := runCLI(t, cli, dir, r, nil, args...)
			for _, sh := range e.sandbox.Sharings() {
				if strings.Contains(out, sh.Token) {
					t.Errorf("terraform %s shows link %d's token:\n%s", strings.Join(args, " "), sh.ID, out)
				}
			}
		}
		out, _ := runCLI(t, cli, dir, r, nil, "query", "-no-color", "-generate-config-out=generated.tf")
		t.Logf("terraform query:\n%s", out)
		gen, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
		if err != nil {
			return err
		}
		t.Logf("generated.tf:\n%s", gen)
		if n := strings.Count(string(gen), "import {"); n != 2 {
			t.Errorf("generated.tf holds %d import blocks, want 2", n)
		}
		// Only what a user may set: no computed-only attribute, nothing to delete.
		settable := []string{"partner_id", "title", "regenerate_triggers", "regenerate_when_expired", "regenerate_before",
			"store_token", "to", "provider", "identity", "id"}
		for _, m := range generatedAttrRE.FindAllStringSubmatch(string(gen), -1) {
			if !slices.Contains(settable, m[1]) {
				t.Errorf("generated.tf sets %s, which is not a setting of albato_connection_link", m[1])
			}
		}

		out, _ = runCLI(t, cli, dir, r, nil, "plan", "-no-color", "-input=false", "-out=import.tfplan")
		if !strings.Contains(out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.") {
			t.Errorf("the generated configuration does not plan as 2 imports and nothing else:\n%s", out)
		}
		runCLI(t, cli, dir, r, nil, "apply", "-no-color", "-input=false", "import.tfplan")
		out, code := runCLI(t, cli, dir, r, []int{2}, "plan", "-no-color", "-input=false", "-detailed-exitcode")
		if code != 0 {
			t.Errorf("the plan after the import is not empty:\n%s", out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
