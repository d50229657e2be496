package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// profileResult is the CPU profile of the provider over one apply, plan and
// destroy.
type profileResult struct {
	N      int
	Walls  map[string]float64
	Top    string // go tool pprof -top
	Files  int
	Shares []profileShare
	Mem    memPeaks // of the provider process that used the most memory
	Allocs string   // go tool pprof -sample_index=alloc_space -top
}

// profileRun applies, plans and destroys profileN links once more with the
// profiling build of the provider (not timed with the others) and keeps the
// top of the merged CPU profile.
func (b *bench) profileRun(ctx context.Context) error {
	n := b.cfg.profileN
	b.logf("profiling the provider over an apply, a plan and a destroy of %d links", n)
	outDir := filepath.Join(b.tmp, "cpuprofile")
	memDir := filepath.Join(b.tmp, "memprofile")
	for _, d := range []string{outDir, memDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	dir, err := b.workDir(kindOurs, n, "profile")
	if err != nil {
		return err
	}
	env := append(b.tfEnv(filepath.Join(b.tmp, "cli-prof.tfrc"), b.api), "BENCH_CPUPROFILE_DIR="+outDir, "BENCH_MEMPROFILE_DIR="+memDir)
	res := &profileResult{N: n, Walls: map[string]float64{}}
	for _, op := range ops {
		r, err := b.terraform(ctx, dir, env, b.tfArgs(op)...)
		if err != nil {
			return err
		}
		res.Walls[op] = r.wall.Seconds()
	}
	files, _ := filepath.Glob(filepath.Join(outDir, "cpu.*.pprof"))
	var nonEmpty []string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			nonEmpty = append(nonEmpty, f)
		}
	}
	res.Files = len(nonEmpty)
	if len(nonEmpty) == 0 {
		res.Top = "(no profile was written: Terraform did not let the provider exit normally)"
		b.profile = res
		return nil
	}
	bin := filepath.Join(b.profDir, "terraform-provider-albato")
	b.readMemProfile(ctx, res, bin, memDir)
	pprof := func(flags ...string) (string, error) {
		args := append(append([]string{"tool", "pprof"}, flags...), bin)
		cmd := exec.CommandContext(ctx, "go", append(args, nonEmpty...)...)
		cmd.Dir = b.repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go tool pprof %s: %w\n%s", strings.Join(flags, " "), err, out)
		}
		return string(out), nil
	}
	out, err := pprof("-top", "-nodecount=20")
	if err != nil {
		// A profile that pprof cannot read is reported in BENCHMARKS.md
		// rather than failing the whole benchmark run.
		res.Top = err.Error()
		b.profile = res
		return nil //nolint:nilerr // reported in the table instead
	}
	res.Top = cleanPprof(out)
	for _, c := range profileCategories {
		out, err := pprof("-top", "-nodecount=1000000", "-focus="+c.focus)
		share := 0.0
		if err == nil {
			if m := pprofShowing.FindStringSubmatch(out); m != nil {
				share, _ = strconv.ParseFloat(m[1], 64)
			}
		}
		res.Shares = append(res.Shares, profileShare{Name: c.name, Focus: c.focus, Percent: share})
	}
	b.profile = res
	return nil
}

// profileCategories are the parts of the provider's CPU time reported: the
// share of samples whose stack passes through the functions matched.
var profileCategories = []struct{ name, focus string }{
	{"API client (internal/albato: HTTP, retries, JSON)", `terraform-provider-albato/internal/albato\.`},
	{"provider code (internal/provider)", `terraform-provider-albato/internal/provider\.`},
	{"net/http", `^net/http\.`},
	{"terraform-plugin-framework", `terraform-plugin-framework/`},
	{"terraform-plugin-go (protocol types, msgpack)", `terraform-plugin-go/`},
	{"gRPC", `google\.golang\.org/grpc`},
	{"framework reflection (State/Plan Get and Set)", `terraform-plugin-framework/internal/reflect\.`},
	{"… of which compiling a regexp per struct field (framework `isValidFieldName`)", `internal/reflect\.isValidFieldName`},
	{"logging (terraform-plugin-log, go-hclog)", `terraform-plugin-log/|go-hclog`},
	{"plugin start-up: TLS certificate of go-plugin's AutoMTLS", `go-plugin\.generateCert|go-plugin.*[Mm][Tt][Ll][Ss]`},
	{"garbage collection (background)", `runtime\.gcBgMarkWorker`},
}

var pprofShowing = regexp.MustCompile(`Showing nodes accounting for [^,]+, ([0-9.]+)% of`)

// readMemProfile reads the memory statistics and heap profiles the
// profiling build wrote: the largest process's peaks, and the merged
// allocations by function.
func (b *bench) readMemProfile(ctx context.Context, res *profileResult, bin, dir string) {
	stats, _ := filepath.Glob(filepath.Join(dir, "mem.*.json"))
	for _, f := range stats {
		var m memPeaks
		if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &m) == nil && m.Sys > res.Mem.Sys {
			res.Mem = m
		}
	}
	heaps, _ := filepath.Glob(filepath.Join(dir, "heap.*.pprof"))
	if len(heaps) == 0 {
		return
	}
	args := append([]string{"tool", "pprof", "-sample_index=alloc_space", "-top", "-nodecount=15", bin}, heaps...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.repo
	if out, err := cmd.CombinedOutput(); err == nil {
		res.Allocs = cleanPprof(string(out))
	}
}

// memPeaks is what bench/inroot/profile-provider writes to mem.<pid>.json.
type memPeaks struct {
	HeapAlloc, HeapInuse, HeapSys, StackInuse, Sys uint64
	NumGC                                          uint32
}

type profileShare struct {
	Name, Focus string
	Percent     float64
}

// cleanPprof drops the lines that name temporary files.
func cleanPprof(s string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") || strings.HasPrefix(line, "Type:") ||
			strings.HasPrefix(line, "Time:") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// goBenchLine is one result of go test -bench.
type goBenchLine struct {
	Pkg, Name                string
	Iterations               string
	NsOp, MBs, BOp, AllocsOp string
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// goBenchmarks runs the Go benchmarks of the client (decoding, list
// merging, the whole list path) and of the sandbox's handlers.
func (b *bench) goBenchmarks(ctx context.Context) error {
	b.logf("running the Go benchmarks")
	pkgs := []string{"./internal/albato", "./internal/sandbox"}
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "500ms", "-count", "1"}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.goBenchErr = fmt.Sprintf("go test -bench failed: %v\n%s", err, tailString(string(out), 20))
		b.logf("%s", b.goBenchErr)
		return nil
	}
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/albato/terraform-provider-albato/")
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := goBenchLine{Pkg: pkg, Name: m[1], Iterations: m[2]}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			switch f[i+1] {
			case "ns/op":
				r.NsOp = f[i]
			case "MB/s":
				r.MBs = f[i]
			case "B/op":
				r.BOp = f[i]
			case "allocs/op":
				r.AllocsOp = f[i]
			}
		}
		b.goBench = append(b.goBench, r)
	}
	return nil
}

func tailString(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
