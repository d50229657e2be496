package sandbox_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The fault kinds the reliability matrix needs beyond status, body and
// drop: matching one create among many by its body, faulting a seeded
// random share of requests, bodies of many megabytes, bodies cut short
// under a full Content-Length, and bodies slower than the client.

func TestFaultBodyContains(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Method: "POST", BodyContains: `"title":"doomed"`, Status: 503})
	resp, b := e.api("POST", listPath, `{"partnerId":225,"title":"doomed"}`)
	wantFailure(t, resp, b, 503)
	if r := e.create(225, "spared"); r.Title != "spared" {
		t.Fatalf("other create: %+v", r)
	}
	// The body a fault looked at reaches the handler whole.
	all := e.srv.Sharings()
	if len(all) != 1 || all[0].Title != "spared" {
		t.Fatalf("sharings: %+v", all)
	}
	// A GET has no body: it never matches.
	if resp, _ := e.api("GET", listPath, ""); resp.StatusCode != 200 {
		t.Errorf("GET matched a body fault: %d", resp.StatusCode)
	}
}

func TestFaultProbability(t *testing.T) {
	run := func(seed uint64) (int429, int503 int, log []int) {
		e := newEnv(t, sandbox.Options{})
		e.srv.AddFault(sandbox.Fault{Status: 429, Probability: 0.2, Seed: seed})
		// 5 % overall: 0.0625 of the 80 % the first fault passes over.
		e.srv.AddFault(sandbox.Fault{Status: 503, Probability: 0.0625, Seed: seed + 1})
		for range 2000 {
			code := serve(e.srv, "GET", listPath, "", "Basic "+testToken).Code
			log = append(log, code)
			switch code {
			case 429:
				int429++
			case 503:
				int503++
			case 200:
			default:
				t.Fatalf("status %d", code)
			}
		}
		return int429, int503, log
	}
	a429, a503, aLog := run(7)
	if a429 < 330 || a429 > 470 {
		t.Errorf("429 answered %d of 2000, want about 400", a429)
	}
	if a503 < 60 || a503 > 145 {
		t.Errorf("503 answered %d of 2000, want about 100", a503)
	}
	// The same seed draws the same sequence.
	_, _, bLog := run(7)
	if fmt.Sprint(aLog) != fmt.Sprint(bLog) {
		t.Error("the same seed gave another sequence")
	}
	_, _, cLog := run(8)
	if fmt.Sprint(aLog) == fmt.Sprint(cLog) {
		t.Error("another seed gave the same sequence")
	}

	// Times counts only the requests the fault applied to.
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Status: 429, Probability: 0.5, Seed: 1, Times: 3})
	n429 := 0
	for range 200 {
		if serve(e.srv, "GET", listPath, "", "Basic "+testToken).Code == 429 {
			n429++
		}
	}
	if n429 != 3 || len(e.srv.Faults()) != 0 {
		t.Errorf("a Times 3 fault answered %d times and %d faults remain", n429, len(e.srv.Faults()))
	}
}

func TestFaultBodyBytes(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	const size = 3 << 20
	e.srv.AddFault(sandbox.Fault{Method: "GET", Body: `{"success":true,"data":[]}`, BodyBytes: size, Times: 1})
	resp, b := e.api("GET", listPath, "")
	if resp.StatusCode != 200 || len(b) != size || resp.Header.Get("Content-Length") != strconv.Itoa(size) {
		t.Fatalf("status %d, %d bytes, Content-Length %q", resp.StatusCode, len(b), resp.Header.Get("Content-Length"))
	}
	if !json.Valid(b) || !bytes.HasPrefix(b, []byte(`{"success":true`)) {
		t.Errorf("the padded body is not the JSON padded with white space")
	}

	// Without a body of its own, the fault pads the real answer, which
	// means the request was handled.
	e.srv.AddFault(sandbox.Fault{Method: "POST", BodyBytes: size, Times: 1})
	resp, b = e.api("POST", listPath, `{"partnerId":225,"title":"big"}`)
	if resp.StatusCode != 200 || len(b) != size {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(b))
	}
	if r := decodeRec(t, bytes.TrimSpace(b)); r.Title != "big" || len(e.srv.Sharings()) != 1 {
		t.Errorf("real answer not padded or not handled: %+v", r)
	}
}

