package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// readLink GETs one link for every type but the resource's refresh (which
// takes a missing link out of the state): a missing link is an error
// against at, in the one not-found message, with what to do appended.
func (pd *providerData) readLink(ctx context.Context, id int64, at path.Path, remedy string, diags *diag.Diagnostics) *albato.Sharing {
	s, err := pd.client.GetSharing(ctx, id)
	switch {
	case albato.IsNotFound(err):
		diags.AddAttributeError(at, "Connection Link Not Found", noSuchLink(id)+remedy)
	case err != nil:
		diags.AddError("Unable to Read Connection Link", pd.apiErrorDetail(fmt.Sprintf("read connection link %d", id), err))
	}
	return s
}

// recreateRemedy is what to do about a link that is revoked or deleted.
const recreateRemedy = "If an albato_connection_link resource manages it, the next terraform apply creates a new " +
	"link in its place, with a new id: hand that link out."

// noSuchLink is the one message of a link the API does not know.
func noSuchLink(id int64) string {
	return fmt.Sprintf("There is no connection link with id %d in this Albato account: it was deleted, or the id is wrong.", id)
}

// sharingReader serves the resource's refreshes of one run (one provider
// process), and each round of a wait, with as few requests as it can (DESIGN.md, "When a request is
// sent"). Terraform refreshes each link with its own Read; with many
// links one listing of the account is far cheaper than a GET each. Which is
// better depends on how many links refresh and how many pages the account
// has, neither known in advance, so the reader GETs each link until its GETs
// reach the account's number of pages (learnt from page 1, read at the
// second refresh), then lists the account once and serves the remaining
// refreshes from that listing. That costs at most about twice the better of
// the two ways: 1 link in an account of 10,000 costs 1 request, 500 links in
// an account of 10 pages about 20 instead of 500.
//
// A link the listing lacks (created since, or deleted) gets its own GET, so
// that a 404 still shows; a failed listing falls back to GETs. Nothing is
// kept beyond the process, which Terraform starts anew for every command.
type sharingReader struct {
	client *albato.Client

	mu      sync.Mutex
	gets    int           // GETs made so far
	pages   int           // the account's pages; 0 until known, -1 when it could not be learnt
	first   *albato.Page  // page 1, read to learn pages: the listing starts from it
	probed  chan struct{} // while page 1 is read to learn pages: closed when done
	listing *listing      // set once the account is listed
}

// listing is one listing of the whole account, shared by every refresh that
// comes after it was started.
type listing struct {
	done chan struct{} // closed when byID and err are set
	byID map[int64]albato.Sharing
	err  error
}

// newSharingReader returns a reader knowing the account's pages (0 when
// not known, -1 to GET every link).
func newSharingReader(c *albato.Client, pages int) *sharingReader {
	return &sharingReader{client: c, pages: pages}
}

// Get returns the sharing as the API shows it now, within this run.
func (r *sharingReader) Get(ctx context.Context, id int64) (*albato.Sharing, error) {
	r.mu.Lock()
	for r.probed != nil {
		// Wait for page 1 rather than GET meanwhile: it decides whether
		// this refresh is served by a listing.
		probed := r.probed
		r.mu.Unlock()
		select {
		case <-probed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		r.mu.Lock()
	}
	l := r.listing
	startListing := l == nil && r.pages > 0 && r.gets >= r.pages
	if startListing {
		l = &listing{done: make(chan struct{})}
		r.listing = l
	}
	probe := l == nil && r.pages == 0 && r.gets >= 1
	if probe {
		r.probed = make(chan struct{})
	}
	if l == nil && !probe {
		r.gets++
	}
	r.mu.Unlock()

	switch {
	case startListing:
		r.list(ctx, l)
		return r.fromListing(ctx, l, id)
	case l != nil:
		return r.fromListing(ctx, l, id)
	case probe:
		return r.probe(ctx, id)
	default:
		return r.client.GetSharing(ctx, id)
	}
}

// probe reads page 1 to learn how many pages the account has, and serves
// the refresh from it when the link is there; otherwise the refresh goes on
// as any other, now that the number of pages is known.
func (r *sharingReader) probe(ctx context.Context, id int64) (*albato.Sharing, error) {
	page, err := r.client.ListSharings(ctx, 1)
	r.mu.Lock()
	if err != nil {
		r.pages = -1 // do not try again: GETs always work
	} else {
		r.pages, r.first = max(page.TotalPages, 1), page
	}
	close(r.probed)
	r.probed = nil
	r.mu.Unlock()
	if err == nil {
		for i := range page.Sharings {
			if page.Sharings[i].ID == id {
				s := page.Sharings[i]
				return &s, nil
			}
		}
	}
	return r.Get(ctx, id)
}

// list reads every page of the account into l, then tells the waiting
// refreshes.
func (r *sharingReader) list(ctx context.Context, l *listing) {
	defer close(l.done)
	r.mu.Lock()
	first := r.first
	r.mu.Unlock()
	all, err := r.client.ListAllSharingsFrom(ctx, first)
	if err != nil {
		l.err = err
		return
	}
	l.byID = make(map[int64]albato.Sharing, len(all))
	for _, s := range all {
		l.byID[s.ID] = s
	}
}

// fromListing waits for the listing and serves id from it, or GETs it when
// the listing failed or lacks it.
func (r *sharingReader) fromListing(ctx context.Context, l *listing, id int64) (*albato.Sharing, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s, ok := l.byID[id]; ok {
		return &s, nil
	}
	return r.client.GetSharing(ctx, id)
}
