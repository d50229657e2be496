// Command mutatechanged runs gremlins (mutation testing) over only the lines
// a change touches; `make mutate-changed` calls it:
//
//	mutatechanged -base REV -out DIR -pkgs "PKG..." -- GREMLINS UNLEASH-FLAGS...
//
// The change is what `git diff --merge-base REV` shows: from the merge base
// of REV and HEAD to the working tree, so committed and uncommitted edits
// alike (untracked files are not in it; `git add -N` puts them in). For each
// package of -pkgs (directories such as ./internal/albato) with changed
// lines in its non-test .go files, it runs the gremlins command given after
// "--" from the package's directory with "--diff" set to that merge base:
// gremlins v0.6.0 then mutates only the changed lines, and still runs the
// package's whole test suite against each mutant. Packages with nothing
// changed are not run at all (gremlins would take an empty diff for "mutate
// everything"). Each package's results go to DIR/<package>.json, as gremlins
// writes them; the summary (per package killed, lived, not covered, timed
// out, the score, every LIVED mutant, the wall time) is printed and written
// to DIR/summary.txt.
//
// Three settings make gremlins' --diff work here, set through the
// environment of its git and go commands (see gremlinsEnv):
//
//   - diff.relative=true: gremlins matches the diff's paths (from the
//     repository's root) against its own (from the package's directory), so
//     run from a package directory it would otherwise skip every mutant.
//   - diff.context=0 and diff.interHunkContext=0: gremlins takes a hunk's
//     added lines as one block right after its leading context, which is
//     only right when a hunk holds a single change, i.e. without context.
//   - GOFLAGS=-count=1: gremlins times out each mutant at a multiple of its
//     coverage run, which a cached result would shrink to about a second.
//     -vet=off too: a mutant that go vet rejects would count as killed
//     without a test failing, and vet costs time on every mutant. And
//     -parallel=8: the parallel tests wait more than they compute (the
//     client's fault matrix waits out 1 s timeouts), and -parallel defaults
//     to the number of CPUs, 2 here: 8 takes internal/albato's tests from
//     8 s to 4 s of wall time per mutant. It is what an 8-core machine runs
//     anyway; which tests run does not change.
//
// As a check that those held, every mutant gremlins ran must lie on a line
// of the change this command computed itself; if not, it fails.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mutate-changed:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mutatechanged", flag.ContinueOnError)
	base := fs.String("base", "main", "the revision the change is taken against (its merge base with HEAD)")
	outDir := fs.String("out", "", "the directory for the JSON results and summary.txt")
	pkgs := fs.String("pkgs", "./internal/albato ./internal/provider", "the package directories, separated by spaces")
	accRun := fs.String("acc-run", "", "run the acceptance tests matching this regular expression (TF_ACC=1, go test -run) "+
		"instead of the unit tests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if strings.ContainsAny(*accRun, " \t\n'\"") {
		return fmt.Errorf("-acc-run %q: GOFLAGS carries it, so it may hold no space or quote", *accRun)
	}
	gremlins := fs.Args()
	if len(gremlins) == 0 || *outDir == "" {
		return errors.New("usage: mutatechanged -base REV -out DIR [-pkgs PKGS] -- GREMLINS UNLEASH [FLAGS]")
	}
	start := time.Now()

	root, err := git("", "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	root = strings.TrimSpace(root)
	baseCommit, err := git(root, "rev-parse", "--verify", "--quiet", *base+"^{commit}")
	if err != nil {
		return fmt.Errorf("MUTATE_BASE %q is not a commit here (a clone without a local main: MUTATE_BASE=origin/main)", *base)
	}
	mergeBase, err := git(root, "merge-base", strings.TrimSpace(baseCommit), "HEAD")
	if err != nil {
		return fmt.Errorf("no merge base of %s and HEAD: %w", *base, err)
	}
	mergeBase = strings.TrimSpace(mergeBase)
	short := mergeBase[:min(len(mergeBase), 12)]
	fmt.Fprintf(stdout, "mutate-changed: lines changed since %s (the merge base of %s and HEAD), committed or not\n", short, *base)

	env := gremlinsEnv(os.Environ(), *accRun)
	type job struct {
		dir     string
		changes changes
	}
	var jobs []job
	for _, pkg := range strings.Fields(*pkgs) {
		dir := filepath.Join(root, filepath.FromSlash(pkg))
		rel := filepath.ToSlash(filepath.Clean(pkg))
		// The very command gremlins will run, with the same settings.
		out, err := gitEnv(dir, env, "diff", "--merge-base", mergeBase)
		if err != nil {
			return err
		}
		ch := parseDiff(out).sources()
		if untracked, _ := git(dir, "ls-files", "--others", "--exclude-standard", "--", "*.go"); strings.TrimSpace(untracked) != "" {
			fmt.Fprintf(stdout, "%s: untracked files are not part of the change (git add -N puts them in): %s\n",
				rel, strings.Join(strings.Fields(untracked), " "))
		}
		if ch.lines() == 0 {
			fmt.Fprintf(stdout, "%s: nothing changed (outside tests)\n", rel)
			continue
		}
		fmt.Fprintf(stdout, "%s: %d changed lines in %s\n", rel, ch.lines(), strings.Join(ch.files(), ", "))
		jobs = append(jobs, job{dir: rel, changes: ch})
	}
	// No results of an earlier run are left to be taken for this one's.
	stale := []string{"summary.txt"}
	for _, pkg := range strings.Fields(*pkgs) {
		stale = append(stale, filepath.Base(filepath.Clean(pkg))+".json")
	}
	for _, f := range stale {
		if err := os.Remove(filepath.Join(*outDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if len(jobs) == 0 {
		fmt.Fprintf(stdout, "mutate-changed: nothing changed in %s since %s: no mutants to run\n", *pkgs, short)
		return nil
	}

	if err := os.MkdirAll(*outDir, 0o755); err != nil { //nolint:gosec // results for everyone to read
		return err
	}
	var results []result
	for _, j := range jobs {
		jsonPath := filepath.Join(*outDir, filepath.Base(j.dir)+".json")
		fmt.Fprintf(stdout, "== gremlins over %s\n", j.dir)
		cmdArgs := slices.Concat(gremlins[1:], []string{"--diff", mergeBase, "--output", jsonPath, "--output-statuses", "lctkv"})
		cmd := exec.Command(gremlins[0], cmdArgs...) //nolint:gosec // the command make passes
		cmd.Dir = filepath.Join(root, filepath.FromSlash(j.dir))
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = stdout, os.Stderr
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("gremlins over %s: %w (the package's tests must pass before its mutants can be judged)", j.dir, err)
		}
		r := result{Package: j.dir, Wall: time.Since(t0)}
		data, err := os.ReadFile(jsonPath) //nolint:gosec // our own output
		switch {
		case errors.Is(err, os.ErrNotExist):
			// gremlins writes nothing when the package has no mutant at all.
		case err != nil:
			return err
		default:
			if err := r.add(data, j.changes); err != nil {
				return fmt.Errorf("%s: %w", jsonPath, err)
			}
		}
		results = append(results, r)
	}

	var sum bytes.Buffer
	writeSummary(&sum, results, *base, short, time.Since(start))
	fmt.Fprint(stdout, sum.String())
	return os.WriteFile(filepath.Join(*outDir, "summary.txt"), sum.Bytes(), 0o644) //nolint:gosec // a report for everyone to read
}

// gitConfig is set for every git command gremlins runs (see the package
// comment).
var gitConfig = [][2]string{
	{"diff.context", "0"},
	{"diff.interHunkContext", "0"},
	{"diff.relative", "true"},
	{"diff.noprefix", "false"},
	{"diff.mnemonicPrefix", "false"},
	{"color.diff", "false"},
}

// goFlags are added to GOFLAGS for gremlins' go commands (see the package
// comment); mk/mutate.mk sets the same for `make mutate`.
const goFlags = "-count=1 -vet=off -parallel=8"

// gremlinsEnv is environ for gremlins: gitConfig added after any
// GIT_CONFIG_* entries already there, GOFLAGS extended, no external diff
// program, and acceptance tests off (TF_ACC unset) unless accRun names the
// ones to run: then TF_ACC=1 and only those run (-run), so that code only
// Terraform reaches (a resource's CRUD) is mutated against the tests that
// drive it, at tens of seconds a mutant.
func gremlinsEnv(environ []string, accRun string) []string {
	n := 0
	var goflags string
	env := make([]string, 0, len(environ)+2*len(gitConfig)+2)
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_CONFIG_COUNT":
			n, _ = strconv.Atoi(v)
			continue
		case "GOFLAGS":
			goflags = v
			continue
		case "TF_ACC", "GIT_EXTERNAL_DIFF":
			continue
		}
		env = append(env, kv)
	}
	for i, c := range gitConfig {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n+i, c[0]), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n+i, c[1]))
	}
	flags := strings.TrimSpace(goflags + " " + goFlags)
	if accRun != "" {
		flags += " -run=" + accRun
		env = append(env, "TF_ACC=1")
	}
	return append(env, fmt.Sprintf("GIT_CONFIG_COUNT=%d", n+len(gitConfig)), "GOFLAGS="+flags)
}

