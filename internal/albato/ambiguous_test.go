package albato

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

func TestMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"answer from the API", &Error{Operation: "create sharing", StatusCode: 400, Message: "bad"}, false},
		{"server error", &Error{Operation: "create sharing", StatusCode: 500, Message: "oops"}, true},
		{"service unavailable", &Error{Operation: "create sharing", StatusCode: 503, Message: "later"}, true},
		{"not implemented", &Error{Operation: "create sharing", StatusCode: 501, Message: "no"}, false},
		{"rate limited", &Error{Operation: "create sharing", StatusCode: 429, Message: "slow down"}, false},
		{"unreadable success", &Error{Operation: "create sharing", StatusCode: 200, Message: "empty response body", unreadable: true}, true},
		{"success false at 200", &Error{Operation: "create sharing", StatusCode: 200, Message: "bad"}, false},
		{"bad gateway", &Error{Operation: "create sharing", StatusCode: 502, Message: "proxy"}, true},
		{"gateway timeout", &Error{Operation: "create sharing", StatusCode: 504, Message: "proxy"}, true},
		{"connection refused", fmt.Errorf("create sharing: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), false},
		{"DNS failure", fmt.Errorf("create sharing: %w", &net.DNSError{Err: "no such host", Name: "api"}), false},
		{"reset after sending", fmt.Errorf("create sharing: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{"EOF", fmt.Errorf("create sharing: %w", io.ErrUnexpectedEOF), true},
		{"cancelled", fmt.Errorf("create sharing: %w", context.Canceled), true},
		{"timeout", fmt.Errorf("create sharing: %w", context.DeadlineExceeded), true},
		{"anything else", errors.New("something odd"), true},
	}
	for _, c := range cases {
		if got := MayHaveBeenApplied(c.err); got != c.want {
			t.Errorf("%s: MayHaveBeenApplied = %v, want %v", c.name, got, c.want)
		}
	}
}
