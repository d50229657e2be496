package albato

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestErrorBodies checks how every failure shape is reported, end to end.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	longMessage := strings.Repeat("word ", 200)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantStatus  int
		wantMessage string // exact, unless wantContains is set
		wantPrefix  bool   // wantMessage is a prefix
	}{
		{
			name: "message", status: 400,
			body:       `{"success":false,"message":"Sharing not found"}`,
			wantStatus: 400, wantMessage: "Sharing not found",
		},
		{
			name: "message with trailing period", status: 400,
			body:       `{"success":false,"message":"Sharing not found."}`,
			wantStatus: 400, wantMessage: "Sharing not found",
		},
		{
			name: "error string", status: 400,
			body:       `{"success":false,"error":"partnerId is required"}`,
			wantStatus: 400, wantMessage: "partnerId is required",
		},
		{
			name: "error object", status: 422,
			body:       `{"success":false,"error":{"code":17,"message":"Title is too long"}}`,
			wantStatus: 422, wantMessage: "Title is too long",
		},
		{
			name: "errors strings", status: 422,
			body:       `{"success":false,"errors":["title is required","partnerId is invalid"]}`,
			wantStatus: 422, wantMessage: "title is required; partnerId is invalid",
		},
		{
			name: "errors objects", status: 422,
			body:       `{"success":false,"errors":[{"message":"bad request"},{"field":"title","message":"is required"},{"code":3}]}`,
			wantStatus: 422, wantMessage: "bad request; title: is required",
		},
		{
			name: "errors as a field map", status: 422,
			body:       `{"success":false,"errors":{"title":["is required"],"partnerId":["must be positive"]}}`,
			wantStatus: 422, wantMessage: "partnerId: must be positive; title: is required",
		},
		{
			name: "message and errors", status: 422,
			body:       `{"success":false,"message":"Validation failed","errors":["title is required"]}`,
			wantStatus: 422, wantMessage: "Validation failed: title is required",
		},
		{
			name: "no description: raw body", status: 500,
			body:       "{\"success\": false,\n  \"code\": 42}",
			wantStatus: 500, wantMessage: `{"success": false, "code": 42}`,
		},
		{
			name: "empty message falls back to error", status: 400,
			body:       `{"success":false,"message":"","error":"Bad partner"}`,
			wantStatus: 400, wantMessage: "Bad partner",
		},
		{
			name: "plain text", status: 502, contentType: "text/plain; charset=utf-8",
			body:       "upstream connect error or disconnect/reset before headers\n",
			wantStatus: 502, wantMessage: "unexpected non-JSON response (Content-Type text/plain): upstream connect error or disconnect/reset before headers",
		},
		{
			name: "HTML error page", status: 502, contentType: "text/html",
			body:       "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			wantStatus: 502, wantMessage: "unexpected non-JSON response (Content-Type text/html): 502 Bad Gateway",
		},
		{
			name: "HTML without title at 200", status: 200, contentType: "text/html; charset=UTF-8",
			body:       "<!doctype html><html><body><h1>Sign in</h1><p>to continue &amp; more</p></body></html>",
			wantStatus: 200, wantMessage: "unexpected non-JSON response (Content-Type text/html): Sign in to continue & more",
		},
		{
			name: "plain text with angle brackets", status: 500, contentType: "text/plain",
			body:       "limit < 10 > 5",
			wantStatus: 500, wantMessage: "unexpected non-JSON response (Content-Type text/plain): limit < 10 > 5",
		},
		{
			name: "non-JSON without content type", status: 500, contentType: "-",
			body:       "oops",
			wantStatus: 500, wantMessage: "unexpected non-JSON response (no Content-Type): oops",
		},
		{
			name: "empty body at 500", status: 500,
			body:       "",
			wantStatus: 500, wantMessage: "empty response body",
		},
		{
			name: "blank body at 200", status: 200,
			body:       " \n ",
			wantStatus: 200, wantMessage: "empty response body",
		},
		{
			name: "truncated JSON", status: 200,
			body:       `{"success":true,"data":{"id":61,"partnerId":22`,
			wantStatus: 200, wantMessage: "malformed JSON response (unexpected end of JSON input", wantPrefix: true,
		},
		{
			name: "broken JSON", status: 200,
			body:       `{"success":true,"data":{"id":61,,}}`,
			wantStatus: 200, wantMessage: "malformed JSON response (invalid character ',' looking for beginning of object key string at byte", wantPrefix: true,
		},
		{
			name: "success false at 200", status: 200,
			body:       `{"success":false,"message":"Quota exceeded"}`,
			wantStatus: 200, wantMessage: "Quota exceeded",
		},
		{
			name: "success false at 400", status: 400,
			body:       `{"success":false,"message":"Invalid partner"}`,
			wantStatus: 400, wantMessage: "Invalid partner",
		},
		{
			name: "success false at 500", status: 500,
			body:       `{"success":false,"message":"Internal error"}`,
			wantStatus: 500, wantMessage: "Internal error",
		},
		{
			name: "success true but HTTP 500", status: 500,
			body:       `{"success":true,"data":null,"message":"partial failure"}`,
			wantStatus: 500, wantMessage: "partial failure",
		},
		{
			name: "success true with null data", status: 200,
			body:       `{"success":true,"data":null}`,
			wantStatus: 200, wantMessage: `malformed response: "data" is missing or null`,
		},
		{
			name: "success true without data", status: 200,
			body:       `{"success":true}`,
			wantStatus: 200, wantMessage: `malformed response: "data" is missing or null`,
		},
		{
			name: "data of the wrong type", status: 200,
			body:       `{"success":true,"data":"61"}`,
			wantStatus: 200, wantMessage: "malformed sharing: expected an object, got string",
		},
		{
			name: "id of the wrong type", status: 200,
			body:       `{"success":true,"data":{"id":"61","partnerId":225}}`,
			wantStatus: 200, wantMessage: `malformed sharing: field "id": expected an integer, got string`,
		},
		{
			name: "token of the wrong type", status: 200,
			body:       `{"success":true,"data":{"id":61,"token":12345}}`,
			wantStatus: 200, wantMessage: `malformed sharing: field "token": expected a string, got number`,
		},
		{
			name: "data without id", status: 200,
			body:       `{"success":true,"data":{}}`,
			wantStatus: 200, wantMessage: `malformed sharing: "id" is missing or not positive`,
		},
		{
			name: "JSON list instead of envelope", status: 200,
			body:       `[1,2,3]`,
			wantStatus: 200, wantMessage: "unexpected JSON response (expected an object): [1,2,3]",
		},
		{
			name: "JSON string at 503", status: 503,
			body:       `"Service temporarily unavailable"`,
			wantStatus: 503, wantMessage: "Service temporarily unavailable",
		},
		{
			name: "JSON null at 500", status: 500,
			body:       `null`,
			wantStatus: 500, wantMessage: "null",
		},
		{
			name: "long message is shortened", status: 400,
			body:       `{"success":false,"message":"` + longMessage + `"}`,
			wantStatus: 400, wantMessage: strings.Repeat("word ", 59) + "word…",
		},
		{
			name: "invalid UTF-8", status: 500, contentType: "text/plain",
			body:       "bad \xff\xfe bytes",
			wantStatus: 500, wantMessage: "unexpected non-JSON response (Content-Type text/plain): bad \uFFFD bytes",
		},
		{
			name: "huge body", status: 200,
			body:       `{"success":true,"data":{"id":1,"title":"` + strings.Repeat("x", maxBodyBytes) + `"}}`,
			wantStatus: 200, wantMessage: "response body exceeds 10 MiB",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				switch tt.contentType {
				case "":
					w.Header().Set("Content-Type", "application/json")
				case "-":
					w.Header()["Content-Type"] = nil
				default:
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c := newTestClient(t, srv.URL, withRetries(0))
			s, err := c.GetSharing(context.Background(), 61)
			if err == nil {
				t.Fatalf("GetSharing succeeded with %+v, want an error", s)
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if apiErr.Operation != "read sharing" || apiErr.StatusCode != tt.wantStatus {
				t.Errorf("got operation %q status %d, want %q %d", apiErr.Operation, apiErr.StatusCode, "read sharing", tt.wantStatus)
			}
			if tt.wantPrefix {
				if !strings.HasPrefix(apiErr.Message, tt.wantMessage) {
					t.Errorf("message %q, want prefix %q", apiErr.Message, tt.wantMessage)
				}
			} else if apiErr.Message != tt.wantMessage {
				t.Errorf("message\n got %q\nwant %q", apiErr.Message, tt.wantMessage)
			}
			if n := utf8.RuneCountInString(apiErr.Message); n > maxMessageRunes+1 {
				t.Errorf("message has %d runes, want at most %d", n, maxMessageRunes+1)
			}
			if strings.HasSuffix(err.Error(), ".") {
				t.Errorf("error %q ends with a period", err)
			}
		})
	}
}

