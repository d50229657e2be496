package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// TestAccExamplesCheckBlocks runs the drift guide's check blocks
// (check-one, check-regenerated, check-all) and holds what the guide says: a failed assertion
// is a warning that names the link and lets the plan succeed, for a link
// whose date says it expired, a revoked one, and one deleted altogether
// (whose read error is a warning too, "Connection Link Not Found").
func TestAccExamplesCheckBlocks(t *testing.T) {
	cli := newExampleCLI(t)
	e := newTestEnv(t)
	expired, revoked, deleted := e.seed(225, "Acme Corp: Demo CRM"), e.seed(226, "Globex Inc: Demo Mailer"), e.seed(225, "Initech: Demo CRM")
	e.sandbox.Advance(49 * time.Hour)
	if err := e.sandbox.Revoke(revoked); err != nil {
		t.Fatal(err)
	}
	plan := func(example string, args ...string) string {
		t.Helper()
		dir := t.TempDir()
		src, err := os.ReadFile(filepath.Join(repoRoot, "examples", "guides", "drift-and-checks", example, "main.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o600); err != nil {
			t.Fatal(err)
		}
		out, code := runExample(t, cli, e, dir, append([]string{"plan", "-input=false", "-no-color"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: plan exited %d, want 0 (a check only warns):\n%s", example, code, out)
		}
		return strings.Join(strings.Fields(out), " ")
	}
	expect := func(out string, wants ...string) {
		t.Helper()
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("the plan does not say %q:\n%s", want, out)
			}
		}
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	expect(plan("check-one", "-var", "acme_link_id="+id(expired)),
		"Warning: Check block assertion failed", "Acme's connection link "+id(expired)+" expired unused at")
	expect(plan("check-one", "-var", "acme_link_id="+id(revoked)),
		"Warning: Check block assertion failed", "Acme's connection link "+id(revoked)+" was revoked")
	if err := e.sandbox.Remove(deleted); err != nil {
		t.Fatal(err)
	}
	expect(plan("check-one", "-var", "acme_link_id="+id(deleted)), "Warning: Connection Link Not Found")
	// check-regenerated judges by the managing stage's expires_at, not the
	// date: a link whose date says it expired but whose token was issued
	// since passes, one past its own expires_at warns.
	link := func(at time.Time) string {
		return fmt.Sprintf(`acme_link={id="%d",expires_at="%s"}`, expired, at.UTC().Format(time.RFC3339))
	}
	if out := plan("check-regenerated", "-var", link(time.Now().Add(time.Hour))); strings.Contains(out, "Check block assertion failed") {
		t.Errorf("check-regenerated warns on a link whose own expires_at is to come:\n%s", out)
	}
	expect(plan("check-regenerated", "-var", link(time.Now().Add(-time.Hour))),
		"Warning: Check block assertion failed", "Acme's connection link "+id(expired)+" expired unused at")
	ids := fmt.Sprintf(`link_ids={acme="%d",globex="%d",initech="%d"}`, expired, revoked, deleted)
	expect(plan("check-all", "-var", ids),
		"Links handed out no longer exist: initech ("+id(deleted)+")",
		"Links handed out can no longer be completed: Acme Corp: Demo CRM ("+id(expired)+", expired), Globex Inc: Demo Mailer ("+id(revoked)+", revoked)")
}
