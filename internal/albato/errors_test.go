package albato

import (
	"errors"
	"testing"
)

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Operation: "read sharing", StatusCode: 404, Message: "Sharing not found"}, "read sharing: HTTP 404: Sharing not found"},
		{&Error{Operation: "revoke sharing", StatusCode: 500}, "revoke sharing: HTTP 500"},
		{&Error{StatusCode: 429, Message: "slow down"}, "albato API: HTTP 429: slow down"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestIsNotFoundIsUnauthorized(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		err              error
		notFound, unauth bool
	}{
		{"nil", nil, false, false},
		{"plain error", errors.New("404"), false, false},
		{"404 of the sharing API", &Error{StatusCode: 404, gone: true}, true, false},
		{"wrapped 404 of the sharing API", errors.Join(errors.New("x"), &Error{StatusCode: 404, gone: true}), true, false},
		{"404 of something else", &Error{StatusCode: 404, envelope: true}, false, false},
		{"401", &Error{StatusCode: 401}, false, true},
		{"403 wrapped", wrapf(&Error{StatusCode: 403}), false, true},
		{"success false at 200", &Error{StatusCode: 200, Message: "not found"}, false, false},
		{"500", &Error{StatusCode: 500}, false, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.notFound {
			t.Errorf("%s: IsNotFound = %v, want %v", tt.name, got, tt.notFound)
		}
		if got := IsUnauthorized(tt.err); got != tt.unauth {
			t.Errorf("%s: IsUnauthorized = %v, want %v", tt.name, got, tt.unauth)
		}
	}
}

func wrapf(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "outer: " + w.err.Error() }

func (w *wrapped) Unwrap() error { return w.err }
