package provider

import (
	"slices"
	"testing"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
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

// A wait's messages name at most five links, then say how many more.
func TestWaitNames(t *testing.T) {
	t.Parallel()
	w := linkWait{read: map[int64]*albato.Sharing{61: {ID: 61, Title: "Acme"}}}
	if got, want := w.names([]int64{61, 62, 63, 64, 65, 66, 67}), "61 (Acme), 62, 63, 64, 65, and 2 more"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if got, want := w.names([]int64{61, 62}), "61 (Acme), 62"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
}
