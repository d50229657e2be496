package albato

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
)

// How a listing reads (exported for the provider's descriptions).
const (
	maxListPages    = 10000 // more is an absurd answer, not a list to follow
	ListConcurrency = 8     // pages read at once: hides a remote API's latency without looking like a flood
	ListReadings    = 3     // readings of a list that keeps changing, at most
	ListPageSize    = 50    // the most Albato's sibling list endpoints accept; the API may grant fewer
)

// ListAllSharings returns each of the account's sharings once (the later
// page's copy), sorted by ID. Page 1 tells how many pages there are; the
// others are read concurrently, never past that count (an API may answer a
// page out of range with its last one). A list that changes while it is
// read is read again, up to ListReadings times, then is an *Error; so is a
// page that repeats an earlier one, and pages that hold another number of
// sharings than page 1 counts: never a silent part of the list.
func (c *Client) ListAllSharings(ctx context.Context) ([]Sharing, error) {
	return c.listSharings(ctx, listQuery{})
}

// ListAllSharingsFrom is ListAllSharings whose first reading starts from a
// page 1 the caller has just read; should the list change, it is read again.
func (c *Client) ListAllSharingsFrom(ctx context.Context, first *Page) ([]Sharing, error) {
	return c.listSharings(ctx, listQuery{first: first})
}

// ListSharingsMatching is ListAllSharings kept to the sharings match accepts
// (all if nil), at most limit if positive: no page after the one that
// completes the limit is read.
func (c *Client) ListSharingsMatching(ctx context.Context, match func(Sharing) bool, limit int) ([]Sharing, error) {
	return c.listSharings(ctx, listQuery{match: match, limit: limit})
}

type listQuery struct {
	first *Page              // page 1, if the caller has read it
	match func(Sharing) bool // nil: every sharing
	limit int                // positive: stop once this many matched
	// union merges every reading (the last copy wins) instead of failing on
	// a busy account's list that changes at every reading.
	union bool
}

// listSharings reads the list again from page 1 while it changes, up to
// ListReadings times in all.
func (c *Client) listSharings(ctx context.Context, q listQuery) ([]Sharing, error) {
	found := map[int64]Sharing{}
	for reading := 1; ; reading++ {
		got, changed, err := c.readList(ctx, q)
		switch {
		case err != nil:
			return nil, err
		case q.union:
			for _, s := range got {
				found[s.ID] = s
			}
			if changed == nil || reading >= ListReadings {
				return q.keep(slices.SortedFunc(maps.Values(found), byID)), nil
			}
		case changed == nil:
			return got, nil
		case reading >= ListReadings:
			return nil, changed
		}
		q.first = nil
		if c.cfg.Logf != nil {
			c.cfg.Logf(ctx, "Reading the list of sharings again: it changed while it was read",
				map[string]any{"operation": "list sharings", "reading": reading + 1})
		}
	}
}

func (q *listQuery) count(page []Sharing) (n int) {
	for _, s := range page {
		if q.match == nil || q.match(s) {
			n++
		}
	}
	return n
}

// keep filters all in place to the sharings that match, at most limit.
func (q *listQuery) keep(all []Sharing) []Sharing {
	if q.match != nil {
		all = slices.DeleteFunc(all, func(s Sharing) bool { return !q.match(s) })
	}
	if q.limit > 0 {
		all = all[:min(len(all), q.limit)]
	}
	return all
}

// readList is one reading of the list, from q.first or a fresh page 1. A
// page that counts another list than page 1 ends it at once with changed
// set, unless q.union, which still reads and merges every page.
func (c *Client) readList(ctx context.Context, q listQuery) (_ []Sharing, changed *Error, err error) {
	first := q.first
	if first == nil {
		if first, err = c.ListSharings(ctx, 1); err != nil {
			return nil, nil, err
		}
	}
	total := first.TotalPages
	if total > maxListPages {
		return nil, nil, listError("the API reports %d pages, more than the %d this client reads", total, maxListPages)
	}
	pages := make([][]Sharing, max(total, 1))
	pages[0] = first.Sharings
	matched, read := q.count(first.Sharings), 1
	perPage := max(len(first.Sharings), 1) // what the API granted
	for read < total && (q.limit <= 0 || matched < q.limit) {
		batch := total - read
		if q.limit > 0 {
			batch = min(batch, (q.limit-matched+perPage-1)/perPage)
		}
		ch, err := c.readPages(ctx, first, pages[:read+batch], read+1, q.union)
		if err != nil || (ch != nil && !q.union) {
			return nil, ch, err
		}
		changed = cmp.Or(changed, ch)
		for _, p := range pages[read : read+batch] {
			matched += q.count(p)
		}
		read += batch
	}
	if earlier, later := repeatedPage(pages[:read]); later > 0 {
		return nil, nil, listError("page %d repeats page %d (the same sharings): the API seems to ignore the page "+
			"parameter, so the list cannot be read in full", later, earlier)
	}
	// Else the count or the pages are wrong: what was read may be a part.
	if held := len(slices.Concat(pages[:read]...)); read >= total && changed == nil && held != first.TotalItemsCount {
		return nil, nil, listError("the list does not add up: page 1 counts %d sharings on %d pages, but the %d pages "+
			"read hold %d, so the list cannot be read in full", first.TotalItemsCount, total, read, held)
	}
	return q.keep(mergePages(pages[:read])), changed, nil
}

func listError(format string, args ...any) *Error {
	return &Error{Operation: "list sharings", StatusCode: http.StatusOK, Message: fmt.Sprintf(format, args...)}
}

// readPages fills pages from..len(pages) (1-based), ListConcurrency at a
// time, and reports the lowest that counts another list than first (which
// ends the reading unless keepGoing). The first failure cancels the rest.
func (c *Client) readPages(ctx context.Context, first *Page, pages [][]Sharing, from int, keepGoing bool) (*Error, error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(pages))
	changes := make([]*Error, len(pages))
	var next atomic.Int64 // the last page asked for
	next.Store(int64(from - 1))
	var wg sync.WaitGroup
	for range min(ListConcurrency, len(pages)-from+1) {
		wg.Go(func() {
			for n := int(next.Add(1)); n <= len(pages) && ctx.Err() == nil; n = int(next.Add(1)) {
				p, err := c.ListSharings(ctx, n)
				if err != nil {
					errs[n-1] = err
					cancel()
					return
				}
				if p.TotalPages != first.TotalPages || p.TotalItemsCount != first.TotalItemsCount {
					changes[n-1] = listError("the list of sharings changed while it was being read "+
						"(page 1 counted %d sharings on %d pages, page %d counts %d on %d pages); read it again",
						first.TotalItemsCount, first.TotalPages, n, p.TotalItemsCount, p.TotalPages)
					if !keepGoing {
						cancel()
						return
					}
				}
				pages[n-1] = p.Sharings
			}
		})
	}
	wg.Wait()
	// The lowest page's failure, but for pages cancelled by another's
	// failure or by a change of the list, which are no failure.
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
	if parent.Err() != nil {
		return nil, fmt.Errorf("list sharings: %w", parent.Err())
	}
	if i := slices.IndexFunc(changes, func(e *Error) bool { return e != nil }); i >= 0 {
		return changes[i], nil
	}
	return nil, cancelled
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

func byID(a, b Sharing) int { return cmp.Compare(a.ID, b.ID) }

// mergePages sorts the pages' sharings by ID (the API lists by ID: usually
// already sorted), keeping the later page's copy of an ID; never nil.
func mergePages(pages [][]Sharing) []Sharing {
	all := slices.Concat(pages...)
	if all == nil {
		return []Sharing{}
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
