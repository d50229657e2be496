package albato

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// itemCalls are the calls on one sharing's route.
var itemCalls = map[string]func(*Client, context.Context, int64) (*Sharing, error){
	"GET":    (*Client).GetSharing,
	"PUT":    (*Client).RegenerateSharing,
	"DELETE": (*Client).RevokeSharing,
}

// TestNotFoundOnlyFromTheAPI: a 404 for one sharing means "no such sharing"
// only in the API's envelope from a route whose listing answers; anything
// else is an error that names the API URL without userinfo or query, for
// every call on a sharing's route.
func TestNotFoundOnlyFromTheAPI(t *testing.T) {
	t.Parallel()
	const envelope404 = `{"success":false,"message":"Sharing not found"}`
	list := `{"success":true,"data":[],"meta":{"page":1,"totalPages":1,"totalItemsCount":0}}`
	cases := []struct {
		name                string
		itemCT, itemBody    string
		listStatus          int
		listBody            string
		listedBefore        bool
		wantGone            bool
		wantListings        int32
		wantInMessage       string
		wantNotInTheMessage string
	}{
		{name: "the API's 404, the listing answers", itemBody: envelope404, listStatus: 200, listBody: list,
			wantGone: true, wantListings: 1},
		{name: "the API's 404, a listing answered before", itemBody: envelope404, listStatus: 200, listBody: list,
			listedBefore: true, wantGone: true, wantListings: 1},
		{name: "a wrong path prefix: the collection answers 404 too", itemBody: envelope404, listStatus: 404,
			listBody: envelope404, wantListings: 1, wantInMessage: "/prefix/credentials/grant-access-sharing does not serve it"},
		{name: "the listing fails otherwise", itemBody: envelope404, listStatus: 500, listBody: `{"success":false}`,
			wantListings: 1, wantInMessage: "check the API URL"},
		{name: "an HTML page", itemCT: "text/html", itemBody: "<html><title>404 Not Found</title></html>",
			listStatus: 200, listBody: list, wantInMessage: "not the sharing API's answer"},
		{name: "JSON, but not the API's envelope", itemBody: `{"message":"Not Found"}`, listStatus: 200, listBody: list,
			wantInMessage: "check the API URL"},
	}
	for _, tc := range cases {
		for method, call := range itemCalls {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				var listings atomic.Int32
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/grant-access-sharing") {
						listings.Add(1)
						writeJSON(w, tc.listStatus, tc.listBody)
						return
					}
					w.Header().Set("Content-Type", cmpOr(tc.itemCT, "application/json"))
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(tc.itemBody))
				})
				c := newTestClient(t, srv.URL+"/prefix", withRetries(0))
				if tc.listedBefore {
					if _, err := c.ListSharings(t.Context(), 1); err != nil {
						t.Fatal(err)
					}
				}
				_, err := call(c, t.Context(), 62)
				if err == nil || IsNotFound(err) != tc.wantGone || statusOf(err) != http.StatusNotFound {
					t.Fatalf("got %v (IsNotFound %v), want a 404 with IsNotFound %v", err, IsNotFound(err), tc.wantGone)
				}
				if !strings.Contains(err.Error(), tc.wantInMessage) || strings.Contains(err.Error(), "?") {
					t.Errorf("got %q, want it to contain %q and no query", err, tc.wantInMessage)
				}
				if got := listings.Load(); got != tc.wantListings {
					t.Errorf("%d listings, want %d", got, tc.wantListings)
				}
			})
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestAnswerForAnotherSharing: an answer about another sharing than the one
// asked for is an error naming both ids, for every call on a sharing's route.
func TestAnswerForAnotherSharing(t *testing.T) {
	t.Parallel()
	for method, call := range itemCalls {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":{"id":1062,"partnerId":225,"token":%q,"status":0,"title":"t"}}`,
					testSharingToken))
			})
			s, err := call(newTestClient(t, srv.URL, withRetries(0)), t.Context(), 62)
			if err == nil || !strings.Contains(err.Error(), "sharing 62") || !strings.Contains(err.Error(), "sharing 1062") {
				t.Fatalf("got %+v, %v; want an error naming 62 and 1062", s, err)
			}
			if strings.Contains(err.Error(), testSharingToken) || IsNotFound(err) || MayHaveBeenApplied(err) {
				t.Errorf("got %v: a token, a verdict of gone, or a create's cue to look", err)
			}
		})
	}
}

type seenRequest struct {
	method, path, query string
	header              http.Header
	body                string
}

