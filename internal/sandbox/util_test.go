package sandbox_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// serve runs one request through ServeHTTP directly.
func serve(h http.Handler, method, target, body, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
