package provider

// Every HCL snippet of the documentation is a file under examples/: the
// reference pages' examples, the demo, the solution installation's stages and
// module, and the guides' snippets (examples/guides/<guide>/), which the
// templates include with tffile or codefile. These tests validate each of
// them with the CLI of TF_ACC_TERRAFORM_PATH (Terraform or OpenTofu) against
// the provider built from this repository, so that a guide cannot show
// configuration that the provider or the CLI would refuse.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

const (
	// addedRequiredProviders is the file a snippet's temporary copy gets
	// when the snippet uses the provider without declaring its source.
	addedRequiredProviders = "zz_required_providers_added_by_test.tf"
	// cliConfigProblems is how Terraform and OpenTofu start the report of a
	// CLI configuration they cannot use (they go on without it).
	cliConfigProblems = "problems with the CLI configuration"
)

var (
	requiredProvidersRE = regexp.MustCompile(`(?m)^\s*required_providers\s*\{`)
	encryptionRE        = regexp.MustCompile(`(?m)^\s*encryption\s*\{`)
	variableRE          = regexp.MustCompile(`(?m)^\s*variable\s+"([A-Za-z0-9_-]+)"`)
	heredocRE           = regexp.MustCompile(`(?s)<<-?'?([A-Z]+)'?\n(.*?)\n([A-Z]+)\n`)
	usesAlbatoRE        = regexp.MustCompile(`(?m)^\s*(resource|data|ephemeral|list|action)\s+"albato_|^\s*provider\s+"albato"`)
	// actionRE finds an action block: Terraform 1.14 and later only.
	actionRE          = regexp.MustCompile(`(?m)^\s*action\s+"`)
	requiredVersionRE = regexp.MustCompile(`(?m)^\s*required_version\s*=\s*"([^"]+)"`)
	cliVersionRE      = regexp.MustCompile(`(?m)^(?:Terraform|OpenTofu) v(\S+)`)
	// unbuiltBackendRE matches the error of a CLI built by
	// scripts/build-cli.sh, which leaves out the cloud state backends
	// (Terraform 1.16's validate checks a backend block's type; 1.5.7 and
	// OpenTofu 1.12's do not).
	unbuiltBackendRE = regexp.MustCompile(`There is no backend type named "(azurerm|consul|cos|gcs|kubernetes|oci|oss|pg|s3)"`)
)

// exampleCLI is the CLI under test and the provider built for it.
type exampleCLI struct {
	path      string // TF_ACC_TERRAFORM_PATH
	opentofu  bool
	version   *version.Version
	cliConfig string // dev_overrides for albato/albato
}

// TestAccExamplesValidate runs `terraform validate` (or `tofu validate`) in
// a copy of every directory under examples/ that holds configuration files,
// and on each terraform code block of README.md, and fails naming the file
// and line of every error or warning; then it checks the CLI configurations
// the docs show.
func TestAccExamplesValidate(t *testing.T) {
	cli := newExampleCLI(t)
	root := filepath.Join(repoRoot, "examples")
	dirs := configDirs(t, root)
	if len(dirs) < 10 {
		t.Fatalf("found only %d configuration directories under %s: %v", len(dirs), root, dirs)
	}
	for _, dir := range dirs {
		rel, err := filepath.Rel(repoRoot, dir)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		t.Run(strings.TrimPrefix(rel, "examples/"), func(t *testing.T) {
			t.Parallel()
			cli.validateDir(t, dir, rel)
		})
	}

	// The README's configuration blocks, each on its own.
	blocks, err := fencedBlocks(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.lang != "terraform" && b.lang != "hcl" || strings.Contains(b.body, "provider_installation") {
			continue
		}
		name := fmt.Sprintf("README.md:%d", b.line)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wd := t.TempDir()
			if err := os.WriteFile(filepath.Join(wd, "README.tf"), []byte(b.body), 0o600); err != nil {
				t.Fatal(err)
			}
			cli.validate(t, wd, name, b.body)
		})
	}

	cli.checkCLIConfigs(t)
}

