package provider

import (
	"context"
	"fmt"
	"slices"
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
// update and delete act on what the API says now.
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

// linkNotFound is the one diagnostic of a link the API does not know; more says what to do.
func linkNotFound(at path.Path, id int64, more string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(at, "Connection Link Not Found", fmt.Sprintf(
		"There is no connection link with id %d in this Albato account: it was deleted, or the id is wrong.%s", id, more))
}

// sharingReader serves a run's refreshes, or a wait's round, with as few
// requests as it can (DESIGN.md, "When a request is sent"): GETs until they
// reach the account's pages (learnt from page 1 at the second read), then
// one listing; a link the listing lacks gets its GET, so a 404 still shows.
// The lock is held while page 1 or the listing is read: the reads that come
// meanwhile wait for what it tells.
type sharingReader struct {
	client *albato.Client

	mu    sync.Mutex
	gets  int                      // GETs made so far
	pages int                      // the account's pages; 0 until known, -1 when it could not be learnt
	first *albato.Page             // page 1, read to learn pages: the listing starts from it
	byID  map[int64]albato.Sharing // the listing; empty when it failed, nil before
}

func (r *sharingReader) Get(ctx context.Context, id int64) (*albato.Sharing, error) {
	r.mu.Lock()
	if r.pages == 0 && r.gets >= 1 {
		r.pages = -1 // until page 1 answers; a failure is not tried again, GETs always work
		if page, err := r.client.ListSharings(ctx, 1); err == nil {
			r.pages, r.first = max(page.TotalPages, 1), page
			if i := slices.IndexFunc(page.Sharings, func(s albato.Sharing) bool { return s.ID == id }); i >= 0 {
				r.mu.Unlock()
				s := page.Sharings[i]
				return &s, nil
			}
		}
	}
	if r.byID == nil && r.pages > 0 && r.gets >= r.pages {
		r.byID = map[int64]albato.Sharing{} // stays empty when the listing fails: every read GETs
		if all, err := r.client.ListAllSharingsFrom(ctx, r.first); err == nil {
			for _, s := range all {
				r.byID[s.ID] = s
			}
		}
	}
	s, listed := r.byID[id]
	if r.byID == nil {
		r.gets++
	}
	r.mu.Unlock()
	if listed {
		return &s, nil
	}
	return r.client.GetSharing(ctx, id)
}
