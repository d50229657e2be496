// Command bench is `make bench`: it measures terraform apply, a no-change
// plan and destroy of N albato_connection_link resources against the
// sandbox with a fixed latency per request, side by side with N resources of
// a no-op provider (Terraform plus the plugin protocol: the floor) and N
// terraform_data resources (the CLI alone); it measures the list data
// source at scale, the provider process's peak RSS and CPU time, and the Go
// benchmarks; and it writes BENCHMARKS.md from what it measured.
//
// Everything it builds and runs lives in a temporary directory, removed at
// the end (BENCH_KEEP=1 keeps it). Settings come from the environment, so
// that `BENCH_NS="100 500" make bench` works:
//
//	BENCH_NS             resource counts, e.g. "100 500 1000" (the default)
//	BENCH_RUNS           runs per cell for N < 1000, median reported (default 3)
//	BENCH_LARGE_RUNS     runs per cell for N >= 1000 (default 1, to keep the run short)
//	BENCH_LATENCIES      sandbox latencies per API request, e.g. "25ms 100ms" (the
//	                     default); albato runs at each, the floors need none; the
//	                     first also serves the list benchmark and the TRACE experiment
//	BENCH_PARALLELISM    terraform -parallelism (default 10)
//	BENCH_SCHEMA_VARIANTS 1 to measure the no-op provider's schema variants too
//	                     (no sensitive attributes, no derived attributes, null token)
//	BENCH_LIST_ITEMS     sharings for the list benchmark (default 10000)
//	BENCH_LIST_PAGE_SIZE sandbox page size for the list benchmark (default 20)
//	BENCH_LIST_RUNS      runs of each list measurement (default 3)
//	BENCH_GO             1 to run the Go benchmarks (default 1)
//	BENCH_PROFILE        1 for one extra profiled apply/plan/destroy (default 1)
//	BENCH_PROFILE_N      N of that profiled run (default: the smallest N)
//	BENCH_KEEP           1 to keep the temporary directory (logs, profiles)
//	BENCH_SCALE          1 to run the scale section (default 1): the list data
//	                     source and the resource at growing N, on each CLI of
//	                     BENCH_SCALE_CLIS, against the no-op floor, with the
//	                     growth exponent k of each row
//	BENCH_SCALE_ONLY     1 to run only the scale section and replace it in the
//	                     report (-out), leaving the rest of it as it was; the
//	                     cells it did not measure (another CLI, another part)
//	                     are kept from <out>.scale.json, which it rewrites
//	BENCH_SCALE_NS       links in the list, e.g. "1000 5000 10000" (the default)
//	BENCH_SCALE_RESOURCE_NS resources, e.g. "500 2000 5000" (the default)
//	BENCH_SCALE_RUNS     runs per list cell (default 3)
//	BENCH_SCALE_RESOURCE_RUNS runs per resource cell (default 1)
//	BENCH_SCALE_CLIS     CLI paths, space-separated (default: the CLI measured)
//	BENCH_SCALE_NOTE     the conditions of the runs, printed in the section as is
//	BENCH_SCALE_ROWS     only these list rows (keys of scaleRows: ds, ds-ids, ds-secrets,
//	                     hand-lookup, hand-whole, query); all by default
//	BENCH_SCALE_PARTS    "data", "resource" or both (the default); "none" with
//	                     BENCH_SCALE_ONLY rewrites the section from the JSON
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	repo         string
	terraform    string
	out          string
	ns           []int
	runs         int
	largeRuns    int
	latency      time.Duration   // the first of latencies
	latencies    []time.Duration // albato is measured at each
	variants     bool            // the no-op provider's schema variants too
	parallelism  int
	listItems    int
	listPageSize int
	listRuns     int
	goBench      bool
	profile      bool
	profileN     int
	keep         bool

	scale, scaleOnly             bool
	scaleNs, scaleResourceNs     []int
	scaleRuns, scaleResourceRuns int
	scaleCLIs                    []string
	scaleParts                   map[string]bool
	scaleRows                    map[string]bool // row keys to run; all when empty
}