// TestRequests checks method, path, headers and body of each operation, and
// the decoded answer.
func TestRequests(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name       string
		call       func(*Client) (any, error)
		wantMethod string
		wantPath   string
		wantQuery  string
		wantBody   string
		answer     string
	}{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateSharing(context.Background(), 225, "CRM <Integration> & co")
			},
			wantMethod: "POST", wantPath: "/credentials/grant-access-sharing",
			wantBody: `{"partnerId":225,"title":"CRM <Integration> & co"}`,
			answer:   okSharing(61),
		},
		{
			name:       "get",
			call:       func(c *Client) (any, error) { return c.GetSharing(context.Background(), 61) },
			wantMethod: "GET", wantPath: "/credentials/grant-access-sharing/61",
			answer: okSharing(61),
		},
		{
			name:       "regenerate",
			call:       func(c *Client) (any, error) { return c.RegenerateSharing(context.Background(), 72) },
			wantMethod: "PUT", wantPath: "/credentials/grant-access-sharing/72",
			answer: okSharing(72),
		},
		{
			name:       "revoke",
			call:       func(c *Client) (any, error) { return c.RevokeSharing(context.Background(), 72) },
			wantMethod: "DELETE", wantPath: "/credentials/grant-access-sharing/72",
			answer: okSharing(72),
		},
		{
			name:       "list",
			call:       func(c *Client) (any, error) { return c.ListSharings(context.Background(), 2) },
			wantMethod: "GET", wantPath: "/credentials/grant-access-sharing", wantQuery: "page=2&per-page=50",
			answer: `{"success":true,"data":[],"meta":{"page":2,"totalPages":2,"totalItemsCount":20}}`,
		},
	}
	auths := []struct{ scheme, want string }{
		{"", "Bearer " + testToken},
		{"Auto", "Bearer " + testToken},
		{"basic", "Basic " + testToken},
		{"Basic", "Basic " + testToken},
		{"BEARER", "Bearer " + testToken},
		{"bearer", "Bearer " + testToken},
	}
	prefixes := []struct{ base, path string }{
		{"", ""},
		{"/", ""},
		{"/api/v2", "/api/v2"},
		{"/api/v2/", "/api/v2"},
	}
	for _, op := range ops {
		for i, auth := range auths {
			prefix := prefixes[i%len(prefixes)]
			t.Run(op.name+"/"+auth.scheme+"/"+prefix.base, func(t *testing.T) {
				t.Parallel()
				seen := make(chan seenRequest, 1)
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					seen <- seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)}
					writeJSON(w, 200, op.answer)
				})
				c := newTestClient(t, srv.URL+prefix.base, func(cfg *Config) { cfg.AuthScheme = auth.scheme })
				if _, err := op.call(c); err != nil {
					t.Fatalf("call: %v", err)
				}
				r := <-seen
				if r.method != op.wantMethod || r.path != prefix.path+op.wantPath || r.query != op.wantQuery {
					t.Errorf("request %s %s?%s, want %s %s?%s", r.method, r.path, r.query, op.wantMethod, prefix.path+op.wantPath, op.wantQuery)
				}
				if got := r.header.Get("Authorization"); got != auth.want {
					t.Errorf("Authorization %q, want %q", got, auth.want)
				}
				if got := r.header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept %q", got)
				}
				if got := r.header.Get("User-Agent"); got != "terraform-provider-albato/test (+https://www.terraform.io) Terraform/1.9.0" {
					t.Errorf("User-Agent %q", got)
				}
				wantCT := ""
				if op.wantBody != "" {
					wantCT = "application/json"
				}
				if got := r.header.Get("Content-Type"); got != wantCT {
					t.Errorf("Content-Type %q, want %q", got, wantCT)
				}
				if op.wantBody != "" {
					var got, want any
					if err := json.Unmarshal([]byte(r.body), &got); err != nil {
						t.Fatalf("request body %q is not JSON: %v", r.body, err)
					}
					_ = json.Unmarshal([]byte(op.wantBody), &want)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("request body %s, want %s", r.body, op.wantBody)
					}
				} else if r.body != "" {
					t.Errorf("unexpected request body %q", r.body)
				}
			})
		}
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"ok", Config{BaseURL: "https://api.albato.com", Token: "t"}, ""},
		{"ok with prefix", Config{BaseURL: "http://localhost:8080/api/", Token: "t", AuthScheme: "BeArEr"}, ""},
		{"no URL", Config{Token: "t"}, "API base URL is required"},
		{"relative URL", Config{BaseURL: "/api", Token: "t"}, "absolute http or https URL"},
		{"no scheme", Config{BaseURL: "api.albato.com", Token: "t"}, `has no scheme: use "https://api.albato.com"`},
		{"ftp", Config{BaseURL: "ftp://api.albato.com", Token: "t"}, "absolute http or https URL"},
		{"no host", Config{BaseURL: "https:///path", Token: "t"}, "has no host"},
		{"unparsable", Config{BaseURL: "http://[::1", Token: "t"}, "invalid API base URL"},
		{"credentials", Config{BaseURL: "https://u:p@api.albato.com", Token: "t"}, "must not contain credentials"},
		{"query", Config{BaseURL: "https://api.albato.com?x=1", Token: "t"}, "query or fragment"},
		{"no token", Config{BaseURL: "https://api.albato.com"}, "API token is required"},
		{"blank token", Config{BaseURL: "https://api.albato.com", Token: "  \n"}, "API token is required"},
		{"control chars", Config{BaseURL: "https://api.albato.com", Token: "ab\ncd"}, "control characters"},
		{"DEL", Config{BaseURL: "https://api.albato.com", Token: "ab\x7fcd"}, "control characters"},
		{"inner space and tilde", Config{BaseURL: "https://api.albato.com", Token: "ab cd~"}, ""}, // a header carries both
		{"bad scheme", Config{BaseURL: "https://api.albato.com", Token: "t", AuthScheme: "Digest"}, "one of auto, Bearer, Basic"},
		{"negative retries", Config{BaseURL: "https://api.albato.com", Token: "t", MaxRetries: -1}, "max retries must be 0 or more"},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: New: %v", tt.name, err)
		case tt.wantErr == "" && c == nil:
			t.Errorf("%s: New returned nil", tt.name)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: New error %v, want one containing %q", tt.name, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "ab\ncd") {
			t.Errorf("%s: error quotes the token", tt.name)
		}
	}
}

