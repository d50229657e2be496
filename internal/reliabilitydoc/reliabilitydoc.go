// Package reliabilitydoc keeps the fault-matrix tables of RELIABILITY.md in
// step with the tests that produce them (the client's in internal/albato,
// the provider's in internal/provider). It is imported by tests only.
package reliabilitydoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// UpdateVariable set to 1 makes Check rewrite a section instead of failing.
const UpdateVariable = "ALBATO_UPDATE_RELIABILITY"

// Check compares the section between <!-- name:begin --> and
// <!-- name:end --> of RELIABILITY.md, found at repoRoot, with body. It
// fails the test when they differ, or rewrites the section when
// ALBATO_UPDATE_RELIABILITY=1, so that the published matrix is always the
// one the tests saw.
func Check(t testing.TB, repoRoot, name, body string) {
	t.Helper()
	path := filepath.Join(repoRoot, "RELIABILITY.md")
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	update := os.Getenv(UpdateVariable) == "1"
	if update {
		defer lock(t, path)()
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading RELIABILITY.md: %v", err)
	}
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("RELIABILITY.md has no %q ... %q section", strings.TrimSpace(begin), end)
	}
	if s[i+len(begin):j] == body {
		return
	}
	if !update {
		t.Fatalf("RELIABILITY.md (%s) differs from what the tests saw; run "+
			"%s=1 with the same tests to rewrite it. The tests saw:\n%s", name, UpdateVariable, body)
	}
	s = s[:i+len(begin)] + body + s[j:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil { //nolint:gosec // a document for everyone to read
		t.Fatal(err)
	}
	t.Logf("rewrote the %s section of RELIABILITY.md", name)
}

// lock serialises rewrites of the file across test processes (go test runs
// packages in parallel) and returns the unlock.
func lock(t testing.TB, path string) func() {
	t.Helper()
	lockPath := path + ".lock"
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(lockPath) }
		}
		if time.Now().After(deadline) {
			t.Fatalf("RELIABILITY.md stays locked by %s; remove it if no test is running", lockPath)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
