package albato

// The package's benchmarks and fuzz targets, across its files (decoding,
// listing, creating under a rate limit).

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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

// tokenBucket is a rate limit that, once empty, answers 429 to everything
// until it has refilled to the brim, as an API double did under load.
type tokenBucket struct {
	mu       sync.Mutex
	tokens   float64
	limited  bool
	last     time.Time
	capacity float64
	perSec   float64
}

func (b *tokenBucket) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.perSec)
	b.last = now
	if b.limited && b.tokens < b.capacity {
		return false
	}
	b.limited = false
	if b.tokens < 1 {
		b.limited = true
		return false
	}
	b.tokens--
	return true
}

// BenchmarkRateLimitedCreates: 30 creates, 10 at a time (Terraform's
// -parallelism=10), with the provider's 4 retries each, against an API that accepts
// Bearer and answers 429 to everything until its token bucket (5 requests,
// 5 a second) has refilled to the brim; the run starts with it empty, as
// after an earlier run drained it. Times are a tenth of real ones: a
// Retry-After of 1 s waits 100 ms. Auth auto, which has yet to settle a
// scheme, takes about as long as Bearer set outright: a 429 holds no other
// request back for its retries. Creates that run out of retries count in
// failed/op.
func BenchmarkRateLimitedCreates(b *testing.B) {
	for _, scheme := range []string{"auto", "Bearer"} {
		b.Run(scheme, func(b *testing.B) {
			var tries, failed atomic.Int64
			for b.Loop() {
				bucket := &tokenBucket{capacity: 5, perSec: 5, limited: true, last: time.Now()}
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tries.Add(1)
					switch {
					case !bucket.take():
						w.Header().Set("Retry-After", "1")
						writeJSON(w, http.StatusTooManyRequests, `{"success":false,"message":"Too Many Requests"}`)
					case r.Header.Get("Authorization") != authHeaders[authBearer]:
						writeJSON(w, http.StatusUnauthorized, `{"success":false,"message":"Unauthorized"}`)
					default:
						writeJSON(w, http.StatusOK, okSharing(61))
					}
				}))
				// The provider's waits (backoff from 1 s to 30 s), scaled down.
				c := newTestClient(b, srv.URL, withRetries(4), func(c *Config) {
					c.AuthScheme, c.RetryWaitMin, c.RetryWaitMax, c.MaxRetryAfter = scheme, 100*time.Millisecond, 3*time.Second, 100*time.Millisecond
				})
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				jobs := make(chan int, 30)
				for i := range 30 {
					jobs <- i
				}
				close(jobs)
				var wg sync.WaitGroup
				for range 10 {
					wg.Go(func() {
						for i := range jobs {
							_, err := c.CreateSharing(ctx, 225, fmt.Sprintf("link %d", i))
							switch {
							case statusOf(err) == http.StatusTooManyRequests:
								failed.Add(1)
							case err != nil:
								b.Error(err)
							}
						}
					})
				}
				wg.Wait()
				cancel()
				srv.Close()
			}
			b.ReportMetric(float64(tries.Load())/float64(b.N), "requests/op")
			b.ReportMetric(float64(failed.Load())/float64(b.N), "failed/op")
		})
	}
}