// The CLI measured is -terraform (default $TERRAFORM, else terraform on
// PATH); make bench passes BENCH_CLI there.
func main() {
	cfg, err := parseConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseConfig(args []string) (config, error) {
	var c config
	var errs []error
	envInt := func(name string, def int) int {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s must be a whole number, got %q", name, v))
			return def
		}
		return n
	}
	envBool := func(name string, def bool) bool {
		switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
		case "":
			return def
		case "1", "true", "yes", "on":
			return true
		default:
			return false
		}
	}

	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	def := os.Getenv("TERRAFORM")
	if def == "" {
		def = "terraform"
	}
	fs.StringVar(&c.terraform, "terraform", def, "Terraform CLI to run (default $TERRAFORM, else terraform on PATH)")
	fs.StringVar(&c.out, "out", "BENCHMARKS.md", "report to write (relative to -repo)")
	fs.StringVar(&c.repo, "repo", "..", "the provider's repository (the bench module is its bench/ directory)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}

	envNs := func(name, def string) []int {
		text := os.Getenv(name)
		if strings.TrimSpace(text) == "" {
			text = def
		}
		var ns []int
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' }) {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				errs = append(errs, fmt.Errorf("%s: %q is not a positive whole number", name, f))
				continue
			}
			ns = append(ns, n)
		}
		slices.Sort(ns)
		return slices.Compact(ns)
	}
	c.ns = envNs("BENCH_NS", "100 500 1000")
	c.scaleNs = envNs("BENCH_SCALE_NS", "1000 5000 10000")
	c.scaleResourceNs = envNs("BENCH_SCALE_RESOURCE_NS", "500 2000 5000")
	c.scaleRuns = max(1, envInt("BENCH_SCALE_RUNS", 3))
	c.scaleResourceRuns = max(1, envInt("BENCH_SCALE_RESOURCE_RUNS", 1))
	c.scaleOnly = envBool("BENCH_SCALE_ONLY", false)
	c.scale = envBool("BENCH_SCALE", true) || c.scaleOnly
	c.scaleCLIs = strings.Fields(os.Getenv("BENCH_SCALE_CLIS"))
	if len(c.scaleCLIs) == 0 {
		c.scaleCLIs = []string{c.terraform}
	}
	c.scaleRows = map[string]bool{}
	for _, k := range strings.Fields(os.Getenv("BENCH_SCALE_ROWS")) {
		c.scaleRows[k] = true
	}
	c.scaleParts = map[string]bool{}
	parts := strings.Fields(os.Getenv("BENCH_SCALE_PARTS"))
	if len(parts) == 0 {
		parts = []string{"data", "resource"}
	}
	for _, part := range parts {
		if part != "data" && part != "resource" && part != "none" {
			errs = append(errs, fmt.Errorf("BENCH_SCALE_PARTS: %q is not data, resource or none", part))
		}
		c.scaleParts[part] = true
	}

	c.runs = max(1, envInt("BENCH_RUNS", 3))
	c.largeRuns = max(1, envInt("BENCH_LARGE_RUNS", 1))
	c.parallelism = max(1, envInt("BENCH_PARALLELISM", 10))
	c.listItems = envInt("BENCH_LIST_ITEMS", 10000)
	c.listPageSize = max(1, envInt("BENCH_LIST_PAGE_SIZE", 20))
	c.listRuns = max(1, envInt("BENCH_LIST_RUNS", 3))
	c.goBench = envBool("BENCH_GO", true)
	c.profile = envBool("BENCH_PROFILE", true)
	c.keep = envBool("BENCH_KEEP", false)
	c.variants = envBool("BENCH_SCHEMA_VARIANTS", false)
	latText := os.Getenv("BENCH_LATENCIES")
	if strings.TrimSpace(latText) == "" {
		latText = "25ms 100ms"
	}
	for _, f := range strings.FieldsFunc(latText, func(r rune) bool { return r == ' ' || r == ',' }) {
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("BENCH_LATENCIES: %q is not a duration such as 25ms", f))
			continue
		}
		if !slices.Contains(c.latencies, d) {
			c.latencies = append(c.latencies, d)
		}
	}
	if len(c.latencies) == 0 {
		errs = append(errs, errors.New("BENCH_LATENCIES names no latency"))
	} else {
		c.latency = c.latencies[0]
	}
	c.profileN = envInt("BENCH_PROFILE_N", 0)
	if c.profileN == 0 && len(c.ns) > 0 {
		c.profileN = c.ns[0] // the smallest: the profile's shares hardly depend on N
	}
	if len(c.ns) == 0 {
		errs = append(errs, errors.New("BENCH_NS names no resource count"))
	}
	return c, errors.Join(errs...)
}

