package sandbox_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/clocktest"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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

func TestDataFilePersistence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	clk := clocktest.NewFake(start)

	a := newEnv(t, sandbox.Options{DataFile: file, Clock: clk})
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file at start: %v %v", fi, err)
	}
	r1 := a.create(225, "one")
	r2 := a.create(227, "two")
	cred, err := a.srv.Grant(r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.api("DELETE", path(r2.ID), "")
	a.srv.Advance(time.Hour)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(data2str(data), testToken) {
		t.Error("the data file holds the API token")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}

	// A second server on the same file sees the same state.
	b := newEnv(t, sandbox.Options{DataFile: file, Clock: clk})
	for _, id := range []int64{r1.ID, r2.ID} {
		sa, _ := a.srv.Sharing(id)
		sb, ok := b.srv.Sharing(id)
		if !ok || sa.Token != sb.Token || sa.Status != sb.Status || !sa.DateCreated.Equal(sb.DateCreated) ||
			!sa.TokenIssuedAt.Equal(sb.TokenIssuedAt) || sa.Deleted != sb.Deleted || sa.Title != sb.Title {
			t.Errorf("sharing %d: %+v vs %+v", id, sa, sb)
		}
	}
	if got := b.get(r1.ID); got.Status != 1 || *got.CredentialID != cred {
		t.Errorf("granted record: %+v", got)
	}
	if !b.srv.Now().Equal(start.Add(time.Hour)) {
		t.Errorf("clock offset not restored: %v", b.srv.Now())
	}
	// Ids keep counting up.
	if r3 := b.create(226, "three"); r3.ID != r2.ID+1 {
		t.Errorf("next id %d, want %d", r3.ID, r2.ID+1)
	}
	if r3 := b.create(227, "four"); true {
		c2, err := b.srv.Grant(r3.ID)
		if err != nil || c2 != cred+1 {
			t.Errorf("next credential %d (%v), want %d", c2, err, cred+1)
		}
	}
	// Old tokens still lead to the right pages.
	resp, _ := b.do("GET", connectURL(227, r2.Token), "", nil)
	if resp.StatusCode != 410 {
		t.Errorf("revoked link after reload: %d", resp.StatusCode)
	}
}

func data2str(b []byte) string { return string(b) }

func TestDataFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	if _, err := sandbox.New(sandbox.Options{DataFile: bad}); err == nil {
		t.Error("corrupt data file accepted")
	}
	os.WriteFile(bad, []byte(`{"version":1,"sharings":[{"id":1,"partnerId":1,"token":"x"}]}`), 0o600)
	if _, err := sandbox.New(sandbox.Options{DataFile: bad}); err == nil || !strings.Contains(err.Error(), "partner") {
		t.Errorf("unknown partner in data file: %v", err)
	}
	if _, err := sandbox.New(sandbox.Options{DataFile: filepath.Join(dir, "missing-dir", "s.json")}); err == nil {
		t.Error("unwritable data file accepted")
	}
}

// TestControlChangesThatCannotBeSaved: with a data file that cannot be
// written, every control change that must persist answers 500 and changes
// nothing, in memory or in the file; once the disk is back, the same change
// is made as if the failed one had never been tried.
func TestControlChangesThatCannotBeSaved(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		partner                  int64
	}{
		{"clock", "POST", "/_sandbox/clock", `{"advance":"49h"}`, 225},
		{"grant", "POST", "/_sandbox/sharings/61/grant", "", 225},
		{"oauth", "POST", "/_sandbox/sharings/61/oauth", "", 227},
		{"revoke", "POST", "/_sandbox/sharings/61/revoke", "", 225},
		{"remove", "DELETE", "/_sandbox/sharings/61", "", 225},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			e := newEnv(t, sandbox.Options{EnableControl: true, DataFile: file})
			if r := e.create(tc.partner, "x"); r.ID != 61 {
				t.Fatalf("id %d", r.ID)
			}
			sharingBefore, _ := e.srv.Sharing(61)
			nowBefore := e.srv.Now()
			fileBefore, _ := os.ReadFile(file)

			sandbox.FailSaves(e.srv, syscall.ENOSPC)
			resp, b := e.do(tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
			env := wantFailure(t, resp, b, 500)
			if !strings.Contains(env.Message, "saving sandbox state") {
				t.Errorf("message %q", env.Message)
			}
			sh, ok := e.srv.Sharing(61)
			fileAfter, _ := os.ReadFile(file)
			if !ok || !sameSharing(sh, sharingBefore) || !e.srv.Now().Equal(nowBefore) || string(fileAfter) != string(fileBefore) {
				t.Errorf("a failed save changed something: %+v (was %+v), now %v (was %v)", sh, sharingBefore, e.srv.Now(), nowBefore)
			}

			sandbox.FailSaves(e.srv, nil)
			control(t, e, tc.method, tc.path, tc.body, 200)
			if tc.name == "grant" {
				if sh, _ := e.srv.Sharing(61); sh.CredentialID == nil || *sh.CredentialID != 248 {
					t.Errorf("the failed grant used a credential id: %+v", sh)
				}
			}
			reloaded := newEnv(t, sandbox.Options{DataFile: file, Clock: e.clock})
			a, okA := e.srv.Sharing(61)
			b2, okB := reloaded.srv.Sharing(61)
			if okA != okB || okA && !sameSharing(a, b2) || !reloaded.srv.Now().Equal(e.srv.Now()) {
				t.Errorf("the file does not hold the change: %+v vs %+v", a, b2)
			}
		})
	}
}

func sameSharing(a, b sandbox.Sharing) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestEmptyDataFileIsNew: a zero-byte data file, as mktemp makes, starts
// the sandbox as a missing one does, and then keeps its state.
func TestEmptyDataFileIsNew(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tmp.XXXXXX")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sandbox.Options{DataFile: file})
	r := e.create(225, "kept")
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), `"version": 1`) {
		t.Fatalf("data file: %s %v", data, err)
	}
	reloaded := newEnv(t, sandbox.Options{DataFile: file})
	if got := reloaded.get(r.ID); got.Title != "kept" {
		t.Errorf("after restart: %+v", got)
	}
	// Whitespace is not empty: it is a file someone wrote, and not JSON.
	if err := os.WriteFile(file, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.New(sandbox.Options{DataFile: file}); err == nil {
		t.Error("a data file of whitespace was taken as new")
	}
}
