package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// readLink GETs the link whose id is raw, the "id" argument of every type
// but the resource's refresh: a bad id or a missing link is an error
// against that argument, with remedy appended to the latter.
func (pd *providerData) readLink(ctx context.Context, raw, remedy string, diags *diag.Diagnostics) (*albato.Sharing, int64) {
	id, ok := sharingID(raw, path.Root("id"), diags)
	if !ok {
		return nil, 0
	}
	s, err := pd.getLink(ctx, id)
	switch {
	case err != nil && linkGone(nil, err):
		diags.Append(linkNotFound(path.Root("id"), id, remedy))
	case err != nil:
		diags.AddError(pd.readError(id, err))
	}
	return s, id
}

// getLink GETs link id afresh, never from a listing: the resource's create,
// update and delete act on what the API says now. Its one error is
// readError's.
func (pd *providerData) getLink(ctx context.Context, id int64) (*albato.Sharing, error) {
	return pd.client.GetSharing(ctx, id)
}

// linkGone is the one rule of a link gone for good, wherever a link may have
// gone: read revoked, or answered 404 by the sharing API itself
// (albato.IsNotFound). Any other error says nothing of the link.
func linkGone(s *albato.Sharing, err error) bool {
	if err != nil {
		return albato.IsNotFound(err)
	}
	return s != nil && s.Status == albato.StatusRevoked
}

// goneRemedy is what the resource says of a link found gone.
const goneRemedy = "While the configuration declares it, the next plan creates a new link in its place, with a " +
	"new id and token: hand the new link out again."

const recreateRemedy = "If an albato_connection_link resource manages it, the next terraform apply creates a new " +
	"link in its place, with a new id: hand that link out."

// linkNotFound is the one diagnostic of a link the API does not know, with
// more (what it means here, what to do) after its message.
func linkNotFound(at path.Path, id int64, more string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(at, "Connection Link Not Found", fmt.Sprintf(
		"There is no connection link with id %d in this Albato account: it was deleted, or the id is wrong.%s", id, more))
}

// sharingReader serves a run's refreshes, or a wait's round, with as few
// requests as it can (DESIGN.md, "When a request is sent"): GETs until they
// reach the account's pages (learnt from page 1 at the second read), then
// one listing; a link the listing lacks gets its GET, so a 404 still shows.
type sharingReader struct {
	client *albato.Client

	mu      sync.Mutex
	gets    int           // GETs made so far
	pages   int           // the account's pages; 0 until known, -1 when it could not be learnt
	first   *albato.Page  // page 1, read to learn pages: the listing starts from it
	probed  chan struct{} // while page 1 is read to learn pages: closed when done
	listing *listing      // set once the account is listed
}

// listing is one listing of the account, shared by the reads after its start.
type listing struct {
	done chan struct{}            // closed when byID is set
	byID map[int64]albato.Sharing // nil when the listing failed: every read GETs
}

func (r *sharingReader) Get(ctx context.Context, id int64) (*albato.Sharing, error) {
	r.mu.Lock()
	for r.probed != nil {
		// Page 1 decides whether this read is served by a listing.
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

// probe reads page 1 to learn the account's pages, and serves id from it
// when it is there.
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

func (r *sharingReader) list(ctx context.Context, l *listing) {
	defer close(l.done)
	r.mu.Lock()
	first := r.first
	r.mu.Unlock()
	all, err := r.client.ListAllSharingsFrom(ctx, first)
	if err != nil {
		return
	}
	l.byID = make(map[int64]albato.Sharing, len(all))
	for _, s := range all {
		l.byID[s.ID] = s
	}
}

// fromListing serves id from l, or GETs it when l failed or lacks it.
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