// runsFor is how many times each cell of N is measured.
func (c config) runsFor(n int) int {
	if n >= 1000 {
		return c.largeRuns
	}
	return c.runs
}

func run(ctx context.Context, cfg config) error {
	repo, err := filepath.Abs(cfg.repo)
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(repo, "go.mod")); err != nil ||
		!strings.Contains(string(b), "module github.com/albato/terraform-provider-albato\n") {
		return fmt.Errorf("-repo %s is not the provider's repository (make bench sets it)", cfg.repo)
	}
	tfPath, err := resolveTerraform(cfg.terraform)
	if err != nil {
		return err
	}
	cfg.terraform = tfPath

	tmp, err := os.MkdirTemp("", "albato-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(os.Stderr, "bench: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	b := &bench{cfg: cfg, repo: repo, tmp: tmp, started: time.Now()}
	out := cfg.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(repo, out)
	}
	b.machine = readMachine(ctx, cfg.terraform)
	b.logf("machine: %s, %d cores, %s, Terraform %s; load average %s",
		b.machine.CPU, b.machine.Cores, b.machine.GoVersion, b.machine.TerraformVersion, b.machine.LoadStart)

	if err := b.build(ctx); err != nil {
		return err
	}
	if cfg.scaleOnly {
		b.scaleOut = out
		if !cfg.scaleParts["none"] {
			if err := b.scaleBench(ctx); err != nil {
				return err
			}
		}
		if err := b.checkpointScale(); err != nil {
			return err
		}
		b.logf("replaced the scale section of %s in %s", cfg.out, time.Since(b.started).Round(time.Second))
		return nil
	}
	// One sandbox per latency; b.api is the first's.
	b.apis = map[string]*sandboxProc{}
	for _, lat := range cfg.latencies {
		sb, err := b.startSandbox(ctx, "sandbox-"+lat.String(), benchPageSize, lat, true)
		if err != nil {
			return err
		}
		defer sb.stop()
		b.apis[b.oursAt(lat)] = sb
	}
	b.api = b.apis[kindOurs]

	if err := b.resourceBench(ctx); err != nil {
		return err
	}
	if cfg.profile {
		if err := b.profileRun(ctx); err != nil {
			return err
		}
	}
	for _, sb := range b.apis {
		sb.stop()
	}
	if cfg.listItems > 0 {
		if err := b.listBench(ctx); err != nil {
			return err
		}
	}
	if cfg.goBench {
		if err := b.goBenchmarks(ctx); err != nil {
			return err
		}
	}
	if cfg.scale {
		if err := b.scaleBench(ctx); err != nil {
			return err
		}
	}
	b.machine.LoadEnd = loadAverage()
	b.finished = time.Now()
	if err := os.WriteFile(out, []byte(b.report()), 0o644); err != nil {
		return err
	}
	b.logf("wrote %s in %s", cfg.out, b.finished.Sub(b.started).Round(time.Second))
	return nil
}
