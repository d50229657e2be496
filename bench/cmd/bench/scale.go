package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The scale section: how the cost of every listing of many links, and of
// many resources, grows with N on each CLI, against the no-op floor of the
// same shape on the same CLI.

// scaleRow is one shape of configuration measured at several N.
type scaleRow struct {
	key, what string
	resource  bool // N albato_connection_link resources, else one list of N links
	op        string
	// ours and floor are the configuration's body (for a list); the floor
	// is noop_links, which returns as many links as ours reads.
	ours, floor string
	// check, if set, fails a run whose output does not show the work.
	check func(log string, n int) error
	// query rows run `terraform query` on a .tfquery.hcl file (body %d: N).
	query bool
	// skip, if set, says why a CLI or this provider cannot run the row.
	skip func(b *bench, cli string) string
}

// scaleRows are the rows of the section, in report order. A listing added
// to the provider (the list resource's results through `terraform query`,
// say) is measured by adding its row here, with its floor in
// bench/noop-provider.
var scaleRows = []scaleRow{
	{key: "ds", what: "`data \"albato_connection_links\"`, list not referenced", op: "plan",
		ours:  "data \"albato_connection_links\" \"all\" {}\n",
		floor: "data \"noop_links\" \"all\" {}\n"},
	{key: "ds-ids", what: "the same with `output` over every `credential_id`", op: "plan",
		ours:  "data \"albato_connection_links\" \"all\" {}\n\noutput \"ids\" {\n  value = [for l in data.albato_connection_links.all.links : l.credential_id]\n}\n",
		floor: "data \"noop_links\" \"all\" {}\n\noutput \"ids\" {\n  value = [for l in data.noop_links.all.links : l.credential_id]\n}\n",
		check: func(log string, n int) error {
			if got := strings.Count(log, "null"); got < n {
				return fmt.Errorf("the plan shows %d of the %d credential_ids", got, n)
			}
			return nil
		}},
	{key: "ds-secrets", what: "`include_secrets = true`, a sensitive `output` of `link_by_id`", op: "plan",
		ours: "data \"albato_connection_links\" \"all\" {\n  include_secrets = true\n}\n\noutput \"links\" {\n" +
			"  value     = data.albato_connection_links.all.link_by_id\n  sensitive = true\n}\n",
		floor: "data \"noop_links\" \"all\" {\n  include_secrets = true\n}\n\noutput \"links\" {\n" +
			"  value     = data.noop_links.all.link_by_id\n  sensitive = true\n}\n"},
	// The two ways to hand links out: the per-link lookup that the data
	// source's example showed before exclude_expired_by_date, and the whole
	// map it shows now.
	{key: "hand-lookup", what: "handing out: a sensitive `output` of a `for` over `links` that looks each up in `link_by_id`, `if !l.expired`", op: "plan",
		ours: handOut("albato_connection_links", "  include_secrets = true\n",
			"{\n    for l in data.albato_connection_links.all.links :\n    l.id => data.albato_connection_links.all.link_by_id[l.id] if !l.expired\n  }"),
		floor: handOut("noop_links", "  include_secrets = true\n",
			"{\n    for l in data.noop_links.all.links :\n    l.id => data.noop_links.all.link_by_id[l.id] if !l.expired\n  }")},
	{key: "hand-whole", what: "handing out: `exclude_expired_by_date = true`, a sensitive `output` of `link_by_id` whole", op: "plan",
		ours: handOut("albato_connection_links", "  exclude_expired_by_date = true\n  include_secrets         = true\n",
			"data.albato_connection_links.all.link_by_id"),
		floor: handOut("noop_links", "  exclude_expired_by_date = true\n  include_secrets         = true\n",
			"data.noop_links.all.link_by_id")},
	{key: "query", what: "`terraform query`: `list \"albato_connection_link\"` with `include_resource = true`", op: "query", query: true,
		ours:  "list \"albato_connection_link\" \"all\" {\n  provider         = albato\n  include_resource = true\n  limit            = %d\n}\n",
		floor: "list \"noop_link\" \"all\" {\n  provider         = noop\n  include_resource = true\n  limit            = %d\n}\n",
		check: func(log string, n int) error {
			if got := strings.Count(log, "list bench"); got < n {
				return fmt.Errorf("the query shows %d of the %d links", got, n)
			}
			return nil
		},
		skip: func(b *bench, cli string) string {
			var major, minor int
			if _, err := fmt.Sscanf(cli, "Terraform %d.%d", &major, &minor); err != nil || major == 1 && minor < 14 {
				return "list resources need Terraform 1.14 or later"
			}
			// The list resource is the provider's once this file exists.
			if _, err := os.Stat(filepath.Join(b.repo, "internal", "provider", "list_resource_connection_link.go")); err != nil {
				return "the provider has no list resource in this build"
			}
			return ""
		}},
	{key: "res-apply", what: "`albato_connection_link` × N: apply", resource: true, op: "apply"},
	{key: "res-plan", what: "`albato_connection_link` × N: plan, no changes", resource: true, op: "plan"},
}

