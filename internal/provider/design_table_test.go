package provider

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDesignPromiseTable keeps DESIGN.md's table of page, example folders,
// promise and test complete: every folder a template includes examples
// from is in a row, every folder named exists, and every test named exists
// (a Go test function, or a make target).
func TestDesignPromiseTable(t *testing.T) {
	t.Parallel()
	design, err := os.ReadFile(filepath.Join(repoRoot, "DESIGN.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(design), "## What each page promises, and the test that holds it")
	if !ok {
		t.Fatal("DESIGN.md has no section \"What each page promises, and the test that holds it\"")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	tests := goTestNames(t)
	targets := makeTargets(t)
	code := regexp.MustCompile("`([^`]+)`")
	inTable := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.TrimSpace(cells[1]) == "page" {
			continue
		}
		rows++
		for _, m := range code.FindAllStringSubmatch(cells[2], -1) {
			inTable[m[1]] = true
			if _, err := os.Stat(filepath.Join(repoRoot, m[1])); err != nil {
				t.Errorf("DESIGN.md names the folder %s: %v", m[1], err)
			}
		}
		named := code.FindAllStringSubmatch(cells[4], -1)
		if len(named) == 0 {
			t.Errorf("DESIGN.md: the row of %s names no test", strings.TrimSpace(cells[1]))
		}
		for _, m := range named {
			if target, ok := strings.CutPrefix(m[1], "make "); ok && !targets[target] || !ok && !tests[m[1]] {
				t.Errorf("DESIGN.md: the row of %s names %s, which does not exist", strings.TrimSpace(cells[1]), m[1])
			}
		}
	}
	if rows < 10 {
		t.Fatalf("DESIGN.md's table has %d rows", rows)
	}
	include := regexp.MustCompile(`\{\{\s*(?:tffile|codefile\s+"[a-z]+")\s+"([^"]+)"\s*\}\}`)
	templates, err := filepath.Glob(filepath.Join(repoRoot, "templates", "*", "*.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range templates {
		raw, err := os.ReadFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range include.FindAllStringSubmatch(string(raw), -1) {
			if dir := path.Dir(m[1]); !inTable[dir] {
				t.Errorf("%s includes %s, but DESIGN.md's table has no row for %s: say what the page promises and which test holds it",
					filepath.Base(tmpl), m[1], dir)
			}
		}
	}
}

// goTestNames are the Go test functions of the repository's packages.
func goTestNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	fn := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir(filepath.Join(repoRoot, "internal"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return err
		}
		raw, err := os.ReadFile(p)
		for _, m := range fn.FindAllStringSubmatch(string(raw), -1) {
			names[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// makeTargets are the targets the GNUmakefile and mk/*.mk define.
func makeTargets(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "mk", "*.mk"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	rule := regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`)
	for _, f := range append(files, filepath.Join(repoRoot, "GNUmakefile")) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rule.FindAllStringSubmatch(string(raw), -1) {
			targets[m[1]] = true
		}
	}
	return targets
}

// TestDesignFileTable keeps DESIGN.md's table of internal/provider's files
// exact: every non-test Go file of the package in it once, and no other.
func TestDesignFileTable(t *testing.T) {
	t.Parallel()
	design, err := os.ReadFile(filepath.Join(repoRoot, "DESIGN.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(design), "In `internal/provider`, one file per Terraform type")
	if !ok {
		t.Fatal("DESIGN.md has no table of internal/provider's files")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	named := map[string]int{}
	for _, line := range strings.Split(table, "\n") {
		if cells := strings.Split(line, "|"); len(cells) == 4 {
			for _, m := range regexp.MustCompile("`([a-z0-9_]+\\.go)`").FindAllStringSubmatch(cells[1], -1) {
				named[m[1]]++
			}
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") && named[f] != 1 {
			t.Errorf("DESIGN.md's file table names %s %d times, want once", f, named[f])
		}
		delete(named, f)
	}
	for f := range named {
		t.Errorf("DESIGN.md's file table names %s, which is not in internal/provider", f)
	}
}

// maxTestFileLines bounds a test file: a test lives in the file of the source
// file whose behaviour it tests, and one past this has outgrown its code.
const maxTestFileLines = 1000

// TestTestFilesStaySmall fails naming every test file of the repository over
// maxTestFileLines lines.
func TestTestFilesStaySmall(t *testing.T) {
	t.Parallel()
	seen := 0
	err := filepath.WalkDir(repoRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != repoRoot && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		seen++
		if n := strings.Count(string(raw), "\n"); n > maxTestFileLines {
			t.Errorf("%s has %d lines, over %d: move its tests to the files of the code they test", p, n, maxTestFileLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("found no test file under the repository")
	}
}
