package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Sharing statuses, as documented.
const (
	// StatusWaiting means the end user has not completed the link yet.
	StatusWaiting = 0
	// StatusGranted means access was granted: the token is spent and the
	// sharing carries the new connection's credentialId.
	StatusGranted = 1
	// StatusWaitingOAuth means the end user is in the partner's OAuth flow.
	StatusWaitingOAuth = 2
	// StatusRevoked means the token was revoked (the sharing was deleted or
	// cancelled).
	StatusRevoked = 3
)

const (
	firstSharingID    = 61
	firstCredentialID = 248
	tokenLen          = 10
	tokenAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// Errors returned by the Go control API; test them with errors.Is.
var (
	// ErrNotFound means no sharing has the given id.
	ErrNotFound = errors.New("sharing not found")
	// ErrRevoked means the sharing is revoked (status 3).
	ErrRevoked = errors.New("sharing is revoked")
	// ErrGranted means the sharing's token was already spent (status 1).
	ErrGranted = errors.New("sharing was already granted")
	// ErrExpired means the sharing's token is older than TokenLifetime.
	ErrExpired = errors.New("sharing link has expired")
	// ErrNotOAuth means the sharing's partner does not authenticate with OAuth.
	ErrNotOAuth = errors.New("partner does not use OAuth")
)

// statusNames are the names of the statuses, as the provider spells them.
var statusNames = map[int]string{
	StatusWaiting:      "waiting",
	StatusGranted:      "granted",
	StatusWaitingOAuth: "waiting_oauth",
	StatusRevoked:      "revoked",
}

// Sharing is one sharing as the sandbox keeps it. Its JSON is the one shape
// of a sharing in the data file and at the control endpoints; the API
// answers in Albato's documented shape instead.
type Sharing struct {
	// ID is the sharing id.
	ID int64 `json:"id"`
	// PartnerID is the partner (app) id.
	PartnerID int64 `json:"partnerId"`
	// Token is the current one-time token.
	Token string `json:"token"`
	// CredentialID is the created connection's id, nil until granted.
	CredentialID *int64 `json:"credentialId"`
	// Title is the sharing's title.
	Title string `json:"title"`
	// DateCreated is the creation time (sandbox clock).
	DateCreated time.Time `json:"dateCreated"`
	// TokenIssuedAt is the time of the last POST or PUT (sandbox clock).
	TokenIssuedAt time.Time `json:"tokenIssuedAt"`
	// Deleted is true when the sharing was deleted through the API (DELETE),
	// as opposed to revoked out of band.
	Deleted bool `json:"deleted"`
	// Status is 0 waiting, 1 granted, 2 waiting for OAuth, 3 revoked. It is
	// the last stored field so that the derived statusName follows it in
	// the JSON, where scripts/demo.sh reads both with one pattern.
	Status int `json:"status"`
}

// ExpiresAt returns the moment the token stops working on the connect page.
func (sh Sharing) ExpiresAt() time.Time { return sh.TokenIssuedAt.Add(TokenLifetime) }

// MarshalJSON writes the stored fields followed by the derived statusName
// and expiresAt, which reading the JSON back ignores.
func (sh Sharing) MarshalJSON() ([]byte, error) {
	type stored Sharing // the fields without this method
	return json.Marshal(struct {
		stored
		StatusName string    `json:"statusName"`
		ExpiresAt  time.Time `json:"expiresAt"`
	}{stored(sh), statusNames[sh.Status], sh.ExpiresAt()})
}

// clone returns a copy that shares no memory with sh.
func (sh *Sharing) clone() Sharing {
	c := *sh
	if sh.CredentialID != nil {
		v := *sh.CredentialID
		c.CredentialID = &v
	}
	return c
}

// same tells whether a and b hold the same values.
func same(a, b Sharing) bool {
	ca, cb := a.CredentialID, b.CredentialID
	a.CredentialID, b.CredentialID = nil, nil
	return a == b && (ca == nil) == (cb == nil) && (ca == nil || *ca == *cb)
}

// usable checks that the sharing's link can still be completed at now.
func (sh Sharing) usable(now time.Time) error {
	switch {
	case sh.Status == StatusRevoked:
		return ErrRevoked
	case sh.Status == StatusGranted:
		return ErrGranted
	case !now.Before(sh.ExpiresAt()):
		return ErrExpired
	}
	return nil
}

// errNotSaved means the data file could not be written; the change it
// held was rolled back.
var errNotSaved = errors.New("saving sandbox state")

func idErr(id int64, err error) error { return fmt.Errorf("sandbox: sharing %d: %w", id, err) }

// store holds the sharings, the id counters and the clock offset. It owns
// its lock: every method takes it, and what it returns are copies.
type store struct {
	clock  Clock
	offset atomic.Int64                         // nanoseconds added to clock.Now()
	file   string                               // the data file; "" keeps the state in memory
	write  func(path string, data []byte) error // writeFileAtomic; tests fail it
	logf   func(format string, args ...any)

	mu      sync.Mutex // guards the fields below and the data file
	byID    map[int64]*Sharing
	byToken map[string]int64
	// ordered is byID in id order, rebuilt when gen has moved on since
	// orderedGen: a list reads it once per page, and sorting every
	// sharing for every page would make the sandbox, not the client, the
	// cost of a large list in benchmarks.
	ordered    []*Sharing
	orderedGen uint64
	gen        uint64 // bumped whenever a sharing is added or removed
	nextID     int64
	nextCred   int64
}

func newStore(clock Clock, file string, logf func(string, ...any)) (*store, error) {
	st := &store{
		clock: clock, file: file, logf: logf, write: writeFileAtomic,
		byID: make(map[int64]*Sharing), byToken: make(map[string]int64),
		nextID: firstSharingID, nextCred: firstCredentialID,
	}
	if file != "" {
		if err := st.load(); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// now is the sandbox's time: the clock's plus the offset.
func (st *store) now() time.Time {
	return st.clock.Now().Add(time.Duration(st.offset.Load()))
}

// advance moves the offset by d, within MaxClockOffset, and saves it; when
// saving fails the offset is moved back.
func (st *store) advance(d time.Duration) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	old := time.Duration(st.offset.Load())
	// Compared before adding, so that the sum cannot overflow: old is
	// within the bound, so neither difference can.
	if d > MaxClockOffset-old || d < -MaxClockOffset-old {
		return fmt.Errorf("advance %s would move the clock offset from %s past the bound of ±%s (100 years)", d, old, MaxClockOffset)
	}
	next := old + d
	if y := st.clock.Now().Add(next).Year(); y < 1 || y > 9999 {
		return fmt.Errorf("advance %s would move the clock outside the years 1 to 9999", d)
	}
	st.offset.Store(int64(next))
	return st.commit(func() { st.offset.Store(int64(old)) })
}

// commit saves the data file after a change made under st.mu, and runs undo
// (still under the lock) if saving fails.
func (st *store) commit(undo func()) error {
	if st.file == "" {
		return nil
	}
	if err := st.save(); err != nil {
		undo()
		st.logf("sandbox: saving %s: %v", st.file, err)
		return fmt.Errorf("%w: %w", errNotSaved, err)
	}
	return nil
}

// add indexes sh; remove undoes it. The caller holds st.mu.
func (st *store) add(sh *Sharing) {
	st.byID[sh.ID] = sh
	st.byToken[sh.Token] = sh.ID
	st.gen++
}

func (st *store) drop(sh *Sharing) {
	delete(st.byID, sh.ID)
	delete(st.byToken, sh.Token)
	st.gen++
}

// create adds a new waiting sharing.
func (st *store) create(partnerID int64, title string) (Sharing, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	sh := &Sharing{
		ID: st.nextID, PartnerID: partnerID, Token: st.newToken(), Status: StatusWaiting,
		Title: title, DateCreated: now, TokenIssuedAt: now,
	}
	st.add(sh)
	st.nextID++
	if err := st.commit(func() { st.drop(sh); st.nextID-- }); err != nil {
		return Sharing{}, err
	}
	return sh.clone(), nil
}

// remove deletes the sharing entirely.
func (st *store) remove(id int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	sh, ok := st.byID[id]
	if !ok {
		return idErr(id, ErrNotFound)
	}
	st.drop(sh)
	return st.commit(func() { st.add(sh) })
}

// get returns the sharing with the given id.
func (st *store) get(id int64) (Sharing, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sh, ok := st.byID[id]
	if !ok {
		return Sharing{}, false
	}
	return sh.clone(), true
}

// withToken returns the sharing whose current token is token.
func (st *store) withToken(token string) (Sharing, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	id, ok := st.byToken[token]
	if !ok {
		return Sharing{}, false
	}
	return st.byID[id].clone(), true
}

// list returns the sharings in id order (without those deleted through the
// API when hideDeleted is set) from the range [from, to) that pick chooses
// for their number, and that number.
func (st *store) list(hideDeleted bool, pick func(total int) (from, to int)) ([]Sharing, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	all := st.inOrder()
	if hideDeleted {
		kept := make([]*Sharing, 0, len(all))
		for _, sh := range all {
			if !sh.Deleted {
				kept = append(kept, sh)
			}
		}
		all = kept
	}
	from, to := pick(len(all))
	out := make([]Sharing, 0, max(to-from, 0))
	for _, sh := range all[from:max(from, to)] {
		out = append(out, sh.clone())
	}
	return out, len(all)
}

// all returns every sharing in id order.
func (st *store) all() []Sharing {
	out, _ := st.list(false, func(total int) (int, int) { return 0, total })
	return out
}

// inOrder returns the sharings by id ascending. The caller holds st.mu and
// must not change the slice, which is kept for the next call.
func (st *store) inOrder() []*Sharing {
	if st.ordered != nil && st.orderedGen == st.gen {
		return st.ordered
	}
	out := make([]*Sharing, 0, len(st.byID))
	for _, sh := range st.byID {
		out = append(out, sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	st.ordered, st.orderedGen = out, st.gen
	return out
}

// A change edits one sharing under the store's lock; it may draw on the
// store for a new token or credential id.
type change func(st *store, sh *Sharing)

// setStatus changes the status only.
func setStatus(status int) change {
	return func(_ *store, sh *Sharing) { sh.Status = status }
}

// reissue gives the sharing a new token and resets it to waiting, as PUT does.
func reissue(st *store, sh *Sharing) {
	sh.Token = st.newToken()
	sh.Status = StatusWaiting
	sh.CredentialID = nil
	sh.TokenIssuedAt = st.now()
}

// grant completes the sharing with a new credential id.
func grant(st *store, sh *Sharing) {
	cred := st.nextCred
	st.nextCred++
	sh.Status = StatusGranted
	sh.CredentialID = &cred
}

// deleteByAPI revokes the sharing as DELETE does.
func deleteByAPI(_ *store, sh *Sharing) {
	sh.Status = StatusRevoked
	sh.Deleted = true
}

// update applies edit to the sharing with the given id if check (given a
// copy, under the lock, so that nothing can change in between) accepts it,
// saves, and returns the result. Nothing changes when check or saving fails;
// errors name the id.
func (st *store) update(id int64, check func(Sharing) error, edit change) (Sharing, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sh, ok := st.byID[id]
	if !ok {
		return Sharing{}, idErr(id, ErrNotFound)
	}
	before := sh.clone()
	if check != nil {
		if err := check(before); err != nil {
			return Sharing{}, idErr(id, err)
		}
	}
	nextCred := st.nextCred
	edit(st, sh)
	if same(before, *sh) {
		return before, nil
	}
	delete(st.byToken, before.Token)
	st.byToken[sh.Token] = id
	err := st.commit(func() {
		delete(st.byToken, sh.Token)
		*sh = before
		st.byToken[sh.Token] = id
		st.nextCred = nextCred
	})
	if err != nil {
		return Sharing{}, idErr(id, err)
	}
	return sh.clone(), nil
}

// newToken returns a fresh random token, unique among current tokens. The
// caller holds st.mu.
func (st *store) newToken() string {
	for {
		t := randomToken()
		if _, taken := st.byToken[t]; !taken {
			return t
		}
	}
}

func randomToken() string {
	const n = len(tokenAlphabet)
	const limit = 256 - 256%n // reject bytes above the last full multiple of n
	out := make([]byte, 0, tokenLen)
	buf := make([]byte, 2*tokenLen)
	for len(out) < tokenLen {
		rand.Read(buf) // never fails (crypto/rand panics instead)
		for _, b := range buf {
			if int(b) < limit && len(out) < tokenLen {
				out = append(out, tokenAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}