// handOut is a list of every link with args, and a sensitive output of value.
func handOut(typ, args, value string) string {
	return fmt.Sprintf("data %q \"all\" {\n%s}\n\noutput \"links\" {\n  sensitive = true\n  value     = %s\n}\n", typ, args, value)
}

// scaleCLI is one CLI the section ran on.
type scaleCLI struct {
	Path, Label        string
	LoadStart, LoadEnd string
	Started, Finished  time.Time
	// Cells are by row key and N ("ds-ids/10000").
	Cells map[string]*scaleCell
	// Earlier are the runs whose cells this report kept (mergeScale).
	Earlier []string `json:",omitempty"`
	// Skipped are the rows this CLI or build cannot run, with the reason.
	Skipped map[string]string `json:",omitempty"`
}

func (c *scaleCLI) skip(row scaleRow, why string) {
	if c.Skipped == nil {
		c.Skipped = map[string]string{}
	}
	c.Skipped[row.key] = why
}

// scaleCell is one row at one N: wall seconds per run, and the CPU seconds
// of the CLI and its providers (from wait4; the sandbox's are not counted),
// which a busy machine disturbs far less than the wall.
type scaleCell struct {
	Ours, Floor       []float64
	OursCPU, FloorCPU []float64
}

func (c *scaleCLI) cell(row scaleRow, n int) *scaleCell {
	k := fmt.Sprintf("%s/%d", row.key, n)
	if c.Cells[k] == nil {
		c.Cells[k] = &scaleCell{}
	}
	return c.Cells[k]
}

// cellNs is ns with every other N the row has a cell at (kept from an
// earlier run at other N), in order.
func (c *scaleCLI) cellNs(row scaleRow, ns []int) []int {
	all := slices.Clone(ns)
	for k := range c.Cells {
		var n int
		if key, num, ok := strings.Cut(k, "/"); ok && key == row.key {
			if _, err := fmt.Sscanf(num, "%d", &n); err == nil && !slices.Contains(all, n) {
				all = append(all, n)
			}
		}
	}
	slices.Sort(all)
	return all
}

