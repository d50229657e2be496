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

	// listReadings is how many times ListAllSharings reads a list that
	// keeps changing under it before it gives up.
	listReadings = 3

	// listPageSize is the page size asked for: the largest that Albato's
	// sibling list endpoints accept. One out of range falls back to the
	// API's default, so nothing here assumes the size it asked for.
	listPageSize = 50
)

// ListAllSharings reads every page of the account's sharings and returns
// each sharing once, sorted by ID ascending. Page 1 tells how many pages
// there are; pages 2 to totalPages are then read concurrently, at most
// listConcurrency at a time. The reading stops at totalPages, never at an
// empty page: an API may answer a page out of range with its last page.
// Every page must report the same totalPages and totalItemsCount as page 1:
// should the list change while it is read (other links being created at the
// same moment), the result would be a mix of two lists, so it is read again
// from page 1, up to listReadings times in all, then fails with an *Error
// saying so. A page that repeats an earlier one
// (an API that ignores the page parameter) is an *Error too. Should an item
// still appear on two pages, the copy from the later page wins. The first
// failure cancels the requests in flight and is returned.
func (c *Client) ListAllSharings(ctx context.Context) ([]Sharing, error) {
	return c.ListAllSharingsFrom(ctx, nil)
}

// ListAllSharingsFrom is ListAllSharings for a caller that has just read
// page 1 (first, from ListSharings): the first reading starts from it,
// which saves a round trip; should the list change, it is read again from
// a fresh page 1.
func (c *Client) ListAllSharingsFrom(ctx context.Context, first *Page) ([]Sharing, error) {
	return c.readUntilSteady(ctx, func() ([]Sharing, *listChange, error) {
		all, changed, err := c.listAllOnce(ctx, first, false)
		first = nil
		return all, changed, err
	})
}

// readUntilSteady runs one reading of the list until a reading sees no
// change, up to listReadings times in all, then fails saying so.
func (c *Client) readUntilSteady(ctx context.Context, once func() ([]Sharing, *listChange, error)) ([]Sharing, error) {
	for reading := 1; ; reading++ {
		all, changed, err := once()
		if err != nil || changed == nil {
			return all, err
		}
		if reading >= listReadings {
			return nil, changed.err()
		}
		c.logListChanged(ctx, reading)
	}
}

// findSharings returns the account's sharings for which match is true, in
// ID order. Unlike ListAllSharings it does not fail when the list changes
// while it is read, which on a busy account it may do every time: it reads
// the list again, up to listReadings times in all, and returns what matched
// in any reading (the last reading's copy of each), so that a sharing that
// existed before the call is found even if other sharings created meanwhile
// shifted it from one page to another during a reading.
func (c *Client) findSharings(ctx context.Context, match func(Sharing) bool) ([]Sharing, error) {
	found := map[int64]Sharing{}
	for reading := 1; ; reading++ {
		all, changed, err := c.listAllOnce(ctx, nil, true)
		if err != nil {
			return nil, err
		}
		for _, s := range all {
			if match(s) {
				found[s.ID] = s
			}
		}
		if changed == nil || reading >= listReadings {
			break
		}
		c.logListChanged(ctx, reading)
	}
	out := make([]Sharing, 0, len(found))
	for _, s := range found {
		out = append(out, s)
	}
	slices.SortFunc(out, byID)
	return out, nil
}

func (c *Client) logListChanged(ctx context.Context, reading int) {
	if c.logf != nil {
		c.logf(ctx, "Reading the list of sharings again: it changed while it was read", map[string]any{
			"operation": "list sharings", "reading": reading + 1,
		})
	}
}

// listChange is set when a page counted another list than page 1 did.
type listChange struct {
	first, other *Page
	n            int // the other page's number
}

// err describes the change for ListAllSharings' error.
func (ch *listChange) err() error {
	return &Error{
		Operation:  "list sharings",
		StatusCode: http.StatusOK,
		Message: fmt.Sprintf("the list of sharings changed while it was being read "+
			"(page 1 counted %d sharings on %d pages, page %d counts %d on %d pages); read it again",
			ch.first.TotalItemsCount, ch.first.TotalPages, ch.n, ch.other.TotalItemsCount, ch.other.TotalPages),
	}
}

// listAllOnce is one reading of every page, from first if the caller read
// page 1 already. A page that counts another list than page 1 ends the
// reading at once with changed set, unless keepGoing, in which case every
// page is still read and merged.
func (c *Client) listAllOnce(ctx context.Context, first *Page, keepGoing bool) (_ []Sharing, changed *listChange, err error) {
	first, pages, err := c.startReading(ctx, first)
	if err != nil {
		return nil, nil, err
	}
	if len(pages) > 1 {
		changed, err = c.listRemainingPages(ctx, first, pages, keepGoing)
		if err != nil || (changed != nil && !keepGoing) {
			return nil, changed, err
		}
	}
	if err := repeatedPageError(pages); err != nil {
		return nil, nil, err
	}
	return mergePages(pages), changed, nil
}