func TestFaultTruncateAt(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	full := `{"success":true,"data":{"id":1}}`
	e.srv.AddFault(sandbox.Fault{Method: "GET", Body: full, TruncateAt: 10, Times: 1})
	e.srv.AddFault(sandbox.Fault{Method: "POST", TruncateAt: 12, Times: 1})

	resp, got, err := rawGet(t, e.ts.URL+listPath)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading a truncated body: %v, want unexpected EOF", err)
	}
	if resp.ContentLength != int64(len(full)) || string(got) != full[:10] {
		t.Errorf("Content-Length %d, body %q", resp.ContentLength, got)
	}

	// The real answer, cut short: the create happened all the same.
	req, _ := http.NewRequest("POST", e.ts.URL+listPath, strings.NewReader(`{"partnerId":225,"title":"cut"}`))
	req.Header.Set("Authorization", "Basic "+testToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 12 {
		t.Errorf("read %q, %v", got, err)
	}
	if all := e.srv.Sharings(); len(all) != 1 || all[0].Title != "cut" {
		t.Errorf("sharings: %+v", all)
	}
	if reqs := e.srv.Requests(); reqs[len(reqs)-1].Status != 200 {
		t.Errorf("log: %+v", reqs)
	}
}

func TestFaultSlowBody(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	full := `{"success":true,"data":[]}`
	e.srv.AddFault(sandbox.Fault{Method: "GET", Body: full, SlowBody: 300 * time.Millisecond, Times: 2})

	// A patient client gets the whole body, late.
	t0 := time.Now()
	resp, b := e.api("GET", listPath, "")
	if resp.StatusCode != 200 || string(b) != full {
		t.Fatalf("status %d, body %q", resp.StatusCode, b)
	}
	if d := time.Since(t0); d < 300*time.Millisecond {
		t.Errorf("body complete after %s, want at least 300ms", d)
	}

	// An impatient one has the header in time and times out in the body.
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", e.ts.URL+listPath, nil)
	req.Header.Set("Authorization", "Basic "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("the header should arrive in time: %v", err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
		t.Errorf("reading a slow body: %v, want the client's timeout", err)
	}
}

// rawGet sends an authenticated GET and returns what it could read.
func rawGet(t *testing.T, url string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Basic "+testToken)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// TestLoad50ConcurrentClients runs 50 API clients at once against one
// sandbox, each creating, reading, regenerating, revoking and listing its own
// links while 10 % of requests are refused with 429, and an end user grants
// some links through the Go API. Under -race it proves the sandbox's
// locking; afterwards every count must add up: the sandbox holds exactly
// the links the clients created, each as its owner last saw it, with unique
// ids, tokens and credential ids, a token index that the connect page agrees
// with, and a request log that matches what was sent. With a data file
// (fewer changes: each one is saved with an fsync under the lock) the file
// must then reload to the same state.
func TestLoad50ConcurrentClients(t *testing.T) {
	t.Run("in memory", func(t *testing.T) { runConcurrentClients(t, "", 24) })
	t.Run("data file", func(t *testing.T) { runConcurrentClients(t, filepath.Join(t.TempDir(), "state.json"), 4) })
}

func runConcurrentClients(t *testing.T, file string, opsPerClient int) {
	const clients = 50
	e := newEnv(t, sandbox.Options{DataFile: file, PageSize: 7})
	e.srv.AddFault(sandbox.Fault{Status: 429, RetryAfter: "0", Probability: 0.1, Seed: 42})

	type link struct {
		id      int64
		token   string
		status  int
		deleted bool
		cred    *int64
	}
	var (
		mu    sync.Mutex
		links = map[int64]*link{}
		sent  = map[string]*atomic.Int64{"GET": {}, "POST": {}, "PUT": {}, "DELETE": {}}
	)
	httpClient := &http.Client{Timeout: 30 * time.Second}
	// call retries 429s, as a client would; it counts every request sent.
	call := func(method, p, body string) (int, []byte, error) {
		for {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, err := http.NewRequest(method, e.ts.URL+p, rd)
			if err != nil {
				return 0, nil, err
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			sent[method].Add(1)
			resp, err := httpClient.Do(req)
			if err != nil {
				return 0, nil, err
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return 0, nil, err
			}
			if resp.StatusCode == http.StatusTooManyRequests {
				continue
			}
			return resp.StatusCode, b, nil
		}
	}
	type rec struct {
		ID           int64  `json:"id"`
		Token        string `json:"token"`
		Status       int    `json:"status"`
		CredentialID *int64 `json:"credentialId"`
		Title        string `json:"title"`
	}
	decodeData := func(b []byte, into any) error {
		var env struct {
			Success bool            `json:"success"`
			Data    json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return fmt.Errorf("bad answer %s: %w", b, err)
		}
		if !env.Success {
			return fmt.Errorf("bad answer %s", b)
		}
		return json.Unmarshal(env.Data, into)
	}

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 99))
			var mine []*link
			fail := func(format string, args ...any) {
				errs <- fmt.Errorf("client %d: "+format, append([]any{c}, args...)...)
			}
			for op := range opsPerClient {
				k := rng.IntN(6)
				if len(mine) == 0 || op < 3 {
					k = 0
				}
				var l *link
				if len(mine) > 0 {
					l = mine[rng.IntN(len(mine))]
				}
				switch k {
				case 0: // create
					st, b, err := call("POST", listPath, fmt.Sprintf(`{"partnerId":225,"title":"client %d link %d"}`, c, op))
					var r rec
					if err != nil || st != 200 || decodeData(b, &r) != nil || r.Status != 0 || r.Title != fmt.Sprintf("client %d link %d", c, op) {
						fail("create: %d %s %v", st, b, err)
						return
					}
					nl := &link{id: r.ID, token: r.Token}
					mine = append(mine, nl)
					mu.Lock()
					if links[r.ID] != nil {
						mu.Unlock()
						fail("id %d handed out twice", r.ID)
						return
					}
					links[r.ID] = nl
					mu.Unlock()
				case 1: // read
					st, b, err := call("GET", path(l.id), "")
					var r rec
					if err != nil || st != 200 || decodeData(b, &r) != nil || r.Token != l.token || r.Status != l.status {
						fail("read %d: %d %s %v (want token %s status %d)", l.id, st, b, err, l.token, l.status)
						return
					}
				case 2: // regenerate
					st, b, err := call("PUT", path(l.id), "")
					if l.status == sandbox.StatusRevoked {
						if err != nil || st != 409 {
							fail("regenerate revoked %d: %d %v", l.id, st, err)
							return
						}
						continue
					}
					var r rec
					if err != nil || st != 200 || decodeData(b, &r) != nil || r.Token == l.token || r.Status != 0 || r.CredentialID != nil {
						fail("regenerate %d: %d %s %v", l.id, st, b, err)
						return
					}
					l.token, l.status, l.cred = r.Token, 0, nil
				case 3: // revoke
					st, b, err := call("DELETE", path(l.id), "")
					var r rec
					if err != nil || st != 200 || decodeData(b, &r) != nil || r.Status != sandbox.StatusRevoked {
						fail("revoke %d: %d %s %v", l.id, st, b, err)
						return
					}
					l.status, l.deleted = sandbox.StatusRevoked, true
				case 4: // list a page
					var page []rec
					st, b, err := call("GET", listPath+"?page="+strconv.Itoa(1+rng.IntN(40)), "")
					if err != nil || st != 200 || decodeData(b, &page) != nil || len(page) > 7 {
						fail("list: %d %s %v", st, b, err)
						return
					}
				case 5: // the end user completes a waiting link
					if l.status != sandbox.StatusWaiting {
						continue
					}
					cred, err := e.srv.Grant(l.id)
					if err != nil {
						fail("grant %d: %v", l.id, err)
						return
					}
					l.status, l.cred = sandbox.StatusGranted, &cred
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	all := e.srv.Sharings()
	if len(all) != len(links) {
		t.Fatalf("sandbox holds %d sharings, clients created %d", len(all), len(links))
	}
	tokens, creds := map[string]bool{}, map[int64]bool{}
	for i, s := range all {
		if want := int64(61 + i); s.ID != want {
			t.Errorf("ids are not contiguous: #%d is %d, want %d", i, s.ID, want)
		}
		l := links[s.ID]
		if l == nil || s.Token != l.token || s.Status != l.status || s.Deleted != l.deleted ||
			(l.cred == nil) != (s.CredentialID == nil) || (l.cred != nil && *l.cred != *s.CredentialID) {
			t.Errorf("sharing %d: sandbox %+v, its client saw %+v", s.ID, s, l)
			continue
		}
		if tokens[s.Token] {
			t.Errorf("token of %d is not unique", s.ID)
		}
		tokens[s.Token] = true
		if s.CredentialID != nil {
			if creds[*s.CredentialID] {
				t.Errorf("credential %d handed out twice", *s.CredentialID)
			}
			creds[*s.CredentialID] = true
		}
		// The token index agrees: the connect page finds every token.
		resp, _ := e.do("GET", connectURL(225, s.Token), "", nil)
		want := map[int]int{sandbox.StatusWaiting: 200, sandbox.StatusGranted: 410, sandbox.StatusRevoked: 410}[s.Status]
		if resp.StatusCode != want {
			t.Errorf("connect page for %d (status %d): %d, want %d", s.ID, s.Status, resp.StatusCode, want)
		}
	}
	for m, n := range sent {
		if got := e.srv.Count(m); int64(got) != n.Load() {
			t.Errorf("request log holds %d %s requests, clients sent %d", got, m, n.Load())
		}
	}
	t.Logf("%d clients: %d links, requests sent %v, 429s %d",
		clients, len(all), e.srv.Count(""), countStatus(e.srv.Requests(), 429))

	if file == "" {
		return
	}
	// The data file, rewritten after every change, reloads to the same state.
	again, err := sandbox.New(sandbox.Options{DataFile: file, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	reloaded := again.Sharings()
	if len(reloaded) != len(all) {
		t.Fatalf("data file holds %d sharings, want %d", len(reloaded), len(all))
	}
	for i := range all {
		a, b := all[i], reloaded[i]
		if a.ID != b.ID || a.Token != b.Token || a.Status != b.Status || a.Deleted != b.Deleted {
			t.Errorf("reloaded %+v, want %+v", b, a)
		}
	}
}

func countStatus(reqs []sandbox.Request, status int) int {
	n := 0
	for _, r := range reqs {
		if r.Status == status {
			n++
		}
	}
	return n
}

// killChildEnv names the data file a child process writes to until killed.
const killChildEnv = "ALBATO_SANDBOX_KILL_CHILD_FILE"

// TestDataFileSurvivesKill kills (SIGKILL, no chance to clean up) a process
// that changes a file-backed sandbox as fast as it can, at a random moment,
// over and over on the same file. Every time the file must still load, hold
// mode 0600, and hold every change the process had acknowledged (each
// change is saved before it is answered) and at most the one in flight.
func TestDataFileSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	rng := rand.New(rand.NewPCG(5, 6))
	const rounds = 8
	acked := 0
	for round := range rounds {
		cmd := exec.Command(exe, "-test.run=^TestDataFileKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+file)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it acknowledge a random number of changes, then kill it a
		// random moment later, in the middle of whatever it is doing.
		killAfter := 5 + rng.IntN(40)
		lines := bufio.NewScanner(out)
		seen := 0
		for lines.Scan() {
			n, ok := strings.CutPrefix(lines.Text(), "ack ")
			if !ok {
				continue
			}
			v, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("child said %q", lines.Text())
			}
			acked = v
			seen++
			if seen == killAfter {
				time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
				break
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// The pipe may hold acknowledgements sent before the kill landed.
		for lines.Scan() {
			if n, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
				if v, err := strconv.Atoi(n); err == nil {
					acked = v
				}
			}
		}
		_ = cmd.Wait()
		if seen < killAfter {
			t.Fatalf("round %d: the child stopped after %d acknowledgements", round, seen)
		}

		fi, err := os.Stat(file)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("round %d: data file %v %v", round, fi, err)
		}
		data, err := os.ReadFile(file)
		if err != nil || !json.Valid(data) {
			t.Fatalf("round %d: the data file is not readable JSON after a kill: %v", round, err)
		}
		srv, err := sandbox.New(sandbox.Options{DataFile: file, Token: testToken})
		if err != nil {
			t.Fatalf("round %d: the data file does not load after a kill: %v", round, err)
		}
		if got := len(srv.Sharings()); got < acked || got > acked+1 {
			t.Fatalf("round %d: data file holds %d sharings; %d were acknowledged", round, got, acked)
		}
		acked = len(srv.Sharings())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".state.json.*.tmp"))
	t.Logf("%d kills; %d sharings in the file; %d temporary files left behind by the kills", rounds, acked, len(leftovers))
}

// TestDataFileKillChild is the child process of TestDataFileSurvivesKill: it
// changes the sandbox in a loop and prints "ack N" (N sharings) after each
// change was answered, until it is killed.
func TestDataFileKillChild(t *testing.T) {
	file := os.Getenv(killChildEnv)
	if file == "" {
		t.Skip("run by TestDataFileSurvivesKill")
	}
	srv, err := sandbox.New(sandbox.Options{DataFile: file, Token: testToken})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	auth := "Basic " + testToken
	n := len(srv.Sharings())
	var last int64
	for i := 0; ; i++ {
		var rec *httptest.ResponseRecorder
		switch {
		case i%5 == 3 && last != 0:
			rec = serve(srv, "PUT", path(last), "", auth)
		case i%5 == 4 && last != 0:
			rec = serve(srv, "DELETE", path(last), "", auth)
		default:
			rec = serve(srv, "POST", listPath, fmt.Sprintf(`{"partnerId":226,"title":"kill %d"}`, i), auth)
			var env struct {
				Data struct {
					ID int64 `json:"id"`
				} `json:"data"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &env) == nil && rec.Code == 200 {
				last = env.Data.ID
				n++
			}
		}
		if rec.Code != 200 {
			fmt.Fprintln(os.Stderr, "child: status", rec.Code)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", n)
	}
}