// TestDecodeGarbage feeds bodies that must never panic nor succeed.
func TestDecodeGarbage(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	deepErrors := `{"success":false,"errors":` + strings.Repeat(`[{"message":`, 200) + `"x"` + strings.Repeat(`}]`, 200) + `}`
	bodies := []string{
		"\x00\x01\x02", "{", "}", "[", "nul", "true", "1e999", `{"success":"yes"}`,
		`{"success":true,"data":[]}`, `{"success":true,"data":{"id":1e30}}`,
		`{"success":true,"data":{"id":1,"dateCreated":[42]}}`, `{"success":true,"data":{"id":1,"status":"1"}}`,
		`{"success":true,"data":{"id":1,"credentialId":"x"}}`, `{"success":false,"errors":[[[["deep"]]]]}`,
		deep, deepErrors, "<", "<title>", "<title>x", "<<<>>>", `{"success":true,"data":{"id":1,"dateCreated":"tomorrow"}}`,
		`{"success":true,"data":{"id":-4}}`, "<title>\xde\xde\xde\xde</title", "<TITLE>\xff</TITLE>",
	}
	for _, status := range []int{200, 201, 400, 500} {
		for _, body := range bodies {
			env, problem := decodeEnvelope(status, "application/json", []byte(body), testToken)
			if problem != "" {
				continue
			}
			if status >= 400 {
				t.Errorf("status %d body %.40q: decoded as success", status, body)
			}
			if _, p := decodeSharing(env.data, time.Time{}); p == "" {
				t.Errorf("status %d body %.40q: decoded as a sharing", status, body)
			}
		}
	}
}

