package albato

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// createClockTolerance widens "created since the request began" on the
	// API's clock (its Date header): Date and dateCreated have whole seconds.
	createClockTolerance = 3 * time.Second
	// noClockTolerance is the margin where an answer has no Date: the start
	// is then on our clock, whose offset from the API's is unknown.
	noClockTolerance = 5 * time.Minute
	// lookTimeout bounds the look for what a failed POST may have created,
	// which runs even when the caller cancelled: else a sharing is orphaned.
	lookTimeout = 30 * time.Second
)

// Created is a sharing made by CreateSharing: the POST's answer (without
// dateCreated), or, Adopted, found in the list after the POST got no usable
// answer (Cause).
type Created struct {
	Sharing *Sharing
	Adopted bool
	Cause   error
}

// AmbiguousCreateError: a POST that failed (Cause) may have created a
// sharing that cannot be told: several candidates, or the look failed.
type AmbiguousCreateError struct {
	Cause, LookErr error
	Candidates     []Sharing
}

// Error names the candidates by ID only: their tokens are secrets.
func (e *AmbiguousCreateError) Error() string {
	if e.LookErr != nil {
		return fmt.Sprintf("create sharing may have taken effect (%v), and looking for it failed: %v", e.Cause, e.LookErr)
	}
	return fmt.Sprintf("create sharing may have taken effect (%v), and %d sharings of that partner and title were "+
		"created since it began (ids %s): which one is this request's cannot be told", e.Cause, len(e.Candidates),
		e.CandidateIDs())
}

// CandidateIDs lists the candidates' IDs, e.g. "61, 62".
func (e *AmbiguousCreateError) CandidateIDs() string {
	ids := make([]string, len(e.Candidates))
	for i, s := range e.Candidates {
		ids[i] = strconv.FormatInt(s.ID, 10)
	}
	return strings.Join(ids, ", ")
}

func (e *AmbiguousCreateError) Unwrap() error { return e.Cause }

// CreateSharing creates a sharing for partnerID with title (POST
// /credentials/grant-access-sharing), never twice. A POST that may have
// taken effect is not sent blind again: its sharing is looked for (see
// lookForCreated). One found is adopted; several, or a failed look, are an
// *AmbiguousCreateError; none means no effect, so the POST is sent once
// more, and looked for once more, never a third time.
func (c *Client) CreateSharing(ctx context.Context, partnerID int64, title string) (*Created, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create sharing: %w", err) // nothing was sent
	}
	g := c.gate(partnerID, title)
	var start time.Time
	for sent := 1; ; sent++ {
		g.RLock()
		if sent == 1 {
			start = c.now()
		}
		s, err := c.postSharing(ctx, partnerID, title)
		if err == nil {
			c.HoldSharing(s.ID) // before a waiting look can see it
		}
		g.RUnlock()
		if err == nil {
			return &Created{Sharing: s}, nil
		}
		if !MayHaveBeenApplied(err) {
			return nil, err
		}
		c.logCreate(ctx, "Create request may have taken effect without a usable answer; looking for the sharing", sent)
		found, lookErr := c.lookForCreated(ctx, partnerID, title, start)
		switch {
		case lookErr != nil:
			return nil, &AmbiguousCreateError{Cause: err, LookErr: lookErr}
		case len(found) == 1:
			return &Created{Sharing: &found[0], Adopted: true, Cause: err}, nil
		case len(found) > 1:
			return nil, &AmbiguousCreateError{Cause: err, Candidates: found}
		case sent == 2 || ctx.Err() != nil:
			return nil, err
		}
		c.logCreate(ctx, "The create request took no effect; sending it once more", sent)
	}
}

// postSharing sends the POST once (with the retries that are safe for it).
func (c *Client) postSharing(ctx context.Context, partnerID int64, title string) (*Sharing, error) {
	body, _ := json.Marshal(struct { // a number and a string cannot fail
		PartnerID int64  `json:"partnerId"`
		Title     string `json:"title"`
	}{partnerID, title})
	return c.sharingCall(ctx, "create sharing", http.MethodPost, c.collection, body)
}

// lookForCreated is the live sharings of partnerID and title, held by none,
// created since start: on the API's clock where the answer's Date says it,
// less createClockTolerance; else on ours, less noClockTolerance. It looks
// under the gate, taken alone once every sibling POST has settled, and
// holds the one it finds, if one: siblings that look after it never see it.
func (c *Client) lookForCreated(ctx context.Context, partnerID int64, title string, start time.Time) ([]Sharing, error) {
	g := c.gate(partnerID, title)
	if !g.TryLock() {
		if c.siblings.waiting != nil { // a test waits for this moment
			c.siblings.waiting(partnerID, title)
		}
		g.Lock()
	}
	defer g.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookTimeout)
	defer cancel()
	found, err := c.listSharings(ctx, listQuery{union: true, match: func(s Sharing) bool {
		if _, held := c.siblings.held.Load(s.ID); held || s.PartnerID != partnerID || s.Title != title ||
			s.Status == StatusRevoked {
			return false
		}
		if s.DateCreated == nil {
			return true
		}
		began, tolerance := start, noClockTolerance
		if !s.ServerTime.IsZero() {
			began, tolerance = s.ServerTime.Add(-c.now().Sub(start)), createClockTolerance
		}
		return !s.DateCreated.Before(began.Add(-tolerance))
	}})
	if err == nil && len(found) == 1 {
		c.HoldSharing(found[0].ID)
	}
	return found, err
}

func (c *Client) logCreate(ctx context.Context, msg string, sent int) {
	if c.cfg.Logf != nil {
		c.cfg.Logf(ctx, msg, map[string]any{"operation": "create sharing", "sent": sent})
	}
}

// MayHaveBeenApplied reports whether a failed request that changes a link
// may have taken effect all the same, so that only a read can tell: no answer
// after it was sent (a failed dial was never sent), a server error other than
// 501 Not Implemented, or a success that could not be read.
func MayHaveBeenApplied(err error) bool {
	if apiErr := (*Error)(nil); errors.As(err, &apiErr) {
		return apiErr.unreadable || (apiErr.StatusCode >= 500 && apiErr.StatusCode != http.StatusNotImplemented)
	}
	return err != nil && !isDialError(err)
}

// siblings is what a Client knows of the sharings its callers own, so that
// a create that got no usable answer never takes another's sharing
// (DESIGN.md, "A create without a usable answer").
type siblings struct {
	held  sync.Map // int64 id -> struct{}: the ids its creates got or a caller holds
	gates sync.Map // siblingKey -> *sync.RWMutex: see gate
	// waiting, set by tests before any create, is called when a look is
	// about to wait for a sibling's POST to settle.
	waiting func(partnerID int64, title string)
}

type siblingKey struct {
	partnerID int64
	title     string
}

// HoldSharing records that the caller holds the sharing id (a resource
// instance read it into its state, say): no create that got no usable
// answer ever takes it as its own.
func (c *Client) HoldSharing(id int64) { c.siblings.held.Store(id, struct{}{}) }

// gate is the lock of partnerID and title: POSTs share it, a look takes it
// alone, so that a look starts only once every sibling POST has its answer
// (and its sharing held), and no POST starts while a look may adopt.
func (c *Client) gate(partnerID int64, title string) *sync.RWMutex {
	g, _ := c.siblings.gates.LoadOrStore(siblingKey{partnerID, title}, &sync.RWMutex{})
	mu, _ := g.(*sync.RWMutex) // the only type stored
	return mu
}