func git(dir string, args ...string) (string, error) {
	return gitEnv(dir, nil, args...)
}

func gitEnv(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...) //nolint:gosec // git with this program's own arguments
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// changes maps a file (as the diff names it) to its changed line ranges in
// the new version, [first, last].
type changes map[string][][2]int

var hunkHeader = regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@`)

// parseDiff reads the ranges of added lines from a diff without context
// (-U0): each hunk's new side, unless it only removes lines.
func parseDiff(diff string) changes {
	ch := changes{}
	file := ""
	sc := bufio.NewScanner(strings.NewReader(diff))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "+++ "); ok {
			file = ""
			if name, ok := strings.CutPrefix(name, "b/"); ok {
				file = name
			}
			continue
		}
		m := hunkHeader.FindStringSubmatch(line)
		if m == nil || file == "" {
			continue
		}
		start, _ := strconv.Atoi(m[1])
		count := 1
		if m[2] != "" {
			count, _ = strconv.Atoi(m[2])
		}
		if count > 0 {
			ch[file] = append(ch[file], [2]int{start, start + count - 1})
		}
	}
	return ch
}

// sources keeps the files gremlins mutates: the package's own .go files,
// not its tests.
func (ch changes) sources() changes {
	out := changes{}
	for f, r := range ch {
		if strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go") && !strings.Contains(f, "/") {
			out[f] = r
		}
	}
	return out
}

func (ch changes) lines() int {
	n := 0
	for _, rs := range ch {
		for _, r := range rs {
			n += r[1] - r[0] + 1
		}
	}
	return n
}

func (ch changes) files() []string {
	var fs []string
	for f := range ch {
		fs = append(fs, f)
	}
	slices.Sort(fs)
	return fs
}

func (ch changes) has(file string, line int) bool {
	for _, r := range ch[file] {
		if line >= r[0] && line <= r[1] {
			return true
		}
	}
	return false
}

// gremlinsOutput is the part of gremlins' JSON output read here.
type gremlinsOutput struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// mutant is one mutant on a changed line.
type mutant struct {
	File   string // from the repository's root
	Line   int
	Column int
	Type   string
	Status string
}

type result struct {
	Package string
	Wall    time.Duration
	Mutants []mutant
}

// add reads gremlins' JSON output for r's package, keeping the mutants it
// did not skip, and fails if one of those is off the change.
func (r *result) add(data []byte, ch changes) error {
	var out gremlinsOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	for _, f := range out.Files {
		for _, m := range f.Mutations {
			if m.Status == "SKIPPED" {
				continue
			}
			if !ch.has(f.Name, m.Line) {
				return fmt.Errorf("gremlins ran a mutant off the change, %s:%d (%s): its diff restriction did not apply", f.Name, m.Line, m.Status)
			}
			r.Mutants = append(r.Mutants, mutant{File: r.Package + "/" + f.Name, Line: m.Line, Column: m.Column, Type: m.Type, Status: m.Status})
		}
	}
	slices.SortFunc(r.Mutants, func(a, b mutant) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.Type, b.Type)
	})
	return nil
}

func (r *result) count(status string) int {
	n := 0
	for _, m := range r.Mutants {
		if m.Status == status {
			n++
		}
	}
	return n
}

// score is gremlins' test efficacy, killed / (killed + lived), as a
// percentage; "-" when no mutant ran to an end.
func score(killed, lived int) string {
	if killed+lived == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(killed)/float64(killed+lived))
}

func writeSummary(w io.Writer, results []result, base, mergeBase string, wall time.Duration) {
	fmt.Fprintf(w, "== mutate-changed: mutants on the lines changed since %s (merge base of %s and HEAD)\n", mergeBase, base)
	width := len("package")
	for _, r := range results {
		width = max(width, len(r.Package))
	}
	row := "%-*s  %6v  %5v  %11v  %9v  %10v  %7v  %6v\n"
	fmt.Fprintf(w, row, width, "package", "killed", "lived", "not covered", "timed out", "not viable", "score", "wall")
	for _, r := range results {
		k, l := r.count("KILLED"), r.count("LIVED")
		fmt.Fprintf(w, row, width, r.Package, k, l, r.count("NOT COVERED"), r.count("TIMED OUT"), r.count("NOT VIABLE"),
			score(k, l), r.Wall.Round(time.Second))
	}
	ran, runnable := 0, 0
	for _, r := range results {
		ran += r.count("KILLED") + r.count("LIVED")
		runnable += r.count("RUNNABLE")
	}
	fmt.Fprintln(w, "score = killed / (killed + lived), gremlins' test efficacy")
	for _, status := range []string{"LIVED", "NOT COVERED", "TIMED OUT", "NOT VIABLE"} {
		for _, r := range results {
			for _, m := range r.Mutants {
				if m.Status == status {
					fmt.Fprintf(w, "%-11s %s:%d:%s (column %d)\n", status, m.File, m.Line, m.Type, m.Column)
				}
			}
		}
	}
	switch {
	case runnable > 0:
		fmt.Fprintf(w, "dry run: %d mutants on the changed lines would run\n", runnable)
	case ran == 0 && len(results) > 0:
		fmt.Fprintln(w, "no mutant on the changed lines ran: none there, or none that gremlins counts as covered")
	}
	fmt.Fprintf(w, "wall time %s\n", wall.Round(time.Second))
}
