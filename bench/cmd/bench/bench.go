package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const benchToken = "bench-token"

// Kinds of resources measured side by side.
const (
	// kindOurs is albato_connection_link against the sandbox at the first
	// latency; oursAt names the others ("albato@100ms").
	kindOurs = "albato"
	// kindNoop is the true floor: noop_link, albato_connection_link's
	// attribute shape, with the provider's logging settings (off unless
	// asked). Terraform + the plugin protocol.
	kindNoop = "noop"
	// kindNoopMinTrace is the floor of earlier reports, for reference: a
	// minimal schema (an id and a triggers map) with the loggers at TRACE,
	// the framework's default.
	kindNoopMinTrace = "noop-min-trace"
	// kindData is terraform_data: the CLI alone.
	kindData = "data"
)

// schemaVariants are the no-op provider's variants of noop_link
// (BENCH_SCHEMA_VARIANTS=1): kind -> resource type.
var schemaVariants = map[string]string{
	"noop-nosensitive": "noop_link_nosensitive",
	"noop-noderived":   "noop_link_noderived",
	"noop-nulltoken":   "noop_link_nulltoken",
}

// variantKinds are the keys of schemaVariants, in report order.
var variantKinds = []string{"noop-nosensitive", "noop-noderived", "noop-nulltoken"}

// oursAt is the kind of albato runs at a latency.
func (b *bench) oursAt(lat time.Duration) string {
	if lat == b.cfg.latency {
		return kindOurs
	}
	return kindOurs + "@" + lat.String()
}

// isOurs is whether a kind runs the albato provider against a sandbox.
func isOurs(kind string) bool {
	return kind == kindOurs || kind == kindTrace || strings.HasPrefix(kind, kindOurs+"@")
}

// kinds are the kinds measured for every N, in the order they take turns.
func (b *bench) kinds() []string {
	var ks []string
	for _, lat := range b.cfg.latencies {
		ks = append(ks, b.oursAt(lat))
	}
	ks = append(ks, kindNoop, kindNoopMinTrace, kindData)
	if b.cfg.variants {
		ks = append(ks, variantKinds...)
	}
	return ks
}

// kindTrace is an experiment, at the N the targets are judged at: the
// albato provider's no-change plan again, with the provider's logging on as
// the framework has it by default (TF_LOG_SDK=trace in its environment, so
// that main.go's QuietLogsUnlessAsked leaves every logger at TRACE). With
// TF_LOG unset Terraform discards every log line a provider writes; the
// experiment shows what formatting them would cost.
const kindTrace = "albato-trace"

// traceEnv keeps the provider's loggers at TRACE; Terraform does not read
// TF_LOG_SDK itself.
var traceEnv = []string{"TF_LOG_SDK=trace"}

// Operations, in the order they run on one working directory.
var ops = []string{"apply", "plan", "destroy"}

type bench struct {
	cfg      config
	repo     string
	tmp      string
	started  time.Time
	finished time.Time
	machine  machine

	binDir, shimDir, profDir string
	api                      *sandboxProc            // the sandbox at the first latency
	apis                     map[string]*sandboxProc // kind of ours -> its sandbox

	seq        int // commands run, for log names
	results    []measurement
	profile    *profileResult
	list       *listResult
	goBench    []goBenchLine
	scale      []*scaleCLI
	scaleOut   string // the report a BENCH_SCALE_ONLY run checkpoints into
	goBenchErr string
}

// measurement is one terraform command.
type measurement struct {
	N, Run   int
	Kind, Op string
	Wall     float64 // seconds
	// TerraformCPU is the CPU time of the terraform process and every
	// process it waited for (providers included), from wait4.
	TerraformCPU float64
	// Providers are the provider processes Terraform started (ours and the
	// no-op provider only), from the rusage shim.
	Providers []shimRecord
	// SandboxCPU is the sandbox's CPU time during the command.
	SandboxCPU float64
	// Requests counts the API requests by method (ours only).
	Requests map[string]int
	// Conns is how many TCP connections were opened to the API (ours only).
	Conns int
}

// shimRecord is one line of the rusage shim's log.
type shimRecord struct {
	Name      string  `json:"name"`
	PID       int     `json:"pid"`
	MaxRSSKiB int64   `json:"maxRssKiB"`
	UserSec   float64 `json:"userSec"`
	SysSec    float64 `json:"sysSec"`
	WallSec   float64 `json:"wallSec"`
	Exit      int     `json:"exit"`
}

