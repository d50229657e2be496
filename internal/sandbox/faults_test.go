package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

const listPath = "/credentials/grant-access-sharing"

func TestFault429ThenNormal(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Status: 429, RetryAfter: "2", Times: 2})
	for i := range 2 {
		resp, b := e.api("GET", listPath, "")
		wantFailure(t, resp, b, 429)
		if got := resp.Header.Get("Retry-After"); got != "2" {
			t.Errorf("try %d: Retry-After %q", i, got)
		}
		if resp.Header.Get("Date") == "" {
			t.Error("fault answer without Date")
		}
	}
	resp, b := e.api("GET", listPath, "")
	if resp.StatusCode != 200 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("third try: %d %s", resp.StatusCode, b)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 3 || reqs[0].Status != 429 || reqs[2].Status != 200 {
		t.Errorf("log: %+v", reqs)
	}
}

func TestFaultMatchesMethodAndPath(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "x")
	e.srv.AddFault(sandbox.Fault{Method: "put", PathPrefix: path(r.ID), Status: 503})
	if resp, _ := e.api("GET", path(r.ID), ""); resp.StatusCode != 200 {
		t.Errorf("GET hit a PUT fault: %d", resp.StatusCode)
	}
	if resp, _ := e.api("PUT", path(r.ID+1), ""); resp.StatusCode != 404 {
		t.Errorf("PUT of another path: %d", resp.StatusCode)
	}
	for range 3 { // Times 0: unlimited
		resp, b := e.api("PUT", path(r.ID), "")
		wantFailure(t, resp, b, 503)
	}
	e.srv.ClearFaults()
	if resp, _ := e.api("PUT", path(r.ID), ""); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
	// The connect page is never faulted.
	e.srv.AddFault(sandbox.Fault{Status: 500})
	if resp, _ := e.do("GET", "/connect?id=1&token=x", "", nil); resp.StatusCode != 404 {
		t.Errorf("connect page faulted: %d", resp.StatusCode)
	}
}

func TestFaultAfterHandling(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Method: "POST", Status: 502, AfterHandling: true, Times: 1})
	resp, b := e.api("POST", listPath, `{"partnerId":225,"title":"ghost"}`)
	wantFailure(t, resp, b, 502)
	all := e.srv.Sharings()
	if len(all) != 1 || all[0].Title != "ghost" {
		t.Fatalf("the request was not handled: %+v", all)
	}
}

func TestFaultBodyOverride(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Status: 502, Body: "<html><body>Bad gateway</body></html>", Times: 1})
	e.srv.AddFault(sandbox.Fault{Body: `{"success":false,"error":{"message":"quota"}}`, Times: 1})
	e.srv.AddFault(sandbox.Fault{Status: 500, Body: `{"success":tr`, Times: 1})
	e.srv.AddFault(sandbox.Fault{Status: 503, EmptyBody: true, Times: 1})

	resp, b := e.api("GET", listPath, "")
	if resp.StatusCode != 502 || string(b) != "<html><body>Bad gateway</body></html>" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("HTML body: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	resp, b = e.api("GET", listPath, "")
	if resp.StatusCode != 200 || string(b) != `{"success":false,"error":{"message":"quota"}}` {
		t.Errorf("success:false with 200: %d %q", resp.StatusCode, b)
	}
	resp, b = e.api("GET", listPath, "")
	if resp.StatusCode != 500 || string(b) != `{"success":tr` {
		t.Errorf("truncated JSON: %d %q", resp.StatusCode, b)
	}
	resp, b = e.api("GET", listPath, "")
	if resp.StatusCode != 503 || len(b) != 0 {
		t.Errorf("empty body: %d %q", resp.StatusCode, b)
	}
	if resp, _ := e.api("GET", listPath, ""); resp.StatusCode != 200 {
		t.Errorf("after the faults: %d", resp.StatusCode)
	}
}

// rawPost sends a POST on a fresh connection and returns the transport error.
func rawPost(t *testing.T, url, body string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Basic "+testToken)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestFaultDrop(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Drop: true, Times: 1})
	if _, err := rawPost(t, e.ts.URL+listPath, `{"partnerId":225,"title":"x"}`); err == nil {
		t.Fatal("dropped request succeeded")
	}
	if n := len(e.srv.Sharings()); n != 0 {
		t.Errorf("a dropped request created %d sharings", n)
	}
	e.srv.AddFault(sandbox.Fault{Drop: true, AfterHandling: true, Times: 1})
	if _, err := rawPost(t, e.ts.URL+listPath, `{"partnerId":225,"title":"x"}`); err == nil {
		t.Fatal("dropped request succeeded")
	}
	if n := len(e.srv.Sharings()); n != 1 {
		t.Errorf("a request dropped after handling created %d sharings, want 1", n)
	}
	if resp, err := rawPost(t, e.ts.URL+listPath, `{"partnerId":225,"title":"x"}`); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the faults: %v", err)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 3 || reqs[0].Status != 0 || reqs[1].Status != 0 || reqs[2].Status != 200 {
		t.Errorf("log: %+v", reqs)
	}
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Latency: 60 * time.Millisecond, Times: 1})
	t0 := time.Now()
	if resp, _ := e.api("GET", listPath, ""); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if d := time.Since(t0); d < 60*time.Millisecond {
		t.Errorf("answered after %s, want at least 60ms", d)
	}

	// A cancelled request ends the wait and changes nothing.
	e.srv.AddFault(sandbox.Fault{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.ts.URL+listPath, strings.NewReader(`{"partnerId":225,"title":"x"}`))
	req.Header.Set("Authorization", "Basic "+testToken)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("cancelled request succeeded")
	}
	// The handler returns promptly: ServeHTTP directly with a cancelled context.
	ctx2, cancel2 := context.WithCancel(context.Background())
	r := httptest.NewRequest("POST", listPath, strings.NewReader(`{"partnerId":225,"title":"y"}`)).WithContext(ctx2)
	r.Header.Set("Authorization", "Basic "+testToken)
	done := make(chan struct{})
	go func() {
		e.srv.ServeHTTP(httptest.NewRecorder(), r)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	cancel2()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("ServeHTTP kept waiting after cancel")
	}
	if n := len(e.srv.Sharings()); n != 0 {
		t.Errorf("cancelled requests created %d sharings", n)
	}
	e.srv.ClearFaults()
	t0 = time.Now()
	e.ts.Close() // waits for the handlers
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("server close took %s: a handler was still sleeping", d)
	}
}

