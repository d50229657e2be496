package provider

// A suite across types: 300 links applied, planned and destroyed under
// random 429s and 503s, through the real CLI, the provider, the client and
// the sandbox.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// TestAccLoad_300Links applies 300 links (count = 300) at -parallelism=50
// while the sandbox answers 20 % of all API requests with 429 and 5 % with
// 503, then plans, then destroys, with the faults still on.
//
// terraform-plugin-testing has no parallelism option (terraform-exec, under
// it, always passes -parallelism=10, which also beats TF_CLI_ARGS_apply), so
// this test drives the Terraform CLI through terraform-exec itself, with the
// provider served in-process through plugin reattach exactly as
// resource.Test does it (same factory: the test's clock, millisecond retry
// waits).
//
// A 429 is retried for every method, a 503 only for GET, PUT and DELETE: a
// POST answered 503 may have created the link, so the provider looks for it
// (and finds none: the sandbox's 503s come before it acts), sends the POST
// once more, and reports a failure only if that one draws a 503 too, after
// looking again. An apply therefore fails only for creates whose two POSTs
// both drew a 503 (about 0.25 % of 300), and the test checks exactly that:
// every error is a create error naming HTTP 503, there are at most half as
// many as POSTs answered 503, and no link was adopted (none was created
// without an answer). It then applies again, as a pipeline would, until
// nothing fails. In the end: exactly 300 links exist, each created once (no
// other link was ever made), all in the state, a plan is empty, and destroy
// revokes all 300. The provider is configured with max_retries = 15: with a
// quarter of all requests refused, the default of 4 (5 tries) would give up
// on about one request in a thousand.
func TestAccLoad_300Links(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH")
		}
		tfPath = p
	}
	const (
		links       = 300
		parallelism = 50
		maxApplies  = 5
	)
	began := time.Now()
	e := newTestEnv(t, func(o *sandbox.Options) { o.PageSize = 100 })
	// The second fault sees only the 80 % the first passes over: 6.25 % of
	// those is 5 % of all requests.
	e.sandbox.AddFault(sandbox.Fault{Status: 429, Probability: 0.20, Seed: 300})
	e.sandbox.AddFault(sandbox.Fault{Status: 503, Probability: 0.05 / 0.80, Seed: 301})

	// How many provider calls (applies, reads) and API requests are in
	// flight at once: proof that the parallelism took effect.
	var rpcs, requests loadGauge
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer requests.enter()()
		e.server.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	dir := loadWorkDir(t)
	config := fmt.Sprintf(`provider "albato" {
  api_url     = %q
  token       = %q
  connect_url = %q
  max_retries = 15
}

resource "albato_connection_link" "load" {
  count      = %d
  partner_id = 225
  title      = "load ${count.index}"
}
`, front.URL, testToken, e.connectURL(), links)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, tfPath)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(tfexec.CleanEnv(env)); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	tf.SetStdout(io.Discard)
	ctx := t.Context()
	run := func(what string, f func(tfexec.ReattachInfo) error) error {
		t.Helper()
		stderr.Reset()
		return loadServe(t, e, &rpcs, func(r tfexec.ReattachInfo) error {
			start := time.Now()
			err := f(r)
			t.Logf("%s: %s", what, time.Since(start).Round(10*time.Millisecond))
			return err
		})
	}

	if err := run("init", func(r tfexec.ReattachInfo) error { return tf.Init(ctx, tfexec.Reattach(r)) }); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}

	// Apply until nothing fails; every failure must be a create whose POST
	// and its one re-send were answered 503.
	applies, failedCreates := 0, 0
	for {
		applies++
		from := len(e.sandbox.Requests())
		err := run(fmt.Sprintf("apply %d", applies), func(r tfexec.ReattachInfo) error {
			return tf.Apply(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
		})
		reqs := e.sandbox.Requests()[from:]
		post503 := 0
		for _, r := range reqs {
			if r.Method == http.MethodPost && r.Status == http.StatusServiceUnavailable {
				post503++
			}
		}
		out := strings.Join(strings.Fields(stderr.String()), " ") // Terraform wraps long lines
		errorsShown := strings.Count(out, "Error: ")
		createErrors := strings.Count(out, "Error: Unable to Create Connection Link")
		failedCreates += createErrors
		t.Logf("apply %d: %d requests, %d POSTs answered 503, %d create errors", applies, len(reqs), post503, createErrors)
		if errorsShown != createErrors || 2*createErrors > post503 || (err == nil) != (createErrors == 0) {
			t.Fatalf("apply %d: %d errors shown, %d of them create errors, %d POSTs answered 503 (err %v); "+
				"want only create errors, each after two POSTs answered 503:\n%s",
				applies, errorsShown, createErrors, post503, err, stderr.String())
		}
		if strings.Contains(out, "Adopted a Connection Link") {
			t.Fatalf("apply %d adopted a link, but every 503 came before the sandbox acted:\n%s", applies, stderr.String())
		}
		if strings.Count(out, "create sharing: HTTP 503") != createErrors {
			t.Fatalf("apply %d: a create error does not name HTTP 503:\n%s", applies, stderr.String())
		}
		if err == nil {
			break
		}
		if applies == maxApplies {
			t.Fatalf("%d applies still failed", applies)
		}
	}

	// Exactly 300 links exist, each created once, all in the state.
	var inState map[string]string // title -> id
	if err := run("show", func(r tfexec.ReattachInfo) error {
		st, err := tf.Show(ctx, tfexec.Reattach(r))
		if err != nil {
			return err
		}
		inState = map[string]string{}
		if st.Values == nil || st.Values.RootModule == nil {
			return errors.New("empty state")
		}
		for _, res := range st.Values.RootModule.Resources {
			title, _ := res.AttributeValues["title"].(string)
			id, _ := res.AttributeValues["id"].(string)
			if _, dup := inState[title]; dup {
				return fmt.Errorf("title %q twice in the state", title)
			}
			inState[title] = id
		}
		return nil
	}); err != nil {
		t.Fatalf("show: %v\n%s", err, stderr.String())
	}
	all := e.sandbox.Sharings()
	if len(all) != links || len(inState) != links {
		t.Fatalf("the sandbox holds %d links (ever created) and the state %d; want %d and %d", len(all), len(inState), links, links)
	}
	for _, s := range all {
		if s.Status == sandbox.StatusRevoked || inState[s.Title] != fmt.Sprint(s.ID) {
			t.Fatalf("link %d %q (status %d) is not the state's %q", s.ID, s.Title, s.Status, inState[s.Title])
		}
	}

	// A following plan is empty.
	var changes bool
	if err := run("plan", func(r tfexec.ReattachInfo) error {
		var err error
		changes, err = tf.Plan(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
		return err
	}); err != nil || changes {
		t.Fatalf("plan after apply: changes %v, err %v\n%s", changes, err, stderr.String())
	}

	// Destroy revokes all of them.
	if err := run("destroy", func(r tfexec.ReattachInfo) error {
		return tf.Destroy(ctx, tfexec.Reattach(r), tfexec.Parallelism(parallelism))
	}); err != nil {
		t.Fatalf("destroy: %v\n%s", err, stderr.String())
	}
	revoked := 0
	for _, s := range e.sandbox.Sharings() {
		if s.Status == sandbox.StatusRevoked {
			revoked++
		}
	}
	if revoked != links {
		t.Fatalf("destroy revoked %d of %d links", revoked, links)
	}

	counts := map[string]int{}
	for _, r := range e.sandbox.Requests() {
		counts[fmt.Sprintf("%s %d", r.Method, r.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var figures []string
	for _, k := range keys {
		figures = append(figures, fmt.Sprintf("%s: %d", k, counts[k]))
	}
	if p := rpcs.peak.Load(); p <= 10 {
		t.Errorf("at most %d provider calls were in flight at once: -parallelism=%d did not take effect", p, parallelism)
	}
	t.Logf("%d links at -parallelism=%d: %d applies (%d creates failed on two 503s in a row and were created by the next apply), "+
		"%d requests (%s), peak %d provider calls and %d API requests in flight, 0 duplicates, %d revoked by destroy; %s in all",
		links, parallelism, applies, failedCreates, e.sandbox.Count(""), strings.Join(figures, ", "), rpcs.peak.Load(), requests.peak.Load(),
		revoked, time.Since(began).Round(100*time.Millisecond))
}

// loadServe serves the provider in-process for one Terraform command, the
// way terraform-plugin-testing does: a debug (reattach) server for the
// address <host>/hashicorp/albato, stopped when f returns. The host follows
// TF_ACC_PROVIDER_HOST as terraform-plugin-testing's does, so that OpenTofu
// (registry.opentofu.org) finds the provider too.
func loadServe(t *testing.T, e *testEnv, rpcs *loadGauge, f func(tfexec.ReattachInfo) error) error {
	t.Helper()
	inner, err := e.factories()["albato"]()
	if err != nil {
		return err
	}
	return serveProvider(t, &loadServer{ProviderServer: inner, g: rpcs}, f)
}

// loadGauge tracks how many calls are in flight, and the most at once.
type loadGauge struct{ now, peak atomic.Int64 }

func (g *loadGauge) enter() (leave func()) {
	n := g.now.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	return func() { g.now.Add(-1) }
}

// loadServer counts the provider's applies and reads in flight.
type loadServer struct {
	tfprotov6.ProviderServer
	g *loadGauge
}

func (s *loadServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	defer s.g.enter()()
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

func (s *loadServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	defer s.g.enter()()
	return s.ProviderServer.ReadResource(ctx, req)
}

// loadWorkDir is the Terraform working directory. Terraform writes the
// whole state file after every resource it applies, 300 times over; in
// memory (/dev/shm, where there is one) that takes half the time it takes on
// disk.
func loadWorkDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "albato-load-"); err == nil { //nolint:usetesting // t.TempDir is on disk
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
