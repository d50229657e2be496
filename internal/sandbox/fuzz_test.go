package sandbox_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

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
