package provider

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccExamplesSolutionInstallation runs the solution-installation
// example's two stages, as its README does (provider binary through
// dev_overrides), against a sandbox, and holds the guide's promises:
//
//   - a link whose token truly expired unused stops stage 2 at plan time,
//     before any read, with an error naming the client;
//   - a link stage 1 regenerated is waited for and installed, even though
//     its date_created (what the data source counts from) says it expired.
//
// Stage 2 compares stage 1's expires_at with the CLI's own clock
// (plantimestamp()), so the sandbox's clock is set to the real time here.
func TestAccExamplesSolutionInstallation(t *testing.T) {
	cli := newExampleCLI(t)
	e := newTestEnv(t)
	e.clock.Set(time.Now())
	work := filepath.Join(t.TempDir(), "examples")
	if err := copyTree(filepath.Join(repoRoot, "examples"), work); err != nil {
		t.Fatal(err)
	}
	stage1 := filepath.Join(work, "solution-installation", "stage-1-links")
	stage2 := filepath.Join(work, "solution-installation", "stage-2-install")
	env := []string{"ALBATO_API_URL=" + e.server.URL, "ALBATO_TOKEN=" + testToken, "ALBATO_CONNECT_URL=" + e.connectURL()}
	run := func(dir string, wantOK bool, args ...string) string {
		t.Helper()
		// A wait that never ends fails here, not at the 30m of the example.
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli.path, args...)
		cmd.Dir = dir
		cmd.Env = append(cliEnv(cli.cliConfig), env...)
		// At the deadline, a Ctrl-C (the CLI stops its provider), then a kill.
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 15 * time.Second
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("%s %s: still running after 90 s:\n%s", filepath.Base(dir), strings.Join(args, " "), out)
		}
		if (err == nil) != wantOK {
			t.Fatalf("%s %s: error %v, want success %v:\n%s", filepath.Base(dir), strings.Join(args, " "), err, wantOK, out)
		}
		return string(out)
	}
	issued := func() string {
		t.Helper()
		return strings.TrimSpace(run(stage1, true, "output", "-json", "issued_links"))
	}

	// Stage 1 ran 49 hours ago, and nobody used the links.
	e.sandbox.Advance(-49 * time.Hour)
	run(stage1, true, "apply", "-auto-approve", "-input=false", "-no-color")
	e.sandbox.Advance(49 * time.Hour)
	run(stage2, true, "get", "-no-color")

	e.sandbox.ResetRequests()
	start := time.Now()
	out := run(stage2, false, "plan", "-input=false", "-no-color", "-var", "issued_links="+issued())
	for _, client := range []string{"acme", "globex"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), "Client "+client+"'s link") {
			t.Errorf("stage 2's plan does not name %s's expired link:\n%s", client, out)
		}
	}
	if err := e.expectRequests("stage 2's plan over expired links", map[string]int{}); err != nil {
		t.Error(err) // the precondition holds the read back: no wait began
	}
	t.Logf("stage 2 refused the expired links in %s", time.Since(start).Round(time.Millisecond))

	// Stage 1 again regenerates both (same ids, new tokens); the sandbox
	// keeps date_created, so the data source's own date still says expired.
	run(stage1, true, "apply", "-auto-approve", "-input=false", "-no-color")
	var links map[string]struct {
		ID        string  `json:"id"`
		ExpiresAt *string `json:"expires_at"`
	}
	raw := issued()
	if err := json.Unmarshal([]byte(raw), &links); err != nil {
		t.Fatalf("issued_links: %v: %s", err, raw)
	}
	for client, l := range links {
		if l.ExpiresAt == nil {
			t.Fatalf("%s's regenerated link has no expires_at: %s", client, raw)
		}
		at, err := time.Parse(time.RFC3339, *l.ExpiresAt)
		if err != nil || !at.After(time.Now()) {
			t.Fatalf("%s's regenerated link expires at %s, not in the future (%v)", client, *l.ExpiresAt, err)
		}
	}
	for _, sh := range e.sandbox.Sharings() {
		if got := e.clock.Now().Sub(sh.DateCreated); got < linkLifetime {
			t.Fatalf("link %d's date_created is %s old: the test needs one whose date says it expired", sh.ID, got)
		}
	}

	// The clients complete their links while stage 2 waits: after each
	// link's first read.
	e.sandbox.ResetRequests()
	e.before("GET", 3, func() {
		for _, sh := range e.sandbox.Sharings() {
			if _, err := e.sandbox.Grant(sh.ID); err != nil {
				t.Errorf("granting link %d: %v", sh.ID, err)
			}
		}
	})
	out = run(stage2, true, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "issued_links="+raw)
	for id, methods := range e.perLink() {
		if id > 0 && len(methods) < 2 {
			t.Errorf("link %d was read %d times by stage 2, want at least 2 (a wait): %v", id, len(methods), methods)
		}
	}
	installed := run(stage2, true, "output", "-json", "installations")
	for _, client := range []string{"acme", "globex"} {
		if !strings.Contains(installed, `"client":"`+client+`"`) {
			t.Errorf("no installation for %s after the wait:\n%s\n%s", client, installed, out)
		}
	}
}
