package albato

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
)

const (
	// maxListPages stops ListAllSharings from following a server that
	// announces an absurd number of pages.
	maxListPages = 10000

	// listConcurrency bounds how many pages ListAllSharings asks for at
	// once, after the first: enough to hide the latency of a remote API
	// (10,000 sharings in pages of 20 take about 500/8 round trips instead
	// of 500), few enough not to look like a flood to it.
	listConcurrency = 8
)

// ListAllSharings reads every page of the account's sharings and returns
// each sharing once, sorted by ID ascending. Page 1 tells how many pages
// there are; pages 2 to totalPages are then read concurrently, at most
// listConcurrency at a time. Every page must report the same totalPages and
// totalItemsCount as page 1: should the list change while it is read, the
// result would be a mix of two lists, so it fails with an *Error saying so
// (reading again gives a consistent list). Should an item still appear on
// two pages, the copy from the later page wins; an empty page ends the list.
// The first failure cancels the requests in flight and is returned.
func (c *Client) ListAllSharings(ctx context.Context) ([]Sharing, error) {
	first, err := c.ListSharings(ctx, 1)
	if err != nil {
		return nil, err
	}
	total := first.TotalPages
	if total > maxListPages {
		return nil, &Error{Operation: "list sharings", StatusCode: http.StatusOK,
			Message: fmt.Sprintf("the API reports %d pages, more than the %d this client reads", total, maxListPages)}
	}
	pages := make([][]Sharing, max(total, 1))
	pages[0] = first.Sharings
	if total > 1 && len(first.Sharings) > 0 {
		if err := c.listRemainingPages(ctx, first, pages); err != nil {
			return nil, err
		}
	}
	return mergePages(pages), nil
}

// listRemainingPages fills pages[1:] (pages 2 to len(pages)) with at most
// listConcurrency requests in flight, checking each against first.
func (c *Client) listRemainingPages(ctx context.Context, first *Page, pages [][]Sharing) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	total := len(pages)
	errs := make([]error, total)
	var next atomic.Int64 // the next page to ask for
	next.Store(2)
	var last atomic.Int64 // no page after this one is needed
	last.Store(int64(total))

	var wg sync.WaitGroup
	for range min(listConcurrency, total-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if n > last.Load() {
					return
				}
				p, err := c.ListSharings(ctx, int(n))
				if err == nil {
					err = checkSameList(first, p, int(n))
				}
				if err != nil {
					errs[n-1] = err
					cancel()
					return
				}
				pages[n-1] = p.Sharings
				if len(p.Sharings) == 0 {
					lowerTo(&last, n) // pages are contiguous: nothing follows an empty one
				}
			}
		}()
	}
	wg.Wait()

	// Report the failure of the lowest page, skipping the requests that
	// were cancelled only because another one had failed.
	var cancelled error
	for _, err := range errs {
		switch {
		case err == nil:
		case parent.Err() == nil && errors.Is(err, context.Canceled):
			cancelled = cmp.Or(cancelled, err)
		default:
			return err
		}
	}
	if err := parent.Err(); err != nil {
		return fmt.Errorf("list sharings: %w", err)
	}
	return cancelled
}

// lowerTo sets v to n unless it is already lower.
func lowerTo(v *atomic.Int64, n int64) {
	for {
		cur := v.Load()
		if n >= cur || v.CompareAndSwap(cur, n) {
			return
		}
	}
}

// checkSameList fails when page n counts another list than page 1 did.
func checkSameList(first, p *Page, n int) error {
	if p.TotalPages == first.TotalPages && p.TotalItemsCount == first.TotalItemsCount {
		return nil
	}
	return &Error{
		Operation:  "list sharings",
		StatusCode: http.StatusOK,
		Message: fmt.Sprintf("the list of sharings changed while it was being read "+
			"(page 1 counted %d sharings on %d pages, page %d counts %d on %d pages); read it again",
			first.TotalItemsCount, first.TotalPages, n, p.TotalItemsCount, p.TotalPages),
	}
}

func byID(a, b Sharing) int { return cmp.Compare(a.ID, b.ID) }

// mergePages concatenates the pages in page order up to the first empty
// one, sorts the result by ID (the API already lists by ID, so usually
// there is nothing to sort) and keeps, of an ID seen twice, the copy from
// the later page. The result is never nil.
func mergePages(pages [][]Sharing) []Sharing {
	n := 0
	for _, p := range pages {
		if len(p) == 0 {
			break
		}
		n += len(p)
	}
	all := make([]Sharing, 0, n)
	for _, p := range pages {
		if len(p) == 0 {
			break
		}
		all = append(all, p...)
	}
	if !slices.IsSortedFunc(all, byID) {
		slices.SortStableFunc(all, byID)
	}
	out := all[:0]
	for i := range all {
		if i+1 < len(all) && all[i+1].ID == all[i].ID {
			continue // a later copy follows (the sort is stable)
		}
		out = append(out, all[i])
	}
	return out
}
