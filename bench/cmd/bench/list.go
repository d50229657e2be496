package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// listResult is the list benchmark: ListAllSharings over items sharings in
// pages of pageSize, each request answered after the latency.
type listResult struct {
	Items, PageSize, Pages int
	Latency                time.Duration
	Seed                   time.Duration
	// Client is ListAllSharings against the sandbox, per run.
	Client []float64
	// Static is ListAllSharings against pages served from memory after the
	// same latency: the client alone, without the sandbox's own cost.
	Static []float64
	// Sequential is the same pages read one after the other (ListSharings
	// 1..totalPages), once, against the sandbox.
	Sequential float64
	// SandboxPageMs is the sandbox's CPU time per list page.
	SandboxPageMs float64
	// TerraformList is terraform plan reading data.albato_connection_links,
	// per run; TerraformOne reads one link (data.albato_connection_link).
	TerraformList, TerraformOne []float64
	// ListProviderRSS is the provider's peak RSS while it lists, in MB.
	ListProviderRSS float64
	// Referenced is terraform plan with an output that takes the length of
	// a filtered part of the list.
	Referenced []referenced
}

type referenced struct {
	Links int
	// Base is the plan without the output, Seconds with it.
	Base, Seconds float64
}

// seedPartner is the partner of the i-th seeded sharing: one in 50 is
// partner 226, one in 25 partner 227, the rest 225; so that a partner_id
// filter picks 2% or 4% of the list.
func seedPartner(i int) int {
	switch {
	case i%50 == 0:
		return 226
	case i%25 == 1:
		return 227
	}
	return 225
}

type seedFilter struct{ partner, count int }

func seedFilters(items int) []seedFilter {
	counts := map[int]int{}
	for i := range items {
		counts[seedPartner(i)]++
	}
	return []seedFilter{{226, counts[226]}, {227, counts[227]}}
}

func (b *bench) listBench(ctx context.Context) error {
	cfg := b.cfg
	res := &listResult{Items: cfg.listItems, PageSize: cfg.listPageSize, Latency: cfg.latency,
		Pages: (cfg.listItems + cfg.listPageSize - 1) / cfg.listPageSize}
	b.logf("list benchmark: %d sharings in %d pages of %d, %s per request", res.Items, res.Pages, res.PageSize, res.Latency)
	sb, err := b.startSandbox(ctx, "list-sandbox", cfg.listPageSize, cfg.latency, false)
	if err != nil {
		return err
	}
	defer sb.stop()

	start := time.Now()
	if err := seed(ctx, sb.url, cfg.listItems); err != nil {
		return err
	}
	res.Seed = time.Since(start)
	b.logf("seeded %d sharings through the API in %s", cfg.listItems, res.Seed.Round(time.Millisecond))

	cpuBefore := processCPU(sb.pid())
	viaSandbox, err := b.runLister(ctx, sb.url, cfg.listRuns, cfg.listItems, false)
	if err != nil {
		return err
	}
	res.Client = viaSandbox.All
	res.SandboxPageMs = (processCPU(sb.pid()) - cpuBefore) * 1000 / float64(cfg.listRuns*res.Pages)
	for run, d := range res.Client {
		b.logf("list via the client, run %d: %.2f s", run+1, d)
	}

	// The same pages from memory: what the client achieves when the server
	// costs nothing but the latency.
	static, err := serveStatic(cfg.listItems, cfg.listPageSize, cfg.latency)
	if err != nil {
		return err
	}
	defer static.Close()
	fromMemory, err := b.runLister(ctx, "http://"+static.Addr, cfg.listRuns, cfg.listItems, false)
	if err != nil {
		return err
	}
	res.Static = fromMemory.All
	for run, d := range res.Static {
		b.logf("list via the client from a static page server, run %d: %.2f s", run+1, d)
	}

	seq, err := b.runLister(ctx, sb.url, 0, cfg.listItems, true)
	if err != nil {
		return err
	}
	res.Sequential = seq.Sequential
	b.logf("the same %d pages read one after the other: %.2f s", seq.Pages, res.Sequential)

	// Through Terraform: a plan that reads the whole list (not referenced
	// anywhere), against one that reads a single link.
	listDir, err := b.listWorkDir("list", "data \"albato_connection_links\" \"all\" {}\n")
	if err != nil {
		return err
	}
	if seq.FirstID == 0 {
		return errors.New("the list's first page holds no sharing")
	}
	oneDir, err := b.listWorkDir("list-one", fmt.Sprintf("data \"albato_connection_link\" \"one\" {\n  id = \"%d\"\n}\n", seq.FirstID))
	if err != nil {
		return err
	}
	env := b.tfEnv(filepath.Join(b.tmp, "cli.tfrc"), sb)
	args := []string{"plan", "-input=false", "-no-color"}
	for run := 1; run <= cfg.listRuns; run++ {
		r, err := b.terraform(ctx, listDir, env, args...)
		if err != nil {
			return err
		}
		res.TerraformList = append(res.TerraformList, r.wall.Seconds())
		m := measurement{Providers: r.providers}
		res.ListProviderRSS = max(res.ListProviderRSS, m.providerPeakRSS())
		r, err = b.terraform(ctx, oneDir, env, args...)
		if err != nil {
			return err
		}
		res.TerraformOne = append(res.TerraformOne, r.wall.Seconds())
		b.logf("terraform plan reading the list data source, run %d: %.2f s (one link: %.2f s)", run,
			res.TerraformList[len(res.TerraformList)-1], r.wall.Seconds())
	}

	// Referencing the list in an expression: the partners were seeded so
	// that a filter returns a known share of the list. Each filter is
	// planned without and with an output over what it returns.
	for _, f := range seedFilters(cfg.listItems) {
		ds := fmt.Sprintf("data \"albato_connection_links\" \"some\" {\n  partner_id = %d\n}\n", f.partner)
		ref := referenced{Links: f.count}
		for _, withOutput := range []bool{false, true} {
			body, name := ds, fmt.Sprintf("list-%d", f.partner)
			if withOutput {
				body += "\noutput \"links\" {\n  value = length(data.albato_connection_links.some.links)\n}\n"
				name += "-ref"
			}
			dir, err := b.listWorkDir(name, body)
			if err != nil {
				return err
			}
			r, err := b.terraform(ctx, dir, env, args...)
			if err != nil {
				return err
			}
			if !withOutput {
				ref.Base = r.wall.Seconds()
				continue
			}
			logs, _ := filepath.Glob(filepath.Join(dir, "*-plan.log"))
			if want := fmt.Sprintf("links = %d", f.count); len(logs) == 0 || !strings.Contains(mustRead(logs[len(logs)-1]), want) {
				return fmt.Errorf("the plan does not show %q; see %s", want, dir)
			}
			ref.Seconds = r.wall.Seconds()
		}
		res.Referenced = append(res.Referenced, ref)
		b.logf("terraform plan of partner_id %d (%d links): %.2f s, with an output of length(links): %.2f s", f.partner, f.count, ref.Base, ref.Seconds)
	}
	b.list = res
	return nil
}