// providerPeakRSS is the largest peak RSS among the provider processes, in
// MB (10^6 bytes, as the target is stated).
func (m measurement) providerPeakRSS() float64 {
	var peak int64
	for _, p := range m.Providers {
		peak = max(peak, p.MaxRSSKiB)
	}
	return float64(peak) * 1024 / 1e6
}

// providerCPU is the CPU time of all provider processes, in seconds.
func (m measurement) providerCPU() float64 {
	var s float64
	for _, p := range m.Providers {
		s += p.UserSec + p.SysSec
	}
	return s
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// sandboxProc is a running albato-sandbox.
type sandboxProc struct {
	cmd     *exec.Cmd
	url     string
	port    int
	control bool
	done    chan struct{}
	client  *http.Client
}

func (b *bench) startSandbox(ctx context.Context, name string, pageSize int, latency time.Duration, control bool) (*sandboxProc, error) {
	addrFile := filepath.Join(b.tmp, name+".addr")
	_ = os.Remove(addrFile) // a sandbox of the same name may have run before (the scale section, per CLI)
	args := []string{"-addr", "127.0.0.1:0", "-addr-file", addrFile, "-quiet", "-token", benchToken,
		"-page-size", fmt.Sprint(pageSize), "-max-per-page", fmt.Sprint(pageSize), "-latency", latency.String()}
	if control {
		args = append(args, "-control")
	}
	logFile, err := os.Create(filepath.Join(b.tmp, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(b.binDir, "albato-sandbox"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sp := &sandboxProc{cmd: cmd, control: control, done: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second}}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(sp.done)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if data, err := os.ReadFile(addrFile); err == nil && strings.HasSuffix(string(data), "\n") {
			addr := strings.TrimSpace(string(data))
			sp.url = "http://" + addr
			_, _ = fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &sp.port)
			break
		}
		select {
		case <-sp.done:
			return nil, fmt.Errorf("the sandbox exited at start; see %s.log", name)
		case <-ctx.Done():
			sp.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			sp.stop()
			return nil, errors.New("the sandbox did not start within 20 s")
		}
	}
	return sp, nil
}

// stop ends the sandbox (SIGTERM, then SIGKILL); it may be called twice.
func (sp *sandboxProc) stop() {
	if sp == nil || sp.cmd.Process == nil {
		return
	}
	select {
	case <-sp.done:
		return
	default:
	}
	_ = sp.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-sp.done:
	case <-time.After(5 * time.Second):
		_ = sp.cmd.Process.Kill()
		<-sp.done
	}
}

func (sp *sandboxProc) pid() int { return sp.cmd.Process.Pid }

// resetRequests empties the sandbox's request log.
func (sp *sandboxProc) resetRequests(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, sp.url+"/_sandbox/requests", nil)
	resp, err := sp.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return nil
}

// requestCounts returns the API requests logged since the last reset, by method.
func (sp *sandboxProc) requestCounts(ctx context.Context) (map[string]int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sp.url+"/_sandbox/requests", nil)
	resp, err := sp.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Counts map[string]int `json:"counts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("reading the sandbox's request counts: %w", err)
	}
	return body.Counts, nil
}

// clearSharings removes every record from the sandbox, so that the account
// an apply starts from holds nothing but what it creates: DESIGN.md's
// request counts are for "N links in an account of N", and the revoked
// links of earlier runs would add list pages.
func (sp *sandboxProc) clearSharings(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sp.url+"/_sandbox/sharings", nil)
	resp, err := sp.client.Do(req)
	if err != nil {
		return err
	}
	var body struct {
		Sharings []struct {
			ID int64 `json:"id"`
		} `json:"sharings"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("reading the sandbox's sharings: %w", err)
	}
	for _, r := range body.Sharings {
		req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, fmt.Sprintf("%s/_sandbox/sharings/%d", sp.url, r.ID), nil)
		resp, err := sp.client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	return nil
}

