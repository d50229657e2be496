package sandbox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// The sandbox's API handlers, called through ServeHTTP with no network and
// no latency: what one request costs the sandbox itself, which runs beside
// Terraform and the provider in `make bench`.

const benchAuth = "Basic " + testToken

// benchSandbox returns a sandbox holding n sharings, made through the API.
func benchSandbox(b *testing.B, n, pageSize int) *sandbox.Server {
	b.Helper()
	srv, err := sandbox.New(sandbox.Options{Token: testToken, PageSize: pageSize})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		body := fmt.Sprintf(`{"partnerId":225,"title":"bench %d"}`, i)
		if rec := serve(srv, http.MethodPost, "/credentials/grant-access-sharing", body, benchAuth); rec.Code != http.StatusOK {
			b.Fatalf("seeding: HTTP %d: %s", rec.Code, rec.Body)
		}
	}
	srv.ResetRequests()
	return srv
}

// benchRequests runs the same API request b.N times and checks the status.
func benchRequests(b *testing.B, srv *sandbox.Server, method, target string, body func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := serve(srv, method, target, body(i), benchAuth)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s: HTTP %d: %s", method, target, rec.Code, rec.Body)
		}
		if i++; i%4096 == 0 {
			srv.ResetRequests() // the request log would otherwise grow with b.N
		}
	}
}

func noBody(int) string { return "" }

func firstID(b *testing.B, srv *sandbox.Server) int64 {
	b.Helper()
	all := srv.Sharings()
	if len(all) == 0 {
		b.Fatal("no sharings")
	}
	return all[len(all)/2].ID
}

func BenchmarkSandboxCreate(b *testing.B) {
	srv := benchSandbox(b, 0, 0)
	benchRequests(b, srv, http.MethodPost, "/credentials/grant-access-sharing", func(i int) string {
		return fmt.Sprintf(`{"partnerId":225,"title":"bench %d"}`, i)
	})
}

func BenchmarkSandboxGet(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodGet, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

func BenchmarkSandboxRegenerate(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodPut, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

func BenchmarkSandboxDelete(b *testing.B) {
	srv := benchSandbox(b, 1000, 0)
	benchRequests(b, srv, http.MethodDelete, fmt.Sprintf("/credentials/grant-access-sharing/%d", firstID(b, srv)), noBody)
}

// BenchmarkSandboxListPage reads one page of 20 out of 10,000 sharings, as
// the list benchmark of `make bench` does 500 times.
func BenchmarkSandboxListPage(b *testing.B) {
	srv := benchSandbox(b, 10000, 20)
	benchRequests(b, srv, http.MethodGet, "/credentials/grant-access-sharing?page=250", noBody)
}

// BenchmarkSandboxListPage1000 reads a page of 1,000 out of 10,000 sharings.
func BenchmarkSandboxListPage1000(b *testing.B) {
	srv := benchSandbox(b, 10000, 1000)
	benchRequests(b, srv, http.MethodGet, "/credentials/grant-access-sharing?page=5", noBody)
}
