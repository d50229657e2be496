package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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

// FuzzHandler sends random requests: the sandbox never panics and never
// answers 5xx (there is no data file, so nothing can fail to save).
func FuzzHandler(f *testing.F) {
	f.Add("POST", "/credentials/grant-access-sharing", "", `{"partnerId":225,"title":"x"}`, true)
	f.Add("GET", "/credentials/grant-access-sharing/61", "", "", true)
	f.Add("GET", "/credentials/grant-access-sharing", "page=-1", "", true)
	f.Add("PUT", "/credentials/grant-access-sharing/62", "", "{", true)
	f.Add("DELETE", "/credentials/grant-access-sharing/61", "", "", false)
	f.Add("POST", "/connect", "", "id=225&token=AAAA&api_key=&subdomain=%ZZ", false)
	f.Add("POST", "/connect/oauth/authorize", "", "id=227&token=x&decision=allow", false)
	f.Add("GET", "/connect", "id=225&token=%00", "", false)
	f.Add("POST", "/_sandbox/faults", "", `{"status":500,"latency":"1h"}`, false)
	f.Add("POST", "/_sandbox/clock", "", `{"advance":"-2562047h"}`, false)
	f.Add("POST", "/_sandbox/sharings/61/oauth", "", "", false)
	f.Add("POST", "/_sandbox/settings", "", `{"linkId":"sharing_id","dateFormat":"rfc3339","maxPerPage":1}`, false)
	f.Add("GET", "/credentials/grant-access-sharing", "page=99999999999&per-page=9223372036854775807", "", true)
	f.Add("OPTIONS", "//..%2f/credentials", "a=%", "\x00\xff", true)
	f.Fuzz(func(t *testing.T, method, p, query, body string, auth bool) {
		srv, err := sandbox.New(sandbox.Options{Token: testToken, EnableControl: true, PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		// A few records in every state.
		for _, partner := range []string{"225", "226", "227"} {
			rec := serve(srv, "POST", "/credentials/grant-access-sharing", `{"partnerId":`+partner+`,"title":"t"}`, "Basic "+testToken)
			if rec.Code != 200 {
				t.Fatalf("seed create: %d", rec.Code)
			}
		}
		srv.Grant(61)
		srv.StartOAuth(63)
		srv.Revoke(62)

		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, method, "http://sandbox.test/", bytes.NewReader([]byte(body)))
		if err != nil {
			return // not a valid method
		}
		req.URL = &url.URL{Path: p, RawQuery: query}
		req.RequestURI = req.URL.RequestURI()
		if auth {
			req.Header.Set("Authorization", "Basic "+testToken)
		}
		if strings.HasPrefix(p, "/connect") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, p, query, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Date") == "" {
			t.Fatalf("%s %s: no Date header", method, p)
		}
	})
}