// mergedScale is this run's CLIs with the cells of earlier runs (the
// JSON beside the report) that this run did not measure, so that the
// section can be measured a CLI or a part at a time on a busy machine, or
// by two runs at once.
func (b *bench) mergedScale(path string) ([]*scaleCLI, error) {
	var merged []*scaleCLI
	for _, c := range b.scale {
		cp := *c
		cp.Cells, cp.Skipped, cp.Earlier = maps.Clone(c.Cells), maps.Clone(c.Skipped), nil
		merged = append(merged, &cp)
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return merged, nil
	}
	if err != nil {
		return nil, err
	}
	var earlier []*scaleCLI
	if err := json.Unmarshal(data, &earlier); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, e := range earlier {
		if !knownLabel(e.Label) && e.Path != "" {
			e.Label = cliLabel(context.Background(), e.Path)
		}
		i := slices.IndexFunc(merged, func(c *scaleCLI) bool { return c.Label == e.Label })
		if i < 0 {
			merged = append(merged, e)
			continue
		}
		kept := false
		for k, cell := range e.Cells {
			if merged[i].Cells[k] == nil {
				merged[i].Cells[k], kept = cell, true
			}
		}
		for k, why := range e.Skipped {
			if merged[i].Skipped[k] == "" {
				if merged[i].Skipped == nil {
					merged[i].Skipped = map[string]string{}
				}
				merged[i].Skipped[k] = why
			}
		}
		if kept {
			// A checkpoint of this same run is not an earlier run.
			runs := e.Earlier
			if !e.Started.Equal(merged[i].Started) {
				runs = append(runs, e.runText())
			}
			for _, r := range runs {
				if !slices.Contains(merged[i].Earlier, r) {
					merged[i].Earlier = append(merged[i].Earlier, r)
				}
			}
		}
	}
	return merged, nil
}

// checkpointScale writes what the section holds so far, merged with the
// earlier runs', to the JSON and the report (BENCH_SCALE_ONLY runs only),
// so that a run stopped halfway keeps what it measured.
func (b *bench) checkpointScale() error {
	if b.scaleOut == "" {
		return nil
	}
	if len(b.scale) > 0 {
		c := b.scale[len(b.scale)-1] // the CLI being measured: so far
		c.LoadEnd, c.Finished = loadAverage(), time.Now()
	}
	merged, err := b.mergedScale(b.scaleOut + ".scale.json")
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(merged, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(b.scaleOut+".scale.json", append(data, '\n'), 0o644); err != nil {
		return err
	}
	var w strings.Builder
	b.reportScale(&w, merged)
	return spliceScale(b.scaleOut, w.String())
}

func (c *scaleCLI) runText() string {
	return fmt.Sprintf("%s, load average %s; %s", c.Started.UTC().Format("2006-01-02 15:04"), c.LoadStart, c.LoadEnd)
}

// cliLabel is "Terraform 1.5.7" or "OpenTofu 1.12.6": the line of
// `version` that names the CLI (OpenTofu may print a warning first).
func cliLabel(ctx context.Context, path string) string {
	out, _ := exec.CommandContext(ctx, path, "version").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if name, v, ok := strings.Cut(strings.TrimSpace(line), " v"); ok && (name == "Terraform" || name == "OpenTofu") {
			return name + " " + v
		}
	}
	return filepath.Base(path)
}

// knownLabel is whether a label names the CLI (runs before cliLabel read
// past OpenTofu's warnings saved the warning instead).
func knownLabel(label string) bool {
	return strings.HasPrefix(label, "Terraform ") || strings.HasPrefix(label, "OpenTofu ")
}

func (b *bench) scaleBench(ctx context.Context) error {
	cfg := b.cfg
	saved := b.cfg.terraform
	defer func() { b.cfg.terraform = saved }()
	for _, path := range cfg.scaleCLIs {
		p, err := resolveTerraform(path)
		if err != nil {
			return err
		}
		c := &scaleCLI{Path: p, Label: cliLabel(ctx, p), LoadStart: loadAverage(), Started: time.Now(), Cells: map[string]*scaleCell{}}
		b.scale = append(b.scale, c)
		b.cfg.terraform = p
		b.logf("scale: %s (load average %s)", c.Label, c.LoadStart)
		if cfg.scaleParts["data"] && len(cfg.scaleNs) > 0 {
			if err := b.scaleLists(ctx, c); err != nil {
				return err
			}
		}
		if cfg.scaleParts["resource"] && len(cfg.scaleResourceNs) > 0 {
			if err := b.scaleResources(ctx, c); err != nil {
				return err
			}
		}
		c.LoadEnd, c.Finished = loadAverage(), time.Now()
	}
	return nil
}

