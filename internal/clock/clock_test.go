package clock

import (
	"testing"
	"time"
)

func TestRealFollowsTheWallClock(t *testing.T) {
	t.Parallel()
	before := time.Now()
	got := Real{}.Now()
	if got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("Real{}.Now() = %v, far from time.Now() = %v", got, before)
	}
}
