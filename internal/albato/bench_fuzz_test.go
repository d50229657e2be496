package albato

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

var exampleBody = []byte(`{"success": true, "data": {"id": 61, "partnerId": 225, "token": "aZeZWFwAQQ", "status": 1,
	"credentialId": 248, "title": "Connection by link for CRM Integration", "dateCreated": "2025-08-14 19:12:13"}}`)

func BenchmarkDecodeSharing(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(exampleBody)))
	for b.Loop() {
		env, problem := decodeEnvelope(200, "application/json", exampleBody, testToken)
		if problem != "" {
			b.Fatal(problem)
		}
		if _, problem = decodeSharing(env.data, time.Time{}); problem != "" {
			b.Fatal(problem)
		}
	}
}

// BenchmarkListAllSharings reads 5 pages of 100 sharings from a local
// server, the whole path included (HTTP, envelope, sort, dedup).
func BenchmarkListAllSharings(b *testing.B) {
	const pages, perPage = 5, 100
	bodies := make([][]byte, pages)
	for p := range pages {
		items := make([]string, perPage)
		for i := range perPage {
			items[i] = sharingJSON(int64((pages-p)*perPage-i), fmt.Sprintf("tok%07d", p*perPage+i), i%4)
		}
		bodies[p] = fmt.Appendf(nil, `{"success":true,"data":[%s],"meta":{"page":%d,"totalPages":%d,"totalItemsCount":%d}}`,
			strings.Join(items, ","), p+1, pages, pages*perPage)
	}
	srv := serve(b, func(w http.ResponseWriter, r *http.Request) {
		var p int
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &p)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bodies[p-1])
	})
	c := newTestClient(b, srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		all, err := c.ListAllSharings(context.Background())
		if err != nil || len(all) != pages*perPage {
			b.Fatalf("got %d sharings, %v", len(all), err)
		}
	}
}

// FuzzDecodeResponse checks that no status, Content-Type or body makes the
// decoder panic, call an HTTP failure a success, or leak the API token.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, "application/json", exampleBody)
	f.Add(200, "application/json", []byte(`{"success":true,"data":[{"id":1,"token":"abcd"}],"meta":{"page":1,"totalPages":1,"totalItemsCount":1}}`))
	f.Add(404, "application/json", []byte(`{"success":false,"message":"Sharing not found"}`))
	f.Add(422, "application/json", []byte(`{"success":false,"errors":[{"field":"title","message":"is required"}]}`))
	f.Add(400, "application/json", []byte(`{"success":false,"error":{"message":"bad `+testToken+`"}}`))
	f.Add(502, "text/html", []byte(`<html><title>502 Bad Gateway</title></html>`))
	f.Add(200, "", []byte(`{"success":true,"data":{"id":61,"dateCreated":"2025-08-14T19:12:13+02:00"`))
	f.Add(200, "application/json", []byte(`{"success":true,"data":{"id":61,"dateCreated":"nope"}}`))
	f.Add(500, "text/plain", []byte("\xff\xfe<"))
	c, err := New(Config{BaseURL: "https://api.albato.com", Token: testToken})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		env, problem := decodeEnvelope(status, contentType, body, testToken)
		if problem == "" {
			if status >= 400 {
				t.Fatalf("HTTP %d decoded as a success", status)
			}
			if _, p := decodeSharing(env.data, time.Time{}); p != "" {
				problem = p
			}
			if _, p := decodePage(env, 1, time.Time{}); p != "" && problem == "" {
				problem = p
			}
		}
		if problem == "" {
			return
		}
		msg := c.apiError("read sharing", status, problem, body).Error()
		if strings.Contains(msg, testToken) {
			t.Fatalf("error %q leaks the API token", msg)
		}
	})
}