// TestDescribeDepth: an error description is read down to maxDescribeDepth
// levels of nesting and no deeper, in lists, objects and validation maps.
func TestDescribeDepth(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		`[[["deep"]]]`:   "deep",
		`[[[["deep"]]]]`: "",
		`{"message":{"message":{"message":"deep"}}}`:             "deep",
		`{"message":{"message":{"message":{"message":"deep"}}}}`: "",
		`{"title":[["deep"]]}`:                                   "title: deep",
		`{"title":[[["deep"]]]}`:                                 "",
	} {
		if got := describe(json.RawMessage(raw), 0); got != want {
			t.Errorf("describe(%s) = %q, want %q", raw, got, want)
		}
	}
}

// TestPlainTextIsNotHTML: a text body is quoted as it is; only an HTML one
// (by Content-Type or a leading '<') loses its tags and entities.
func TestPlainTextIsNotHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ contentType, body, want string }{
		{"text/plain", "x < y &amp; z", "x < y &amp; z"},
		{"", "<p>a &amp; b</p>", "a & b"},
		{"text/html", "x <b>y</b>", "x y"},
	} {
		_, msg := decodeEnvelope(502, tc.contentType, []byte(tc.body))
		if !strings.HasSuffix(msg, ": "+tc.want) {
			t.Errorf("%q as %q: %q, want it to end with %q", tc.body, tc.contentType, msg, tc.want)
		}
	}
}

// TestEnvelopeMembersInAnyCase: the envelope's members are read in any
// letter case, as encoding/json matches them.
func TestEnvelopeMembersInAnyCase(t *testing.T) {
	t.Parallel()
	if _, problem := decodeEnvelope(200, "application/json", []byte(`{"Success":false,"Message":"no"}`)); problem != "no" {
		t.Errorf("problem %q, want %q", problem, "no")
	}
	if env, _ := decodeEnvelope(200, "application/json", []byte(`{"SUCCESS":false}`)); !env.saysFailure {
		t.Error(`{"SUCCESS":false} does not say failure`)
	}
}