// workDir writes the configuration of n resources of a kind.
func (b *bench) workDir(kind string, n int, name string) (string, error) {
	dir := filepath.Join(b.tmp, "work", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		_ = os.Remove(filepath.Join(dir, f))
	}
	var cfg string
	switch {
	case isOurs(kind):
		cfg = fmt.Sprintf(`terraform {
  required_providers {
    albato = { source = "albato/albato" }
  }
}

provider "albato" {}

resource "albato_connection_link" "bench" {
  count      = %d
  partner_id = 225
  title      = "bench link ${count.index}"
}
`, n)
	case kind == kindNoopMinTrace:
		cfg = fmt.Sprintf(`terraform {
  required_providers {
    noop = { source = "bench/noop" }
  }
}

resource "noop_minimal" "bench" {
  count    = %d
  triggers = { title = "bench link ${count.index}" }
}
`, n)
	case kind == kindNoop || schemaVariants[kind] != "":
		typ := "noop_link"
		if v := schemaVariants[kind]; v != "" {
			typ = v
		}
		cfg = fmt.Sprintf(`terraform {
  required_providers {
    noop = { source = "bench/noop" }
  }
}

resource %q "bench" {
  count      = %d
  partner_id = 225
  title      = "bench link ${count.index}"
}
`, typ, n)
	case kind == kindData:
		cfg = fmt.Sprintf(`resource "terraform_data" "bench" {
  count = %d
  input = "bench link ${count.index}"
}
`, n)
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644)
}

// tfEnv is the environment of every terraform command: dev_overrides, no
// update check, no prompts, and the API of api (if any).
func (b *bench) tfEnv(cliConfig string, api *sandboxProc) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "ALBATO_") || strings.HasPrefix(k, "BENCH_") {
			continue // nothing from the caller's shell changes what is measured
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"BENCH_SHIM_REAL_DIR="+b.binDir,
		"ALBATO_TOKEN="+benchToken,
	)
	if api != nil {
		env = append(env, "ALBATO_API_URL="+api.url, "ALBATO_CONNECT_URL="+api.url+"/connect")
	}
	return env
}

// tfArgs are the arguments of an operation.
func (b *bench) tfArgs(op string) []string {
	par := fmt.Sprintf("-parallelism=%d", b.cfg.parallelism)
	switch op {
	case "apply":
		return []string{"apply", "-auto-approve", "-input=false", "-no-color", par}
	case "plan":
		return []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}
	case "destroy":
		// With refresh, as `terraform destroy` runs by default: N GETs, then N DELETEs.
		return []string{"destroy", "-auto-approve", "-input=false", "-no-color", par}
	}
	panic("unknown op " + op)
}

// tfResult is one finished terraform command.
type tfResult struct {
	wall      time.Duration
	cpu       float64
	providers []shimRecord
}

// terraform runs one command in dir and measures it.
func (b *bench) terraform(ctx context.Context, dir string, env []string, args ...string) (tfResult, error) {
	b.seq++
	logPath := filepath.Join(dir, fmt.Sprintf("%03d-%s.log", b.seq, args[0]))
	shimLog := filepath.Join(b.tmp, "shim", fmt.Sprintf("rusage-%03d.jsonl", b.seq))
	logFile, err := os.Create(logPath)
	if err != nil {
		return tfResult{}, err
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.cfg.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(env, "BENCH_SHIM_LOG="+shimLog)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // let Terraform release its lock
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	res := tfResult{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		res.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	res.providers = readShimLog(shimLog)
	if runErr != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, runErr, tail(logPath, 30))
	}
	return res, nil
}

