package albato

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStatusNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status Status
		name   string
	}{
		{StatusWaiting, "waiting"},
		{StatusGranted, "granted"},
		{StatusWaitingOAuth, "waiting_oauth"},
		{StatusRevoked, "revoked"},
	}
	for _, tt := range tests {
		if got := tt.status.Name(); got != tt.name {
			t.Errorf("Status(%d).Name() = %q, want %q", tt.status, got, tt.name)
		}
	}
	for _, s := range []Status{-1, 4, 99} {
		if got := s.Name(); got != "unknown" {
			t.Errorf("Status(%d).Name() = %q, want unknown", s, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2025-08-14 19:12:13", want: want},
		{in: " 2025-08-14 19:12:13 ", want: want},
		{in: "2025-08-14 19:12:13.250", want: want.Add(250 * time.Millisecond)},
		{in: "2025-08-14T19:12:13", want: want},
		{in: "2025-08-14T19:12:13Z", want: want},
		{in: "2025-08-14T22:12:13+03:00", want: want},
		{in: "2025-08-14T12:12:13.5-07:00", want: want.Add(500 * time.Millisecond)},
		{in: "", wantErr: true},
		{in: "garbage", wantErr: true},
		{in: "2025-13-14 19:12:13", wantErr: true},
		{in: "14.08.2025 19:12", wantErr: true},
		{in: "1755198733", want: want},
		{in: "1755198733.25", want: want.Add(250 * time.Millisecond)},
		{in: "0", want: time.Unix(0, 0).UTC()},
		{in: "253402300799", want: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{in: "253402300800", wantErr: true},
		{in: "1755198733.", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "1.7e9", wantErr: true},
		{in: "-1755198733", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseDate(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("parseDate(%q) = %v, want %v in UTC", tt.in, got, tt.want)
		}
	}
}

func TestDecodeDateCreatedAndCredential(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	tests := []struct {
		name        string
		fields      string
		wantDate    *time.Time
		wantCred    *int64
		wantProblem string
	}{
		{name: "null", fields: `"dateCreated":null,"credentialId":null`},
		{name: "absent", fields: `"title":"t"`},
		{name: "empty string", fields: `"dateCreated":"","credentialId":248`, wantCred: ptr(int64(248))},
		{name: "space format", fields: `"dateCreated":"2025-08-14 19:12:13"`, wantDate: &created},
		{name: "RFC 3339 with offset", fields: `"dateCreated":"2025-08-14T21:12:13+02:00"`, wantDate: &created},
		{name: "garbage", fields: `"dateCreated":"yesterday"`, wantProblem: `malformed sharing 61: dateCreated: invalid date "yesterday"`},
		{name: "RFC 3339 with a negative offset", fields: `"dateCreated":"2025-08-14T14:12:13-05:00"`, wantDate: &created},
		{name: "Unix seconds as a number", fields: `"dateCreated":1755198733`, wantDate: &created},
		{name: "Unix seconds as a string", fields: `"dateCreated":"1755198733"`, wantDate: &created},
		{name: "Unix seconds with a fraction", fields: `"dateCreated":1755198733.0`, wantDate: &created},
		{name: "blank string", fields: `"dateCreated":"  "`},
		{name: "a number starting with 0", fields: `"dateCreated":0`, wantDate: ptr(time.Unix(0, 0).UTC())},
		{name: "a number starting with 9", fields: `"dateCreated":946684800`, wantDate: ptr(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))},
		{name: "negative number", fields: `"dateCreated":-1`, wantProblem: `malformed sharing 61: dateCreated: invalid date "-1"`},
		{name: "object", fields: `"dateCreated":{"date":"2025-08-14"}`, wantProblem: `malformed sharing 61: dateCreated: expected a string or a number`},
		{name: "true", fields: `"dateCreated":true`, wantProblem: `malformed sharing 61: dateCreated: expected a string or a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, problem := decodeSharing(json.RawMessage(`{"id":61,"token":"tok1",`+tt.fields+`}`), time.Time{})
			if tt.wantProblem != "" {
				if !strings.HasPrefix(problem, tt.wantProblem) {
					t.Fatalf("problem %q, want prefix %q", problem, tt.wantProblem)
				}
				return
			}
			if problem != "" {
				t.Fatalf("unexpected problem %q", problem)
			}
			if !reflect.DeepEqual(s.DateCreated, tt.wantDate) {
				t.Errorf("DateCreated = %v, want %v", s.DateCreated, tt.wantDate)
			}
			if s.DateCreated != nil && s.DateCreated.Location() != time.UTC {
				t.Errorf("DateCreated %v is not in UTC", s.DateCreated)
			}
			if !reflect.DeepEqual(s.CredentialID, tt.wantCred) {
				t.Errorf("CredentialID = %v, want %v", s.CredentialID, tt.wantCred)
			}
		})
	}
}

// TestBadDateIsAnError checks that a bad dateCreated reaches the caller as
// an *Error rather than a zero time.
func TestBadDateIsAnError(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"success":true,"data":{"id":61,"token":"aZeZWFwAQQ","dateCreated":"15/08/2025"}}`)
	})
	_, err := newTestClient(t, srv.URL).GetSharing(context.Background(), 61)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || !strings.Contains(apiErr.Message, "dateCreated") {
		t.Fatalf("got %v, want an *Error about dateCreated", err)
	}
}

func ptr[T any](v T) *T { return &v }

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

// TestDecodedSharing checks every field of the documented example, and the
// Date header as ServerTime.
func TestDecodedSharing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		date       []string
		wantServer time.Time
	}{
		{"with Date", []string{"Fri, 15 Aug 2025 13:10:24 GMT"}, time.Date(2025, 8, 15, 13, 10, 24, 0, time.UTC)},
		{"without Date", nil, time.Time{}},
		{"bad Date", []string{"soon"}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Date"] = tt.date
				writeJSON(w, 200, `{"success": true, "data": {"id": 61, "partnerId": 225, "token": "aZeZWFwAQQ",
					"status": 1, "credentialId": 248, "title": "Connection by link for CRM Integration",
					"dateCreated": "2025-08-14 19:12:13", "extra": {"ignored": true}}}`)
			})
			got, err := newTestClient(t, srv.URL).GetSharing(context.Background(), 61)
			if err != nil {
				t.Fatal(err)
			}
			want := &Sharing{
				ID: 61, PartnerID: 225, Token: "aZeZWFwAQQ", Status: StatusGranted, CredentialID: ptr(int64(248)),
				Title: "Connection by link for CRM Integration", DateCreated: ptr(time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)),
				ServerTime: tt.wantServer,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
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