// scaleLists plans each list row at each N against a sandbox holding N
// links (seeded through the API, more for each larger N) and the floor
// returning N links.
func (b *bench) scaleLists(ctx context.Context, c *scaleCLI) error {
	sb, err := b.startSandbox(ctx, "scale-list-sandbox", benchPageSize, b.cfg.latency, false)
	if err != nil {
		return err
	}
	defer sb.stop()
	seeded := 0
	args := []string{"plan", "-input=false", "-no-color"}
	for _, n := range b.cfg.scaleNs {
		if n > seeded {
			if err := seed(ctx, sb.url, n-seeded); err != nil {
				return err
			}
			seeded = n
		}
		for _, row := range scaleRows {
			if row.resource || len(b.cfg.scaleRows) > 0 && !b.cfg.scaleRows[row.key] {
				continue
			}
			if row.skip != nil {
				if why := row.skip(b, c.Label); why != "" {
					c.skip(row, why)
					continue
				}
			}
			cell := c.cell(row, n)
			oursBody, floorBody, args := row.ours, row.floor, args
			if row.query {
				oursBody, floorBody, args = "", "", []string{"query", "-no-color"}
			}
			oursDir, err := b.listWorkDir(fmt.Sprintf("scale-%s-%d", row.key, n), oursBody)
			if err != nil {
				return err
			}
			floorDir, err := b.noopWorkDir(fmt.Sprintf("scale-%s-%d-floor", row.key, n), floorBody)
			if err != nil {
				return err
			}
			if row.query {
				for dir, body := range map[string]string{oursDir: row.ours, floorDir: row.floor} {
					if err := os.WriteFile(filepath.Join(dir, "bench.tfquery.hcl"), []byte(fmt.Sprintf(body, n)), 0o644); err != nil {
						return err
					}
				}
			}
			oursEnv := b.tfEnv(filepath.Join(b.tmp, "cli.tfrc"), sb)
			floorEnv := append(b.tfEnv(filepath.Join(b.tmp, "cli.tfrc"), nil), fmt.Sprintf("BENCH_NOOP_LINKS=%d", n))
			for run := 1; run <= b.cfg.scaleRuns; run++ {
				order := []bool{true, false} // ours first in odd runs
				if run%2 == 0 {
					order = []bool{false, true}
				}
				for _, ours := range order {
					dir, env := floorDir, floorEnv
					if ours {
						dir, env = oursDir, oursEnv
					}
					r, err := b.terraform(ctx, dir, env, args...)
					if err != nil {
						return err
					}
					if row.check != nil {
						logs, _ := filepath.Glob(filepath.Join(dir, "*-"+args[0]+".log"))
						if len(logs) == 0 {
							return fmt.Errorf("no plan log in %s", dir)
						}
						if err := row.check(mustRead(logs[len(logs)-1]), n); err != nil {
							return fmt.Errorf("%s, N=%d: %w; see %s", row.key, n, err, dir)
						}
					}
					if ours {
						cell.Ours, cell.OursCPU = append(cell.Ours, r.wall.Seconds()), append(cell.OursCPU, r.cpu)
					} else {
						cell.Floor, cell.FloorCPU = append(cell.Floor, r.wall.Seconds()), append(cell.FloorCPU, r.cpu)
					}
				}
				if err := b.checkpointScale(); err != nil {
					return err
				}
				b.logf("scale %s %-10s N=%-5d run %d: albato %.2f s (%.2f CPU-s), floor %.2f s (%.2f CPU-s)", c.Label, row.key, n, run,
					cell.Ours[len(cell.Ours)-1], cell.OursCPU[len(cell.OursCPU)-1], cell.Floor[len(cell.Floor)-1], cell.FloorCPU[len(cell.FloorCPU)-1])
			}
		}
	}
	return nil
}

