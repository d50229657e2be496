package albato

import (
	"errors"
	"net/http"
)

// MayHaveBeenApplied reports whether a failed request may still have taken
// effect on the server: no answer came (a reset, an EOF, a timeout or a
// cancellation after the request was sent), or a gateway answered that the
// API behind it did not (502, 504). It is false for a refused connection or
// a DNS failure, which never reached the server, and for any answer from the
// API itself. Callers use it to avoid sending a create blind a second time.
func MayHaveBeenApplied(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusBadGateway || apiErr.StatusCode == http.StatusGatewayTimeout
	}
	// A dial error never left this machine; anything else (a reset, an
	// EOF, a timeout, a cancellation) may have come after the server read
	// the request.
	return !isDialError(err)
}
