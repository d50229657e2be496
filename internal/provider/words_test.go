package provider

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// handTyped are numbers and names that a constant decides, as a string
// literal would state them by hand: each must come from its constant
// (words.go), or a change of the constant leaves the docs behind.
var handTyped = []struct {
	re   *regexp.Regexp
	from string
}{
	{regexp.MustCompile(`\b48 ?h(ours?)?\b`), "linkLifetime: inWords or goDuration"},
	{regexp.MustCompile(`\b1 second\b`), "defaultPollFirst: inWords"},
	{regexp.MustCompile(`\b15 seconds\b`), "defaultPollLongest: inWords"},
	{regexp.MustCompile(`\b5 seconds\b`), "progressGapPolls*defaultPollFirst: inWords"},
	{regexp.MustCompile(`\b10m\b|\b10 minutes\b`), "defaultWaitTimeout: goDuration"},
	{regexp.MustCompile(`waiting\W+granted\W+waiting_oauth`), "statusNames: statusNameList"},
	{regexp.MustCompile("`?0`? waiting\\W+`?1`? granted"), "the albato.Status constants: statusNumbers"},
	{regexp.MustCompile(`\b50 a page\b|\bup to 8\b|\bthree times\b`), "albato.ListPageSize, ListConcurrency, ListReadings"},
}

// TestNoHandTypedConstantsInStrings reads every string literal of the
// package's non-test Go files and fails on one that types a number or name
// a constant decides.
func TestNoHandTypedConstantsInStrings(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			text, err := strconv.Unquote(lit)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(pos), err)
			}
			for _, h := range handTyped {
				if m := h.re.FindString(text); m != "" {
					t.Errorf("%s: %q typed by hand in a string; build it from %s", fset.Position(pos), m, h.from)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}

// The helpers write what the constants say.
func TestWords(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration][2]string{
		48 * time.Hour:   {"48 hours", "48h"},
		time.Hour:        {"1 hour", "1h"},
		time.Second:      {"1 second", "1s"},
		15 * time.Second: {"15 seconds", "15s"},
		10 * time.Minute: {"10 minutes", "10m"},
		90 * time.Minute: {"90 minutes", "1h30m"},
		0:                {"0 seconds", "0s"},
	} {
		if got := inWords(d); got != want[0] {
			t.Errorf("inWords(%s) = %q, want %q", d, got, want[0])
		}
		if got := goDuration(d); got != want[1] {
			t.Errorf("goDuration(%s) = %q, want %q", d, got, want[1])
		}
		if back, err := time.ParseDuration(goDuration(d)); err != nil || back != d {
			t.Errorf("goDuration(%s) = %q parses back to %s (%v)", d, goDuration(d), back, err)
		}
	}
	if got, want := statusNameList("or"), "`waiting`, `granted`, `waiting_oauth` or `revoked`"; got != want {
		t.Errorf("statusNameList(or) = %q, want %q", got, want)
	}
	if got, want := statusNumbers, "`0` waiting, `1` granted, `2` waiting for OAuth, `3` revoked"; got != want {
		t.Errorf("statusNumbers = %q, want %q", got, want)
	}
}