// TestDefaultHTTPClient checks the pooled transport, the timeout and that
// redirects are reported, not followed.
func TestDefaultHTTPClient(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, "https://api.albato.com")
	tr, ok := c.cfg.HTTPClient.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.cfg.HTTPClient.Transport)
	}
	if tr.MaxIdleConnsPerHost < 32 || c.cfg.HTTPClient.Timeout != 60*time.Second {
		t.Errorf("MaxIdleConnsPerHost %d, Timeout %v", tr.MaxIdleConnsPerHost, c.cfg.HTTPClient.Timeout)
	}
	if other := newTestClient(t, "https://api.albato.com"); other.cfg.HTTPClient == c.cfg.HTTPClient {
		t.Error("two clients share one *http.Client")
	}

	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/credentials?token=secret-value", http.StatusFound)
	})
	_, err := newTestClient(t, srv.URL).postSharing(context.Background(), 1, "t")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusFound {
		t.Fatalf("got %v, want an *Error with status 302", err)
	}
	if !strings.Contains(apiErr.Message, "https://elsewhere.example/credentials") || strings.Contains(err.Error(), "secret-value") {
		t.Errorf("message %q", apiErr.Message)
	}
}

// TestNewDefaults: the waits New sets when Config leaves them zero, and a
// longest wait never shorter than the first.
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: "https://api.albato.com", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.RetryWaitMin != time.Second || c.cfg.RetryWaitMax != 30*time.Second || c.cfg.MaxRetryAfter != time.Minute {
		t.Errorf("waits %v, %v, %v; want 1s, 30s, 1m", c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, c.cfg.MaxRetryAfter)
	}
	c, err = New(Config{BaseURL: "https://api.albato.com", Token: "t", RetryWaitMin: 40 * time.Second})
	if err != nil || c.cfg.RetryWaitMax != 40*time.Second {
		t.Errorf("longest wait %v, %v; want 40s", c.cfg.RetryWaitMax, err)
	}
}

// TestClientErrorWithUnreadableBody: a 4xx is the API's refusal even when
// its body cannot be read, so nothing was done; a 2xx that cannot be
// read may have done it.
func TestClientErrorWithUnreadableBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status      int
		body        string
		mayHaveDone bool
	}{
		{400, "<html><title>Bad Request</title></html>", false},
		{400, strings.Repeat("x", maxBodyBytes+1), false},
		{299, "<html><title>Odd</title></html>", true},
		{299, strings.Repeat("x", maxBodyBytes+1), true},
	} {
		srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		})
		_, err := newTestClient(t, srv.URL, withRetries(0)).GetSharing(t.Context(), 61)
		if statusOf(err) != tc.status || MayHaveBeenApplied(err) != tc.mayHaveDone {
			t.Errorf("%d with a %d-byte body: got %v, may have been applied %v; want %v",
				tc.status, len(tc.body), err, MayHaveBeenApplied(err), tc.mayHaveDone)
		}
	}
}

// TestBodyOfTheLargestSize: a body of exactly maxBodyBytes is read; one byte
// more is refused (TestClientErrorWithUnreadableBody).
func TestBodyOfTheLargestSize(t *testing.T) {
	t.Parallel()
	answer := `{"success":true,"data":{"id":61,"title":"t","token":"tok1"}}`
	body := answer + strings.Repeat(" ", maxBodyBytes-len(answer))
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	if s, err := newTestClient(t, srv.URL, withRetries(0)).GetSharing(t.Context(), 61); err != nil || s.ID != 61 {
		t.Fatalf("got %+v, %v; want sharing 61", s, err)
	}
}
