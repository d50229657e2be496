// Package clock gives the provider one notion of "now" that tests can
// replace (internal/clocktest), so that expiry is tested without sleeping.
package clock

import "time"

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns the current wall-clock time.
func (Real) Now() time.Time { return time.Now() }
