package main

import (
	"bytes"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// A diff as git prints it with diff.context=0 and diff.relative=true from a
// package directory.
const diffU0 = `diff --git a/list.go b/list.go
index 2849657..3e14fae 100644
--- a/list.go
+++ b/list.go
@@ -167 +167 @@ func (c *Client) startReading(ctx context.Context, first *Page) (*Page, [][]Shar
-	if total := first.TotalPages; total > maxListPages {
+	if total := first.TotalPages; maxListPages < total {
@@ -200,3 +199,0 @@ func removed() {
-	a
-	b
-	c
@@ -306 +303,2 @@ func mergePages(pages [][]Sharing) []Sharing {
-		if i+1 < len(all) && all[i+1].ID == all[i].ID {
+		if i < len(all)-1 &&
+			all[i+1].ID == all[i].ID {
diff --git a/retry.go b/retry.go
index a34d995..cd64910 100644
--- a/retry.go
+++ b/retry.go
@@ -286,0 +287,5 @@ func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
+
+// isDigit reports whether b is an ASCII decimal digit.
+func isDigit(b byte) bool {
+	return b >= '0' && b <= '9'
+}
diff --git a/retry_test.go b/retry_test.go
--- a/retry_test.go
+++ b/retry_test.go
@@ -10 +10 @@
-x
+y
diff --git a/old.go b/old.go
deleted file mode 100644
--- a/old.go
+++ /dev/null
@@ -1,2 +0,0 @@
-package albato
-
diff --git a/testdata/gen.go b/testdata/gen.go
--- a/testdata/gen.go
+++ b/testdata/gen.go
@@ -1 +1 @@
-a
+b
`

func TestParseDiff(t *testing.T) {
	t.Parallel()
	got := parseDiff(diffU0).sources()
	want := changes{
		"list.go":  {{167, 167}, {303, 304}},
		"retry.go": {{287, 291}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseDiff = %v, want %v", got, want)
	}
	if n := got.lines(); n != 8 {
		t.Errorf("lines = %d, want 8", n)
	}
	if f := got.files(); !slices.Equal(f, []string{"list.go", "retry.go"}) {
		t.Errorf("files = %v", f)
	}
	for _, c := range []struct {
		file string
		line int
		want bool
	}{
		{"list.go", 166, false}, {"list.go", 167, true}, {"list.go", 168, false},
		{"list.go", 302, false}, {"list.go", 303, true}, {"list.go", 304, true}, {"list.go", 305, false},
		{"retry.go", 286, false}, {"retry.go", 287, true}, {"retry.go", 291, true}, {"retry.go", 292, false},
		{"retry_test.go", 10, false}, {"old.go", 1, false},
	} {
		if got := got.has(c.file, c.line); got != c.want {
			t.Errorf("has(%s, %d) = %v, want %v", c.file, c.line, got, c.want)
		}
	}
	if n := parseDiff("").sources().lines(); n != 0 {
		t.Errorf("empty diff: %d lines", n)
	}
}

func TestGremlinsEnv(t *testing.T) {
	t.Parallel()
	env := gremlinsEnv([]string{
		"HOME=/root", "TF_ACC=1", "GOFLAGS=-mod=mod", "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=x", "GIT_EXTERNAL_DIFF=meld",
	}, "")
	get := func(k string) (string, bool) {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v, true
			}
		}
		return "", false
	}
	for _, k := range []string{"TF_ACC", "GIT_EXTERNAL_DIFF"} {
		if _, ok := get(k); ok {
			t.Errorf("%s is still set", k)
		}
	}
	if v, _ := get("GOFLAGS"); v != "-mod=mod -count=1 -vet=off -parallel=8" {
		t.Errorf("GOFLAGS = %q", v)
	}
	if v, _ := get("GIT_CONFIG_KEY_0"); v != "user.name" {
		t.Errorf("the caller's GIT_CONFIG_KEY_0 became %q", v)
	}
	if v, _ := get("GIT_CONFIG_COUNT"); v != "7" {
		t.Errorf("GIT_CONFIG_COUNT = %q, want 7", v)
	}
	if k, _ := get("GIT_CONFIG_KEY_3"); k != "diff.relative" {
		t.Errorf("GIT_CONFIG_KEY_3 = %q, want diff.relative", k)
	}
	if v, _ := get("HOME"); v != "/root" {
		t.Errorf("HOME = %q", v)
	}
}

func TestGremlinsEnvAcceptance(t *testing.T) {
	t.Parallel()
	env := gremlinsEnv([]string{"TF_ACC=", "GOFLAGS=-mod=mod"}, "TestAccConnectionLink_stale|TestAccX")
	var acc []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "TF_ACC=") || strings.HasPrefix(kv, "GOFLAGS=") {
			acc = append(acc, kv)
		}
	}
	want := []string{"TF_ACC=1", "GOFLAGS=-mod=mod -count=1 -vet=off -parallel=8 -run=TestAccConnectionLink_stale|TestAccX"}
	if strings.Join(acc, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", acc, want)
	}
}

func TestAccRunWithSpaceRefused(t *testing.T) {
	t.Parallel()
	err := run([]string{"-acc-run", "TestA TestB", "-out", t.TempDir(), "--", "true"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Errorf("err = %v, want a refusal of the space", err)
	}
}

func TestResultAndSummary(t *testing.T) {
	t.Parallel()
	ch := changes{"list.go": {{167, 167}, {303, 304}}, "retry.go": {{287, 291}}}
	out := `{"go_module":"m","files":[
	 {"file_name":"list.go","mutations":[
	  {"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":167,"column":45},
	  {"type":"CONDITIONALS_NEGATION","status":"KILLED","line":167,"column":45},
	  {"type":"ARITHMETIC_BASE","status":"SKIPPED","line":12,"column":3},
	  {"type":"ARITHMETIC_BASE","status":"TIMED OUT","line":304,"column":9}]},
	 {"file_name":"retry.go","mutations":[
	  {"type":"CONDITIONALS_BOUNDARY","status":"NOT COVERED","line":290,"column":11},
	  {"type":"CONDITIONALS_NEGATION","status":"KILLED","line":290,"column":23},
	  {"type":"CONDITIONALS_NEGATION","status":"SKIPPED","line":183,"column":11}]}]}`
	r := result{Package: "internal/albato", Wall: 95 * time.Second}
	if err := r.add([]byte(out), ch); err != nil {
		t.Fatal(err)
	}
	if len(r.Mutants) != 5 {
		t.Fatalf("%d mutants, want the 5 not skipped: %v", len(r.Mutants), r.Mutants)
	}
	var buf bytes.Buffer
	writeSummary(&buf, []result{r}, "main", "abc123", 100*time.Second)
	s := buf.String()
	for _, want := range []string{
		"internal/albato       2      1            1          1           0   66.7 %   1m35s\n",
		"LIVED       internal/albato/list.go:167:CONDITIONALS_BOUNDARY (column 45)\n",
		"NOT COVERED internal/albato/retry.go:290:CONDITIONALS_BOUNDARY (column 11)\n",
		"TIMED OUT   internal/albato/list.go:304:ARITHMETIC_BASE (column 9)\n",
		"wall time 1m40s\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}

	off := `{"files":[{"file_name":"list.go","mutations":[{"type":"ARITHMETIC_BASE","status":"KILLED","line":12,"column":3}]}]}`
	r = result{Package: "internal/albato"}
	if err := r.add([]byte(off), ch); err == nil || !strings.Contains(err.Error(), "off the change") {
		t.Errorf("a mutant run off the change: err = %v", err)
	}
}