func readShimLog(path string) []shimRecord {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []shimRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r shimRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// benchPageSize is the sandbox's page for the resource benchmarks: the
// largest the API family accepts, which the provider asks for.
const benchPageSize = 50

// refreshRequests is what a refresh of n links in an account of n sends
// (DESIGN.md, "When a request is sent"): a GET each until the GETs reach
// the account's pages, page 1 to count them, then the other pages; a GET
// each when that is fewer.
func refreshRequests(n int) int {
	pages := (n + benchPageSize - 1) / benchPageSize
	if n <= 1 {
		return n
	}
	return min(n, min(n, pages)+pages)
}

// expectedRequests is what DESIGN.md says an operation on n links sends.
func expectedRequests(op string, n int) map[string]int {
	switch op {
	case "apply":
		return map[string]int{"POST": n, "GET": n}
	case "plan":
		return map[string]int{"GET": refreshRequests(n)}
	default: // destroy, with refresh
		return map[string]int{"GET": refreshRequests(n), "DELETE": n}
	}
}

// requestsPerOp is the network floor's request count of an operation.
func requestsPerOp(op string, n int) int {
	total := 0
	for _, c := range expectedRequests(op, n) {
		total += c
	}
	return total
}

// networkFloor is requests x latency / parallelism at the first latency,
// in seconds.
func (b *bench) networkFloor(op string, n int) float64 {
	return b.networkFloorAt(op, n, b.cfg.latency)
}

func (b *bench) networkFloorAt(op string, n int, lat time.Duration) float64 {
	return float64(requestsPerOp(op, n)) * lat.Seconds() / float64(b.cfg.parallelism)
}

// measureOp runs one operation of one kind and records it.
func (b *bench) measureOp(ctx context.Context, dir, kind, op string, n, run int) (measurement, error) {
	m := measurement{N: n, Run: run, Kind: kind, Op: op}
	var api *sandboxProc
	ours := isOurs(kind)
	if ours {
		api = b.api
		if sb := b.apis[kind]; sb != nil {
			api = sb
		}
		if op == "apply" {
			if err := api.clearSharings(ctx); err != nil {
				return m, err
			}
		}
		if err := api.resetRequests(ctx); err != nil {
			return m, err
		}
	}
	sbProc := b.api
	if api != nil {
		sbProc = api
	}
	sbBefore := processCPU(sbProc.pid())
	var conns *connWatcher
	if ours {
		conns = watchConns(api.port)
	}
	env := b.tfEnv(filepath.Join(b.tmp, "cli.tfrc"), api)
	if kind == kindTrace || kind == kindNoopMinTrace {
		env = append(env, traceEnv...)
	}
	res, err := b.terraform(ctx, dir, env, b.tfArgs(op)...)
	if conns != nil {
		m.Conns = conns.stop()
	}
	if err != nil {
		return m, err
	}
	m.Wall, m.TerraformCPU, m.Providers = res.wall.Seconds(), res.cpu, res.providers
	m.SandboxCPU = processCPU(sbProc.pid()) - sbBefore
	if ours {
		counts, err := api.requestCounts(ctx)
		if err != nil {
			return m, err
		}
		m.Requests = counts
		if want := expectedRequests(op, n); !maps.Equal(counts, want) {
			b.logf("WARNING: %s of %d links sent %v, DESIGN.md says %v", op, n, counts, want)
		}
	}
	return m, nil
}

// resourceBench runs apply, plan and destroy for every N, kind and run,
// the kinds taking turns so that a noisy moment hits them alike.
func (b *bench) resourceBench(ctx context.Context) error {
	kinds := b.kinds()
	total := 0
	for _, n := range b.cfg.ns {
		total += b.cfg.runsFor(n) * len(kinds) * len(ops)
	}
	quietN := b.targetN(targetRatioN)
	total += b.cfg.runsFor(quietN)
	b.logf("warming up (an apply and a destroy of 10 resources of each kind, not measured)")
	for _, kind := range kinds {
		dir, err := b.workDir(kind, 10, "warmup-"+kind)
		if err != nil {
			return err
		}
		for _, op := range []string{"apply", "destroy"} {
			if _, err := b.measureOp(ctx, dir, kind, op, 10, 0); err != nil {
				return err
			}
		}
	}
	done := 0
	for _, n := range b.cfg.ns {
		runs := b.cfg.runsFor(n)
		for run := 1; run <= runs; run++ {
			for i := range kinds {
				kind := kinds[(i+run-1)%len(kinds)]
				dir, err := b.workDir(kind, n, fmt.Sprintf("%s-%d", kind, n))
				if err != nil {
					return err
				}
				var steps [][2]string // kind, op
				for _, op := range ops {
					quiet := kind == kindOurs && op == "plan" && n == quietN
					if quiet && run%2 == 0 { // the two plans take turns going first
						steps = append(steps, [2]string{kindTrace, "plan"})
					}
					steps = append(steps, [2]string{kind, op})
					if quiet && run%2 == 1 {
						steps = append(steps, [2]string{kindTrace, "plan"})
					}
				}
				for _, st := range steps {
					m, err := b.measureOp(ctx, dir, st[0], st[1], n, run)
					if err != nil {
						return err
					}
					done++
					b.results = append(b.results, m)
					extra := ""
					if st[0] != kindData {
						extra = fmt.Sprintf(", provider %.1f CPU-s, peak RSS %.0f MB", m.providerCPU(), m.providerPeakRSS())
					}
					if isOurs(st[0]) {
						extra += fmt.Sprintf(", %d TCP connections", m.Conns)
					}
					b.logf("[%3d/%d] N=%d run %d/%d %-16s %-7s %6.1f s (terraform %.1f CPU-s%s)",
						done, total, n, run, runs, st[0], st[1], m.Wall, terraformOwnCPU(m), extra)
				}
			}
		}
	}
	return nil
}
