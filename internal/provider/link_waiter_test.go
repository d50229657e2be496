package provider

import (
	"slices"
	"testing"
	"time"
)

// A wait's pause grows by 1.6x a round from the shortest to the longest,
// and stays there: a quick grant is seen quickly, a slow one costs few reads.
func TestNextPause(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	for p := time.Second; len(got) < 8; p = nextPause(p, 15*time.Second) {
		got = append(got, p)
	}
	want := []time.Duration{time.Second, 1600 * time.Millisecond, 2560 * time.Millisecond, 4096 * time.Millisecond,
		6553600 * time.Microsecond, 10485760 * time.Microsecond, 15 * time.Second, 15 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
}
