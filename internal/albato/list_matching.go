package albato

import "context"

// ListSharingsMatching returns the account's sharings for which match is
// true (every sharing when match is nil), sorted by ID ascending, and at most
// limit of them when limit is positive.
//
// It reads the list as ListAllSharings does (the same checks, the same
// errors, the same readings again when the list changes) but stops as soon
// as limit sharings matched: after page 1 it asks only for as many further
// pages as could still be needed were every sharing on them to match, so a
// limit that page 1 satisfies costs one request, and no page after the one
// that completes the limit is ever read. Without a limit every page is read,
// concurrently as ListAllSharings does.
func (c *Client) ListSharingsMatching(ctx context.Context, match func(Sharing) bool, limit int) ([]Sharing, error) {
	return c.readUntilSteady(ctx, func() ([]Sharing, *listChange, error) {
		return c.listMatchingOnce(ctx, match, limit)
	})
}

// listMatchingOnce is one reading for ListSharingsMatching, from page 1.
func (c *Client) listMatchingOnce(ctx context.Context, match func(Sharing) bool, limit int) (_ []Sharing, changed *listChange, err error) {
	first, pages, err := c.startReading(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	total := first.TotalPages
	count := func(p []Sharing) int {
		n := 0
		for _, s := range p {
			if match == nil || match(s) {
				n++
			}
		}
		return n
	}
	matched, read := count(first.Sharings), 1
	// The page size is what page 1 holds: the API may not honour the size
	// asked for.
	perPage := max(len(first.Sharings), 1)
	for read < total && (limit <= 0 || matched < limit) {
		batch := total - read
		if limit > 0 {
			batch = min(batch, (limit-matched+perPage-1)/perPage)
		}
		changed, err = c.listPages(ctx, first, pages[:read+batch], read+1, false)
		if err != nil || changed != nil {
			return nil, changed, err
		}
		for _, p := range pages[read : read+batch] {
			matched += count(p)
		}
		read += batch
	}
	if err := repeatedPageError(pages[:read]); err != nil {
		return nil, nil, err
	}
	all := mergePages(pages[:read])
	out := all[:0]
	for _, s := range all {
		if limit > 0 && len(out) >= limit {
			break
		}
		if match == nil || match(s) {
			out = append(out, s)
		}
	}
	return out, nil, nil
}
