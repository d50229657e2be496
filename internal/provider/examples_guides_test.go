package provider

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccExamplesWatchOnASchedule runs the two plans of the drift guide's
// "Watching on a schedule" over the getting-started guide's main.tf and holds
// what the guide says of them:
//
//   - `plan -detailed-exitcode` exits 0 on a link nobody touched and 2 once
//     its client completed it (the outputs read status_name);
//   - `plan -refresh-only -json` prints no resource_drift message on a link
//     nobody touched and one for the completed link;
//   - `plan -refresh-only -detailed-exitcode` exits 2 even on a link nobody
//     touched (each refresh records when it read the link), which is why
//     the guide counts resource_drift messages instead.
func TestAccExamplesWatchOnASchedule(t *testing.T) {
	cli := newExampleCLI(t)
	e := newTestEnv(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot, "examples", "guides", "getting-started", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		t.Helper()
		e.clock.Advance(time.Minute) // time passes between runs, as on a schedule
		return runExample(t, cli, e, dir, args...)
	}
	drifts := func() int {
		t.Helper()
		out, code := run("plan", "-refresh-only", "-json", "-input=false")
		if code != 0 {
			t.Fatalf("plan -refresh-only -json exited %d:\n%s", code, out)
		}
		return strings.Count(out, `"type":"resource_drift"`)
	}
	expectCode := func(want int, args ...string) {
		t.Helper()
		if out, code := run(args...); code != want {
			t.Errorf("%s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
		}
	}

	if out, code := run("apply", "-auto-approve", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("apply exited %d:\n%s", code, out)
	}
	expectCode(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if n := drifts(); n != 0 {
		t.Errorf("a link nobody touched: %d resource_drift messages, want 0", n)
	}
	expectCode(2, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color")

	sharings := e.sandbox.Sharings()
	if len(sharings) != 1 {
		t.Fatalf("the example made %d links, want 1", len(sharings))
	}
	if _, err := e.sandbox.Grant(sharings[0].ID); err != nil {
		t.Fatal(err)
	}
	expectCode(2, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if n := drifts(); n != 1 {
		t.Errorf("a link its client completed: %d resource_drift messages, want 1", n)
	}
	if out, code := run("destroy", "-auto-approve", "-input=false", "-no-color"); code != 0 {
		t.Errorf("destroy exited %d:\n%s", code, out)
	}
}

// TestAccExamplesImportBlocks runs the importing guide's import block
// (examples/guides/importing-links/import) and holds what the guide and the
// resource page's known limit say: the plan imports the link and shows one
// in-place update of regenerate_before, with nothing to add or destroy; the
// apply sends no write and keeps the link's token; the next plan is empty.
func TestAccExamplesImportBlocks(t *testing.T) {
	cli := newExampleCLI(t)
	e := newTestEnv(t)
	// The ids of the guide: the getting-started links 61 and 62, revoked by
	// now, then the two made by a script, of which 63 is imported.
	for _, title := range []string{"Acme Corp: Demo CRM", "Acme Corp: Demo CRM, again"} {
		if err := e.sandbox.Revoke(e.seed(225, title)); err != nil {
			t.Fatal(err)
		}
	}
	globex := e.seed(225, "Globex Inc: Demo CRM")
	e.seed(225, "Umbrella Corp: Demo CRM")
	if globex != 63 {
		t.Fatalf("Globex's link is %d, the example imports 63", globex)
	}
	before, _ := e.sandbox.Sharing(globex)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot, "examples", "guides", "importing-links", "import", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(want int, args ...string) string {
		t.Helper()
		out, code := runExample(t, cli, e, dir, args...)
		if code != want {
			t.Fatalf("%s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
		}
		return strings.Join(strings.Fields(out), " ")
	}

	out := run(0, "plan", "-input=false", "-no-color")
	for _, want := range []string{`regenerate_before = "0s" -> "6h"`, "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."} {
		if !strings.Contains(out, want) {
			t.Errorf("the import plan does not say %q:\n%s", want, out)
		}
	}
	e.sandbox.ResetRequests()
	run(0, "apply", "-auto-approve", "-input=false", "-no-color")
	for _, r := range e.sandbox.Requests() {
		if r.Method != "GET" {
			t.Errorf("the import's apply sent %s %s, want reads only", r.Method, r.Path)
		}
	}
	if after, _ := e.sandbox.Sharing(globex); after.Token != before.Token {
		t.Error("the import's apply regenerated the link's token")
	}
	run(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
}

// runExample runs the example CLI in dir against e's sandbox, with a
// deadline, and returns its output and exit code.
func runExample(t *testing.T, cli *exampleCLI, e *testEnv, dir string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli.path, args...)
	cmd.Dir = dir
	cmd.Env = append(cliEnv(cli.cliConfig),
		"ALBATO_API_URL="+e.server.URL, "ALBATO_TOKEN="+testToken, "ALBATO_CONNECT_URL="+e.connectURL())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s: still running after 90 s:\n%s", strings.Join(args, " "), out)
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}