func TestOptionsLatency(t *testing.T) {
	const latency = 400 * time.Millisecond
	e := newEnv(t, sandbox.Options{Latency: latency})
	t0 := time.Now()
	e.api("GET", listPath, "")
	if d := time.Since(t0); d < latency {
		t.Errorf("answered after %s, want at least %s", d, latency)
	}
	t0 = time.Now()
	e.do("GET", "/connect?id=1&token=x", "", nil)
	if d := time.Since(t0); d >= latency {
		t.Errorf("connect page delayed %s", d)
	}
}

func TestRequestLog(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.create(225, "x")
	e.api("GET", path(r.ID), "")
	e.api("GET", listPath+"?page=2", "")
	e.do("GET", listPath, "", nil) // 401
	e.api("DELETE", path(r.ID), "")
	e.api("PATCH", "/elsewhere", "")
	want := []sandbox.Request{
		{Method: "POST", Path: listPath, Status: 200},
		{Method: "GET", Path: path(r.ID), Status: 200},
		{Method: "GET", Path: listPath, Query: "page=2", Status: 200},
		{Method: "GET", Path: listPath, Status: 401},
		{Method: "DELETE", Path: path(r.ID), Status: 200},
		{Method: "PATCH", Path: "/elsewhere", Status: 404},
	}
	got := e.srv.Requests()
	if len(got) != len(want) {
		t.Fatalf("log: %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for m, n := range map[string]int{"": 6, "GET": 3, "get": 3, "POST": 1, "DELETE": 1, "PUT": 0} {
		if c := e.srv.Count(m); c != n {
			t.Errorf("Count(%q) = %d, want %d", m, c, n)
		}
	}
	e.srv.ResetRequests()
	if n := e.srv.Count(""); n != 0 || len(e.srv.Requests()) != 0 {
		t.Errorf("after reset: %d", n)
	}
}

// A ListMeta fault answers the list for real with its meta's totals
// replaced: a page holding links whose meta says 0 pages and 0 links.
func TestFaultListMeta(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	for i := range 3 {
		e.create(225, fmt.Sprint("link ", i))
	}
	var f sandbox.Fault // as the control endpoint takes it
	if err := json.Unmarshal([]byte(`{"method":"GET","pathPrefix":"/credentials","listMeta":{"totalPages":0,"totalItemsCount":0}}`), &f); err != nil {
		t.Fatal(err)
	}
	e.srv.AddFault(f)
	resp, b := e.api("GET", listPath+"?page=1", "")
	var env envelope
	if err := json.Unmarshal(b, &env); resp.StatusCode != 200 || err != nil || env.Meta == nil {
		t.Fatalf("%d %s (%v)", resp.StatusCode, b, err)
	}
	var items []apiRec
	if err := json.Unmarshal(env.Data, &items); err != nil || len(items) != 3 ||
		*env.Meta != (meta{Page: 1, TotalPages: 0, TotalItemsCount: 0}) {
		t.Errorf("got %d links (%v) and meta %+v, want 3 links and page 1 of 0 pages and 0 links", len(items), err, *env.Meta)
	}
	if resp, b := e.api("GET", path(items[0].ID), ""); resp.StatusCode != 200 || strings.Contains(string(b), "totalPages") {
		t.Errorf("a sharing's answer was changed: %d %s", resp.StatusCode, b)
	}
}

// NormalizeTitle stores and answers a create's title trimmed, its inner
// white space collapsed, as an API that tidies titles would; other requests
// and a body without a title pass as they are.
func TestFaultNormalizeTitle(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.srv.AddFault(sandbox.Fault{Method: "POST", NormalizeTitle: true})
	r := e.create(225, " CRM \t for\n Acme  ")
	if r.Title != "CRM for Acme" || e.get(r.ID).Title != "CRM for Acme" {
		t.Errorf("created %q, read %q; want both %q", r.Title, e.get(r.ID).Title, "CRM for Acme")
	}
	if resp, b := e.api("POST", listPath, `{"partnerId":225}`); resp.StatusCode != 400 {
		t.Errorf("a create without a title: HTTP %d %s, want the API's own 400", resp.StatusCode, b)
	}
}

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