// scaleResources applies N resources from an empty state and account, then
// plans them with no changes, for albato and noop_link (the true floor).
func (b *bench) scaleResources(ctx context.Context, c *scaleCLI) error {
	sb, err := b.startSandbox(ctx, "scale-resource-sandbox", benchPageSize, b.cfg.latency, true)
	if err != nil {
		return err
	}
	defer sb.stop()
	savedAPI, savedAPIs := b.api, b.apis
	b.api, b.apis = sb, map[string]*sandboxProc{kindOurs: sb}
	defer func() { b.api, b.apis = savedAPI, savedAPIs }()
	var rows []scaleRow
	for _, row := range scaleRows {
		if row.resource {
			rows = append(rows, row)
		}
	}
	for _, n := range b.cfg.scaleResourceNs {
		for run := 1; run <= b.cfg.scaleResourceRuns; run++ {
			kinds := []string{kindOurs, kindNoop}
			if run%2 == 0 {
				kinds = []string{kindNoop, kindOurs}
			}
			for _, kind := range kinds {
				dir, err := b.workDir(kind, n, fmt.Sprintf("scale-%s-%d", kind, n))
				if err != nil {
					return err
				}
				for _, row := range rows {
					m, err := b.measureOp(ctx, dir, kind, row.op, n, run)
					if err != nil {
						return err
					}
					cell := c.cell(row, n)
					if kind == kindOurs {
						cell.Ours, cell.OursCPU = append(cell.Ours, m.Wall), append(cell.OursCPU, m.TerraformCPU)
					} else {
						cell.Floor, cell.FloorCPU = append(cell.Floor, m.Wall), append(cell.FloorCPU, m.TerraformCPU)
					}
					if err := b.checkpointScale(); err != nil {
						return err
					}
					b.logf("scale %s %-6s N=%-5d run %d %-6s %.2f s (%.2f CPU-s)", c.Label, row.op, n, run, kind, m.Wall, m.TerraformCPU)
				}
			}
		}
	}
	return nil
}

// noopWorkDir writes a configuration of the no-op provider.
func (b *bench) noopWorkDir(name, body string) (string, error) {
	dir := filepath.Join(b.tmp, "work", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cfg := "terraform {\n  required_providers {\n    noop = { source = \"bench/noop\" }\n  }\n}\n\n" + body
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644)
}

// growth fits time ∝ N^k by least squares on log N, log t (the medians);
// NaN with fewer than two points.
func growth(ns []int, ts []float64) float64 {
	var xs, ys []float64
	for i, n := range ns {
		if i < len(ts) && ts[i] > 0 && !math.IsNaN(ts[i]) {
			xs, ys = append(xs, math.Log(float64(n))), append(ys, math.Log(ts[i]))
		}
	}
	if len(xs) < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i], my+ys[i]
	}
	mx, my = mx/float64(len(xs)), my/float64(len(ys))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	return sxy / sxx
}

// Targets of the scale section.
const (
	targetScaleK       = 1.15
	targetScalePlanN   = 10000
	targetScalePlanS   = 10.0
	targetScalePlanRow = "ds-ids"
)

const (
	scaleBegin = "<!-- scale section: BENCH_SCALE_ONLY=1 make bench regenerates it alone -->"
	scaleEnd   = "<!-- end of the scale section -->"
)

func fmtK(k float64) string {
	if math.IsNaN(k) {
		return "–"
	}
	return fmt.Sprintf("%.2f", k)
}

func fmtSec(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", median(xs))
}

// growthNote judges a row's k against the target, beside the floor's.
func growthNote(ours, floor float64) string {
	switch {
	case math.IsNaN(ours):
		return "–"
	case ours <= targetScaleK:
		return "k ≤ 1.15"
	case floor > targetScaleK && ours <= floor+0.05:
		return "the CLI's own growth (the floor's k is as high)"
	}
	return "**superlinear**"
}

