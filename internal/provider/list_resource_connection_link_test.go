package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// queryConfig is a query file: the provider against the sandbox and the
// given list blocks.
func (e *testEnv) queryConfig(blocks ...string) string {
	return e.providerConfig() + "\n" + strings.Join(blocks, "\n")
}

func byID(id int64) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(strconv.FormatInt(id, 10))})
}

// A query finds the links made outside Terraform: each with its identity and
// a display name, filtered as the data source filters, without revoked ones,
// and with the resource object a refresh after an import would save.
func TestAccListConnectionLink_query(t *testing.T) {
	e := newTestEnv(t)
	acme := e.seed(225, "Acme onboarding")
	globex := e.seed(225, "Globex onboarding")
	initech := e.seed(227, "Initech CRM")
	revoked := e.seed(225, "Old link")
	credential, err := e.sandbox.Grant(globex)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sandbox.Revoke(revoked); err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps: []resource.TestStep{{
			Query: true,
			Config: e.queryConfig(`
list "albato_connection_link" "all" {
  provider         = albato
  include_resource = true
}

list "albato_connection_link" "partner_225" {
  provider = albato
  config {
    partner_id = 225
  }
}

list "albato_connection_link" "waiting_225" {
  provider = albato
  config {
    partner_id = 225
    status     = 0
  }
}

list "albato_connection_link" "revoked" {
  provider = albato
  config {
    status = 3
  }
}

list "albato_connection_link" "granted_by_name" {
  provider = albato
  config {
    status_name = "granted"
  }
}
`),
			QueryResultChecks: []querycheck.QueryResultCheck{
				// The revoked link is never a result.
				querycheck.ExpectLength("albato_connection_link.all", 3),
				querycheck.ExpectIdentity("albato_connection_link.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(acme))}),
				querycheck.ExpectIdentity("albato_connection_link.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(globex))}),
				querycheck.ExpectIdentity("albato_connection_link.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(initech))}),
				querycheck.ExpectResourceDisplayName("albato_connection_link.all", byID(acme),
					knownvalue.StringExact("Acme onboarding (partner 225, waiting)")),
				querycheck.ExpectResourceDisplayName("albato_connection_link.all", byID(globex),
					knownvalue.StringExact("Globex onboarding (partner 225, granted)")),
				querycheck.ExpectResourceKnownValues("albato_connection_link.all", byID(globex), []querycheck.KnownValueCheck{
					{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(id(globex))},
					{Path: tfjsonpath.New("title"), KnownValue: knownvalue.StringExact("Globex onboarding")},
					{Path: tfjsonpath.New("partner_id"), KnownValue: knownvalue.Int64Exact(225)},
					{Path: tfjsonpath.New("status_name"), KnownValue: knownvalue.StringExact("granted")},
					{Path: tfjsonpath.New("credential_id"), KnownValue: knownvalue.Int64Exact(credential)},
					{Path: tfjsonpath.New("regenerate_when_expired"), KnownValue: knownvalue.Bool(true)},
					{Path: tfjsonpath.New("regenerate_before"), KnownValue: knownvalue.StringExact("0s")},
					{Path: tfjsonpath.New("store_token"), KnownValue: knownvalue.Bool(true)},
					{Path: tfjsonpath.New("regenerate_triggers"), KnownValue: knownvalue.Null()},
					{Path: tfjsonpath.New("expired"), KnownValue: knownvalue.Bool(false)},
				}),
				querycheck.ExpectResourceKnownValues("albato_connection_link.all", byID(initech), []querycheck.KnownValueCheck{
					{Path: tfjsonpath.New("partner_id"), KnownValue: knownvalue.Int64Exact(227)},
					{Path: tfjsonpath.New("status"), KnownValue: knownvalue.Int64Exact(0)},
					{Path: tfjsonpath.New("expires_at"), KnownValue: knownvalue.NotNull()},
					// Terraform prints results in full: no secret in them.
					{Path: tfjsonpath.New("token"), KnownValue: knownvalue.Null()},
					{Path: tfjsonpath.New("link"), KnownValue: knownvalue.Null()},
				}),
				querycheck.ExpectLength("albato_connection_link.partner_225", 2),
				querycheck.ExpectIdentity("albato_connection_link.partner_225", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(acme))}),
				querycheck.ExpectIdentity("albato_connection_link.partner_225", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(globex))}),
				querycheck.ExpectLength("albato_connection_link.revoked", 0),
				querycheck.ExpectLength("albato_connection_link.granted_by_name", 1),
				querycheck.ExpectIdentity("albato_connection_link.granted_by_name", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(globex))}),
				querycheck.ExpectLength("albato_connection_link.waiting_225", 1),
				querycheck.ExpectIdentity("albato_connection_link.waiting_225", map[string]knownvalue.Check{"id": knownvalue.StringExact(id(acme))}),
			},
		}},
	})
}