// startReading begins a reading of the list from page 1, read now unless
// the caller passes it as first, and returns the slice of pages to fill,
// page 1 in place.
func (c *Client) startReading(ctx context.Context, first *Page) (*Page, [][]Sharing, error) {
	if first == nil {
		var err error
		if first, err = c.ListSharings(ctx, 1); err != nil {
			return nil, nil, err
		}
	}
	if total := first.TotalPages; total > maxListPages {
		return nil, nil, &Error{Operation: "list sharings", StatusCode: http.StatusOK,
			Message: fmt.Sprintf("the API reports %d pages, more than the %d this client reads", total, maxListPages)}
	}
	pages := make([][]Sharing, max(first.TotalPages, 1))
	pages[0] = first.Sharings
	return first, pages, nil
}

// repeatedPageError is the *Error for a list whose pages repeat an earlier
// one, or nil.
func repeatedPageError(pages [][]Sharing) error {
	earlier, later := repeatedPage(pages)
	if later == 0 {
		return nil
	}
	return &Error{Operation: "list sharings", StatusCode: http.StatusOK,
		Message: fmt.Sprintf("page %d repeats page %d (the same sharings): the API seems to ignore the page "+
			"parameter, so the list cannot be read in full", later, earlier)}
}

// repeatedPage finds a non-empty page with the same sharing IDs, in the
// same order, as an earlier one; it returns both 1-based numbers, or zeros.
func repeatedPage(pages [][]Sharing) (earlier, later int) {
	byFirstID := make(map[int64]int, len(pages))
	for i, p := range pages {
		if len(p) == 0 {
			continue
		}
		if j, ok := byFirstID[p[0].ID]; ok && slices.EqualFunc(pages[j], p, func(a, b Sharing) bool { return a.ID == b.ID }) {
			return j + 1, i + 1
		}
		byFirstID[p[0].ID] = i
	}
	return 0, 0
}

// listRemainingPages fills pages[1:] (pages 2 to len(pages)) with at most
// listConcurrency requests in flight, checking each against first: the
// first page found to count another list is reported, and ends the reading
// unless keepGoing.
func (c *Client) listRemainingPages(ctx context.Context, first *Page, pages [][]Sharing, keepGoing bool) (*listChange, error) {
	return c.listPages(ctx, first, pages, 2, keepGoing)
}

// listPages is listRemainingPages from page from (2 or more) to len(pages).
func (c *Client) listPages(ctx context.Context, first *Page, pages [][]Sharing, from int, keepGoing bool) (*listChange, error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	total := len(pages)
	errs := make([]error, total)
	var next atomic.Int64 // the next page to ask for
	next.Store(int64(from))

	var (
		changeMu sync.Mutex
		change   *listChange
	)
	var wg sync.WaitGroup
	for range min(listConcurrency, total-from+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if n > int64(total) {
					return
				}
				p, err := c.ListSharings(ctx, int(n))
				if err != nil {
					errs[n-1] = err
					cancel()
					return
				}
				if !sameList(first, p) {
					changeMu.Lock()
					if change == nil || int(n) < change.n {
						change = &listChange{first: first, other: p, n: int(n)}
					}
					changeMu.Unlock()
					if !keepGoing {
						cancel()
						return
					}
				}
				pages[n-1] = p.Sharings
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
			return nil, err
		}
	}
	if err := parent.Err(); err != nil {
		return nil, fmt.Errorf("list sharings: %w", err)
	}
	if change != nil {
		// Requests cancelled because the list changed are no failure.
		return change, nil
	}
	return nil, cancelled
}

// sameList reports whether page p counts the same list as page 1 did.
func sameList(first, p *Page) bool {
	return p.TotalPages == first.TotalPages && p.TotalItemsCount == first.TotalItemsCount
}

func byID(a, b Sharing) int { return cmp.Compare(a.ID, b.ID) }

// mergePages concatenates the pages in page order, sorts the result by ID
// (the API already lists by ID, so usually there is nothing to sort) and
// keeps, of an ID seen twice, the copy from the later page. The result is never nil.
func mergePages(pages [][]Sharing) []Sharing {
	n := 0
	for _, p := range pages {
		n += len(p)
	}
	all := make([]Sharing, 0, n)
	for _, p := range pages {
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
