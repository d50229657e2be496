package albato

import "sync"

// siblings is what a Client knows of the sharings its callers own, so that
// a create that got no usable answer never takes another's sharing
// (DESIGN.md, "A create without a usable answer"): the ids its creates got
// or a caller holds, and, for each partner and title, a gate that keeps a
// look for a lost create apart from the POSTs of that partner and title.
type siblings struct {
	held  sync.Map // int64 id -> struct{}
	gates sync.Map // siblingKey -> *sync.RWMutex
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

func (c *Client) isHeld(id int64) bool {
	_, ok := c.siblings.held.Load(id)
	return ok
}

// gate is the lock of partnerID and title: POSTs share it, a look takes it
// alone, so that a look starts only once every sibling POST has its answer
// (and its sharing held), and no POST starts while a look may adopt.
func (c *Client) gate(partnerID int64, title string) *sync.RWMutex {
	g, _ := c.siblings.gates.LoadOrStore(siblingKey{partnerID, title}, &sync.RWMutex{})
	mu, _ := g.(*sync.RWMutex) // the only type stored
	return mu
}