// The filters are validated as the data source validates them; a wrong
// status name fails with the list of names, shown at its line.
func TestAccListConnectionLink_invalidFilter(t *testing.T) {
	for filter, want := range map[string]string{
		`status = 7`:           `(?s)status.*between 0 and 3`,
		`status_name = "done"`: `(?s)Invalid Status Name.*must be one of\s+"waiting",\s+"granted",\s+"waiting_oauth",\s+"revoked",\s+got\s+"done"`,
		`status = 0` + "\n" + `status_name = "waiting"`: `(?s)Conflicting Status Filters`,
	} {
		t.Run(filter, func(t *testing.T) {
			e := newTestEnv(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   needsTerraform114,
				Steps: []resource.TestStep{{
					Query: true,
					Config: e.queryConfig(`
list "albato_connection_link" "bad" {
  provider = albato
  config {
    ` + filter + `
  }
}
`),
					ExpectError: regexp.MustCompile(want),
				}},
			})
		})
	}
}

// A query costs one paged listing: over an account of 10,000 links at 50 a
// page, at most ceil(10000/50)+1 requests however many links match, and
// limit = 10 reads one page.
func TestAccListConnectionLink_requests(t *testing.T) {
	const links, pageSize = 10000, 50
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize, o.MaxPerPage = pageSize, pageSize })
	seed := func() {
		for i := range links - 3 {
			e.seed(225, fmt.Sprintf("link %d", i))
		}
		for i := range 3 {
			e.seed(227, fmt.Sprintf("late link %d", i))
		}
		e.sandbox.ResetRequests()
	}
	maxRequests := (links+pageSize-1)/pageSize + 1

	listRequests := func(what string, most int) {
		n, other := 0, 0
		for _, r := range e.sandbox.Requests() {
			if r.Method == http.MethodGet && r.Path == sharingsPath {
				n++
			} else {
				other++
			}
		}
		t.Logf("%s: %d list requests", what, n)
		if n > most || other > 0 {
			t.Errorf("%s sent %d list requests and %d others, want at most %d and none; requests: %d in all",
				what, n, other, most, len(e.sandbox.Requests()))
		}
		e.sandbox.ResetRequests()
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   needsTerraform114,
		Steps: []resource.TestStep{
			{
				// The three links of partner 227 are on the last page, so
				// every page is read.
				PreConfig: seed,
				Query:     true,
				Config: e.queryConfig(`
list "albato_connection_link" "late" {
  provider = albato
  config {
    partner_id = 227
  }
}
`),
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("albato_connection_link.late", 3)},
			},
			{
				PreConfig: func() { listRequests("a query over 10,000 links", maxRequests) },
				Query:     true,
				Config: e.queryConfig(`
list "albato_connection_link" "ten" {
  provider = albato
  limit    = 10
}
`),
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("albato_connection_link.ten", 10)},
			},
			{
				PreConfig: func() { listRequests("a query with limit = 10", 1) },
				Query:     true,
				Config: e.queryConfig(`
list "albato_connection_link" "one" {
  provider = albato
  limit    = 1
}
`),
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("albato_connection_link.one", 1)},
			},
		},
	})
}

// A filter's error points at its own line in the list block's config block
// (Terraform shows the block's first line for a path it cannot find there).
func TestListConnectionLink_filterErrorsPointAtTheAttribute(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := &connectionLinkListResource{}
	var sr list.ListResourceSchemaResponse
	l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	for name, value := range map[string]tftypes.Value{
		"partner_id":  tftypes.NewValue(tftypes.Number, 0),
		"status":      tftypes.NewValue(tftypes.Number, 7),
		"status_name": tftypes.NewValue(tftypes.String, "done"),
	} {
		vals := map[string]tftypes.Value{
			"partner_id": tftypes.NewValue(tftypes.Number, nil), "status": tftypes.NewValue(tftypes.Number, nil),
			"status_name": tftypes.NewValue(tftypes.String, nil),
		}
		vals[name] = value
		var resp list.ValidateConfigResponse
		l.ValidateListResourceConfig(ctx, list.ValidateConfigRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
		want := path.Root("config").AtName(name)
		if len(resp.Diagnostics) != 1 || !resp.Diagnostics[0].(diag.DiagnosticWithPath).Path().Equal(want) {
			t.Errorf("%s: diagnostics %v, want one at %s", name, resp.Diagnostics, want)
		}
	}
}

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