// reportScale writes the scale section.
func (b *bench) reportScale(w *strings.Builder, scale []*scaleCLI) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	cfg := b.cfg
	p("%s\n\n## Scale: cost against N on each CLI\n\n", scaleBegin)
	p("Generated on %s. Each row's configuration is measured against the no-op floor of the same shape on the same CLI "+
		"(`bench/noop-provider`: `noop_links` has `albato_connection_links`'s schema and returns N links made up in memory, "+
		"`noop_link`'s list resource likewise; `noop_link` is the resource's true floor, as above). The lists: a sandbox "+
		"(`-page-size %d -latency %s`) holding N links, seeded through the API, `terraform plan` with refresh. The resources: "+
		"apply of N from an empty state and account, then a plan with no changes, `-parallelism=%d`, same sandbox settings. "+
		"N×r in the table: r runs, the medians reported. k is the least-squares slope of log(seconds) on log(N) over the "+
		"medians: time ∝ N^k. Settings: `BENCH_SCALE_NS` (default `1000 5000 10000`), `BENCH_SCALE_RESOURCE_NS` "+
		"(`500 2000 5000`), `BENCH_SCALE_RUNS` (3), `BENCH_SCALE_RESOURCE_RUNS` (1), `BENCH_SCALE_CLIS` (paths, default the "+
		"CLI measured), `BENCH_SCALE_PARTS` (`data`, `resource`), `BENCH_SCALE_ROWS`, `BENCH_SCALE=0` to skip the section, "+
		"`BENCH_SCALE_ONLY=1` to run only it and replace it in `BENCH_OUT`, keeping the cells of earlier runs it did not "+
		"measure (from `BENCH_OUT.scale.json`).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), benchPageSize, cfg.latency, cfg.parallelism)

	p("What this section guards. Until December 2026 every item of `albato_connection_links`' `links` carried two sensitive " +
		"attributes, `token` and `link`, and every CLI tracks each as a path of its own, at a cost that grew faster than the list: " +
		"on this machine a plan over 2,000 links took 55.0 s on Terraform 1.16.4 with the list not referenced and 44.7 s on 1.16.4 " +
		"(33.3 s on OpenTofu 1.12.6) with an output over `credential_id`; on 1.5.7 an expression over 400 links took 16.2 s and grew as " +
		"links^2. The items now hold no secret; the secrets are in two sensitive maps by id behind `include_secrets`, one sensitive " +
		"value each whatever their size, and `TestProviderSchemas_noSensitiveAttributePerElement` fails on any schema that puts a " +
		"sensitive attribute in each element of a collection. The provider also builds the items as values instead of converting " +
		"structs (the framework re-parsed every item's struct tags: half the provider's CPU for 10,000 links).\n\n")
	if note := strings.TrimSpace(os.Getenv("BENCH_SCALE_NOTE")); note != "" {
		p("Conditions, as the person who ran it tells (`BENCH_SCALE_NOTE`): %s\n\n", note)
	}
	p("| CLI | run: started (UTC), load average (1, 5, 15 min) at the start; at its last cell | wall to its last cell | cells kept from earlier runs |\n|---|---|---:|---|\n")
	for _, c := range scale {
		wall := "–"
		if !c.Finished.IsZero() {
			wall = c.Finished.Sub(c.Started).Round(time.Second).String()
		}
		p("| %s | %s | %s | %s |\n", c.Label, c.runText(), wall, strings.Join(c.Earlier, ", "))
	}

	p("\n### Growth\n\nSeconds are medians: wall, then CPU (the CLI and its providers, from `wait4`; not the sandbox). " +
		"k is fitted on each; a busy machine stretches the wall far more than the CPU.\n\n")
	p("| CLI | row | N | albato (s) | floor (s) | albato / floor | albato CPU-s | floor CPU-s | k wall: albato, floor | k CPU: albato, floor | |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range scale {
		for _, row := range scaleRows {
			ns := cfg.scaleNs
			if row.resource {
				ns = cfg.scaleResourceNs
			}
			ns = c.cellNs(row, ns)
			var med [4][]float64 // ours, floor, ours CPU, floor CPU
			var cols [6][]string
			measured := false
			for _, n := range ns {
				cell := c.Cells[fmt.Sprintf("%s/%d", row.key, n)]
				if cell == nil {
					for i := range med {
						med[i] = append(med[i], math.NaN())
					}
					continue
				}
				measured = true
				for i, xs := range [][]float64{cell.Ours, cell.Floor, cell.OursCPU, cell.FloorCPU} {
					med[i] = append(med[i], median(xs))
				}
				cols[0] = append(cols[0], fmt.Sprintf("%d×%d", n, len(cell.Ours)))
				cols[1] = append(cols[1], fmtSec(cell.Ours))
				cols[2] = append(cols[2], fmtSec(cell.Floor))
				ratio := "–"
				if len(cell.Ours) > 0 && len(cell.Floor) > 0 {
					ratio = fmt.Sprintf("%.2f", median(cell.Ours)/median(cell.Floor))
				}
				cols[3] = append(cols[3], ratio)
				cols[4] = append(cols[4], fmtSec(cell.OursCPU))
				cols[5] = append(cols[5], fmtSec(cell.FloorCPU))
			}
			if !measured {
				why := c.Skipped[row.key]
				if row.skip != nil {
					why = row.skip(b, c.Label) // as of this build, which the report is about
				}
				if why != "" {
					p("| %s | %s | not run: %s | | | | | | | | |\n", c.Label, row.what, why)
				}
				continue
			}
			var k [4]float64
			for i := range k {
				k[i] = growth(ns, med[i])
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s, %s | %s, %s | %s |\n", c.Label, row.what, strings.Join(cols[0], ", "),
				strings.Join(cols[1], ", "), strings.Join(cols[2], ", "), strings.Join(cols[3], ", "), strings.Join(cols[4], ", "),
				strings.Join(cols[5], ", "), fmtK(k[0]), fmtK(k[1]), fmtK(k[2]), fmtK(k[3]),
				"wall: "+growthNote(k[0], k[1])+"; CPU: "+growthNote(k[2], k[3]))
		}
	}

	p("\n### Target: a plan reading %d links with an output over every `credential_id` in at most %.0f s\n\n", targetScalePlanN, targetScalePlanS)
	p("| CLI | albato (s, median) | runs | floor (s) | albato CPU-s | floor CPU-s | albato CPU-s / wall | |\n|---|---:|---|---:|---:|---:|---:|---|\n")
	for _, c := range scale {
		cell := c.Cells[fmt.Sprintf("%s/%d", targetScalePlanRow, targetScalePlanN)]
		if cell == nil {
			p("| %s | not measured | | | | | | |\n", c.Label)
			continue
		}
		p("| %s | %.2f | %s | %.2f | %.2f | %.2f | %.0f%% | %s |\n", c.Label, median(cell.Ours), floats(cell.Ours), median(cell.Floor),
			median(cell.OursCPU), median(cell.FloorCPU), 100*median(cell.OursCPU)/median(cell.Ours),
			plainVerdict(median(cell.Ours) <= targetScalePlanS))
	}
	p("\nOn a machine busier than its cores (the load averages above against %d cores), most of the wall is waiting for a CPU: "+
		"the CPU columns, and the ratio to the floor measured side by side, are then the figures to compare.\n", b.machine.Cores)
	p("\n%s\n", scaleEnd)
}

// spliceScale replaces the scale section of the report at path (or appends
// it) with the one just measured, leaving the rest as it was generated.
func spliceScale(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if i := strings.Index(text, scaleBegin); i >= 0 {
		if j := strings.Index(text[i:], scaleEnd); j >= 0 {
			text = text[:i] + section + strings.TrimPrefix(text[i+j+len(scaleEnd):], "\n")
			return os.WriteFile(path, []byte(text), 0o644)
		}
	}
	if text != "" && !strings.HasSuffix(text, "\n\n") {
		text = strings.TrimRight(text, "\n") + "\n\n"
	}
	return os.WriteFile(path, []byte(text+section), 0o644)
}
