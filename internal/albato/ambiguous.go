package albato

import (
	"errors"
	"net/http"
)

// MayHaveBeenApplied reports whether a failed request may still have taken
// effect on the server. It is true when no answer came (a reset, an EOF, a
// timeout or a cancellation after the request was sent), when the answer was
// a server error (5xx but 501: the API or a gateway in front of it may have
// failed after the write), and when a success status came with a body that
// could not be read (empty, truncated, malformed, oversized). It is false
// for a refused connection or a DNS failure, which never reached the server,
// and for every answer in which the API said it did nothing: 4xx, 501, and
// "success": false at any status. Callers use it to avoid sending a create
// blind a second time.
func MayHaveBeenApplied(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.unreadable {
			return true
		}
		return apiErr.StatusCode >= 500 && apiErr.StatusCode != http.StatusNotImplemented
	}
	// A dial error never left this machine; anything else (a reset, an
	// EOF, a timeout, a cancellation) may have come after the server read
	// the request.
	return !isDialError(err)
}
