package clocktest

import (
	"sync"
	"testing"
	"time"
)

func TestFakeMovesOnlyWhenTold(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFake(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now() = %v, want %v", c.Now(), start)
	}
	c.Advance(48 * time.Hour)
	if want := start.Add(48 * time.Hour); !c.Now().Equal(want) {
		t.Fatalf("after Advance: %v, want %v", c.Now(), want)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("after Set: %v, want %v", c.Now(), start)
	}
}

// Terraform calls the provider from many goroutines; under -race this
// proves the fake clock is safe to share between them and the sandbox.
func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFake(start)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); c.Advance(time.Second) }()
		go func() { defer wg.Done(); _ = c.Now() }()
	}
	wg.Wait()
	if want := start.Add(50 * time.Second); !c.Now().Equal(want) {
		t.Fatalf("after 50 concurrent Advance(1s): %v, want %v", c.Now(), want)
	}
}