// checkCLIConfigs loads every CLI configuration shown in the docs
// (examples/**/*.tfrc, and the provider_installation blocks of README.md) as
// the CLI configuration of the CLI under test, which reports a file it cannot
// use and goes on without it.
func (c *exampleCLI) checkCLIConfigs(t *testing.T) {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(repoRoot, "examples"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tfrc") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(repoRoot, "README.md")
	blocks, err := fencedBlocks(readme)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for _, b := range blocks {
		var configs []string
		switch b.lang {
		case "hcl":
			configs = []string{b.body}
		case "shell", "sh", "bash":
			// A CLI configuration written with a here-document.
			for _, m := range heredocRE.FindAllStringSubmatch(b.body, -1) {
				configs = append(configs, m[2])
			}
		}
		for i, body := range configs {
			if !strings.Contains(body, "provider_installation") {
				continue
			}
			p := filepath.Join(tmp, fmt.Sprintf("README.md-line-%d-%d.tfrc", b.line, i+1))
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Fatal("no CLI configuration found in examples/ or README.md")
	}
	for _, f := range files {
		name := f
		if rel, err := filepath.Rel(repoRoot, f); err == nil && !strings.HasPrefix(rel, "..") {
			name = filepath.ToSlash(rel)
		} else {
			name = filepath.Base(f)
		}
		t.Run("cli-config/"+name, func(t *testing.T) {
			t.Parallel()
			abs, err := filepath.Abs(f)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(c.path, "version")
			cmd.Dir = t.TempDir()
			cmd.Env = cliEnv(abs)
			out, err := cmd.CombinedOutput()
			if err != nil || strings.Contains(string(out), cliConfigProblems) {
				t.Errorf("%s: the CLI cannot use it as its CLI configuration (%v):\n%s", name, err, out)
			}
		})
	}
}

// TestTemplatesIncludeHCLFromExamples keeps the guides' HCL where
// TestAccExamplesValidate sees it: a template includes configuration from
// examples/ with tffile (or codefile), and holds no terraform or hcl code
// block of its own.
func TestTemplatesIncludeHCLFromExamples(t *testing.T) {
	t.Parallel()
	var templates []string
	err := filepath.WalkDir(filepath.Join(repoRoot, "templates"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tmpl") {
			templates = append(templates, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	includeRE := regexp.MustCompile(`\{\{\s*(?:tffile|codefile\s+"[a-z]+")\s+"([^"]+)"\s*\}\}`)
	for _, tmpl := range templates {
		blocks, err := fencedBlocks(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			switch b.lang {
			case "terraform", "hcl", "tf":
				t.Errorf("%s:%d: a %s code block inline; put it in a file under examples/ and include it with {{ tffile \"examples/...\" }}", tmpl, b.line, b.lang)
			}
		}
		raw, err := os.ReadFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range includeRE.FindAllStringSubmatch(string(raw), -1) {
			if !strings.HasPrefix(m[1], "examples/") {
				t.Errorf("%s includes %s, outside examples/, where no test validates it", tmpl, m[1])
				continue
			}
			if _, err := os.Stat(filepath.Join(repoRoot, m[1])); err != nil {
				t.Errorf("%s includes %s: %v", tmpl, m[1], err)
			}
		}
	}
}

// newExampleCLI skips unless acceptance tests are on, and builds the
// provider and its dev_overrides CLI configuration once per test.
func newExampleCLI(t *testing.T) *exampleCLI {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 and TF_ACC_TERRAFORM_PATH", resource.EnvTfAcc)
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set: it names the Terraform or OpenTofu CLI that validates the examples")
	}
	out, err := exec.Command(path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", path, err, out)
	}
	// Warnings about the user's CLI configuration may come first.
	cli := &exampleCLI{path: path, opentofu: strings.Contains(string(out), "OpenTofu v")}
	m := cliVersionRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("%s version printed no version:\n%s", path, out)
	}
	if cli.version, err = version.NewVersion(string(m[1])); err != nil {
		t.Fatalf("%s version: %v", path, err)
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-albato"), ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cli.cliConfig = filepath.Join(bin, "dev.tfrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"albato/albato\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(cli.cliConfig, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return cli
}

// configDirs lists the directories under root that hold .tf or .tofu files.
func configDirs(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || (strings.HasPrefix(d.Name(), ".") && p != root)) {
			return filepath.SkipDir
		}
		if !d.IsDir() && isConfigFile(d.Name()) {
			seen[filepath.Dir(p)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tofu") || isQueryFile(name)
}

// isQueryFile tells a query file (list blocks, for terraform query).
func isQueryFile(name string) bool { return strings.HasSuffix(name, ".tfquery.hcl") }

// terraform114 is the first Terraform with list resources and actions.
var terraform114 = version.Must(version.NewVersion("1.14.0"))

// validateDir copies one example directory (its files, not its
// subdirectories: each is an example of its own or a module it calls) into
// a temporary directory beside copies of the modules it calls, and validates
// it there.
func (c *exampleCLI) validateDir(t *testing.T, dir, rel string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tfFiles, tofuFiles, queryFiles int
	var sources []string
	for _, e := range entries {
		if e.IsDir() || !isConfigFile(e.Name()) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, string(raw))
		switch {
		case strings.HasSuffix(e.Name(), ".tofu"):
			tofuFiles++
		case isQueryFile(e.Name()):
			queryFiles++
		default:
			tfFiles++
		}
	}
	// List resources (query files) and actions: Terraform 1.14 and later;
	// OpenTofu 1.12 has neither, and an older CLI would only report the
	// blocks it does not know.
	if needs := queryFiles > 0 || actionRE.MatchString(strings.Join(sources, "\n")); needs && (c.opentofu || c.version.Core().LessThan(terraform114)) {
		cli := "Terraform " + c.version.String()
		if c.opentofu {
			cli = "OpenTofu " + c.version.String()
		}
		t.Skipf("%s uses a list resource or an action, which need Terraform 1.14 or later; the CLI under test is %s, "+
			"which has neither", rel, cli)
	}
	if tfFiles == 0 && queryFiles == 0 && !c.opentofu {
		t.Skipf("%s holds only .tofu files, which only OpenTofu reads; validated when TF_ACC_TERRAFORM_PATH is OpenTofu", rel)
	}
	c.skipUnlessRequiredVersion(t, rel, strings.Join(sources, "\n"))

	// Copy the whole examples/ tree so that relative module sources such as
	// "../modules/solution-installation" resolve as they do in the
	// repository, then work in the copy of this directory.
	work := filepath.Join(t.TempDir(), "examples")
	if err := copyTree(filepath.Join(repoRoot, "examples"), work); err != nil {
		t.Fatal(err)
	}
	wd := filepath.Join(work, strings.TrimPrefix(rel, "examples/"))

	c.validate(t, wd, rel, strings.Join(sources, "\n"))
}

// skipUnlessRequiredVersion skips an example whose required_version the
// CLI under test does not meet, e.g. one with an ephemeral resource or a
// write-only argument on Terraform 1.5.7: it says what it needs, and
// validating it on an older CLI would only report the blocks that CLI does
// not know.
func (c *exampleCLI) skipUnlessRequiredVersion(t *testing.T, rel, joined string) {
	t.Helper()
	for _, m := range requiredVersionRE.FindAllStringSubmatch(joined, -1) {
		constraint, err := version.NewConstraint(m[1])
		if err != nil {
			t.Fatalf("%s: required_version %q: %v", rel, m[1], err)
		}
		if !constraint.Check(c.version) {
			t.Skipf("%s requires %s; the CLI under test is %s", rel, m[1], c.version)
		}
	}
}

// validate validates the configuration in wd, whose sources are joined in
// src, reporting diagnostics under the name rel.
func (c *exampleCLI) validate(t *testing.T, wd, rel, joined string) {
	t.Helper()
	if usesAlbatoRE.MatchString(joined) && !requiredProvidersRE.MatchString(joined) {
		// A snippet shown on its own; the CLI would take "albato" for
		// hashicorp/albato.
		rp := "terraform {\n  required_providers {\n    albato = {\n      source = \"albato/albato\"\n    }\n  }\n}\n"
		if err := os.WriteFile(filepath.Join(wd, addedRequiredProviders), []byte(rp), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// Local modules need installing (no network: their sources are paths).
	if out, err := c.run(wd, nil, "get"); err != nil {
		t.Fatalf("%s: %s get: %v\n%s", rel, filepath.Base(c.path), err, out)
	}

	args := []string{"validate", "-json", "-no-color"}
	if entries, err := os.ReadDir(wd); err == nil && slices.ContainsFunc(entries, func(e os.DirEntry) bool { return isQueryFile(e.Name()) }) {
		args = append(args, "-query") // query files too (Terraform 1.14+)
	}
	out, runErr := c.run(wd, nil, args...)
	var res struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    *struct {
				Filename string `json:"filename"`
				Start    struct {
					Line int `json:"line"`
				} `json:"start"`
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(stdoutJSON(out), &res); err != nil {
		t.Fatalf("%s: validate printed no JSON (%v, exit %v):\n%s", rel, err, runErr, out)
	}
	problems, unbuilt := 0, ""
	for _, d := range res.Diagnostics {
		if d.Severity == "warning" && strings.Contains(d.Summary, "overrides are in effect") {
			continue // our own dev_overrides
		}
		if m := unbuiltBackendRE.FindStringSubmatch(d.Detail); d.Severity == "error" && m != nil {
			unbuilt = m[1]
			continue
		}
		where := rel
		if d.Range != nil && d.Range.Filename != "" {
			where = fmt.Sprintf("%s/%s:%d", rel, filepath.ToSlash(d.Range.Filename), d.Range.Start.Line)
			if filepath.Base(d.Range.Filename) == addedRequiredProviders {
				where += " (required_providers added by this test)"
			}
		}
		t.Errorf("%s: %s: %s: %s", where, d.Severity, d.Summary, strings.TrimSpace(d.Detail))
		problems++
	}
	if unbuilt != "" && problems == 0 {
		t.Skipf("%s: %s was built without the %q backend (scripts/build-cli.sh leaves out the cloud state backends), and it validates a backend block", rel, c.path, unbuilt)
	}
	if !res.Valid && problems == 0 {
		t.Errorf("%s: invalid, without a diagnostic:\n%s", rel, out)
	}

	// `tofu validate` does not look into a terraform { encryption { ... } }
	// block; a plan loads it. Such a snippet declares no resource, so the
	// plan calls no provider; its variables get placeholder values.
	if c.opentofu && problems == 0 && encryptionRE.MatchString(joined) {
		var env []string
		for _, m := range variableRE.FindAllStringSubmatch(joined, -1) {
			env = append(env, "TF_VAR_"+m[1]+"=placeholder-value-of-"+m[1])
		}
		if out, err := c.run(wd, env, "plan", "-input=false", "-lock=false", "-no-color"); err != nil {
			t.Errorf("%s: %s plan (which checks the encryption block): %v\n%s", rel, filepath.Base(c.path), err, out)
		}
	}
}

// run runs the CLI in dir with the dev_overrides configuration and the
// extra environment variables.
func (c *exampleCLI) run(dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command(c.path, args...)
	cmd.Dir = dir
	cmd.Env = append(cliEnv(c.cliConfig), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return append(stdout.Bytes(), stderr.Bytes()...), err
}

// stdoutJSON returns the JSON object at the start of out (stdout first,
// stderr after it).
func stdoutJSON(out []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(out))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return out
	}
	return raw
}

// cliEnv is the environment of a CLI run: this process's, without what the
// acceptance harness or the user's shell set for other runs, with the given
// CLI configuration.
var cliEnv = func() func(string) []string {
	var once sync.Once
	var base []string
	return func(cliConfig string) []string {
		once.Do(func() {
			for _, kv := range os.Environ() {
				name, _, _ := strings.Cut(kv, "=")
				switch {
				case name == "TF_CLI_CONFIG_FILE", name == "TF_REATTACH_PROVIDERS", name == "PLUGIN_PROTOCOL_VERSIONS",
					name == "TF_DATA_DIR", name == "TF_WORKSPACE", name == "TF_PLUGIN_CACHE_DIR",
					strings.HasPrefix(name, "TF_LOG"), strings.HasPrefix(name, "TF_CLI_ARGS"), strings.HasPrefix(name, "TF_VAR_"):
					continue
				}
				base = append(base, kv)
			}
			base = append(base, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		})
		return append(append([]string(nil), base...), "TF_CLI_CONFIG_FILE="+cliConfig)
	}
}()

// copyTree copies the regular files under src to dst, skipping .terraform
// directories and lock files left by a local run.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o750)
		case !d.Type().IsRegular(), d.Name() == ".terraform.lock.hcl", strings.HasSuffix(d.Name(), ".tfstate"):
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, raw, 0o600)
	})
}

// codeBlock is a fenced code block of a Markdown file.
type codeBlock struct {
	lang string
	body string
	line int
}

// fencedBlocks returns the fenced code blocks of a Markdown file.
func fencedBlocks(path string) ([]codeBlock, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []codeBlock
	var cur *codeBlock
	var body strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &codeBlock{lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), line: n}
			body.Reset()
		case cur != nil && trimmed == "```":
			cur.body = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	return blocks, sc.Err()
}