func (b *bench) listWorkDir(name, body string) (string, error) {
	dir := filepath.Join(b.tmp, "work", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cfg := "terraform {\n  required_providers {\n    albato = { source = \"albato/albato\" }\n  }\n}\n\nprovider \"albato\" {}\n\n" + body
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644)
}

func mustRead(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// listerResult is what bench/inroot/lister prints.
type listerResult struct {
	All        []float64 `json:"all"`
	Sequential float64   `json:"sequential"`
	Pages      int       `json:"pages"`
	FirstID    int64     `json:"firstID"`
}

// runLister times the API client's list calls against url: runs
// ListAllSharings, each expected to return want sharings, and with
// sequential every page once, one after the other.
func (b *bench) runLister(ctx context.Context, url string, runs, want int, sequential bool) (listerResult, error) {
	var res listerResult
	cmd := exec.CommandContext(ctx, filepath.Join(b.binDir, "lister"), "-url", url, "-token", benchToken,
		"-runs", fmt.Sprint(runs), "-want", fmt.Sprint(want), fmt.Sprintf("-sequential=%t", sequential))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return res, fmt.Errorf("lister: %w\n%s", err, stderr.String())
	}
	return res, json.Unmarshal(out, &res)
}

// seed creates n sharings through the API, 64 at a time.
func seed(ctx context.Context, baseURL string, n int) error {
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				body := fmt.Sprintf(`{"partnerId":%d,"title":"list bench %d"}`, seedPartner(int(i)), i)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/credentials/grant-access-sharing", strings.NewReader(body))
				req.Header.Set("Authorization", "Basic "+benchToken)
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err == nil {
					var buf bytes.Buffer
					_, _ = buf.ReadFrom(resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, buf.String())
					}
				}
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("seeding sharing %d: %w", i, err) })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// staticServer serves a list of sharings from memory, like the API, each
// answer after the latency.
type staticServer struct {
	Addr string
	srv  *http.Server
}

func (s *staticServer) Close() { _ = s.srv.Close() }

func serveStatic(items, pageSize int, latency time.Duration) (*staticServer, error) {
	pages := (items + pageSize - 1) / pageSize
	bodies := make([][]byte, pages+1)
	for p := 1; p <= pages; p++ {
		var buf bytes.Buffer
		buf.WriteString(`{"success":true,"data":[`)
		for i := (p - 1) * pageSize; i < min(p*pageSize, items); i++ {
			if i > (p-1)*pageSize {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"id":%d,"partnerId":%d,"token":"tok%07d","status":0,"credentialId":null,"title":"list bench %d","dateCreated":"2026-03-01 09:00:00"}`,
				i+1, 225+i%3, i, i)
		}
		fmt.Fprintf(&buf, `],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`, p, pages, items)
		bodies[p] = buf.Bytes()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p int
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &p)
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if p < 1 || p > pages {
			fmt.Fprintf(w, `{"success":true,"data":[],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`, p, pages, items)
			return
		}
		_, _ = w.Write(bodies[p])
	})
	s := &staticServer{Addr: ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}
