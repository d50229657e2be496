package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
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
	dateCreatedLayout = "2006-01-02 15:04:05"
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

// Sharing is a snapshot of one record, as the API would show it plus sandbox
// internals.
type Sharing struct {
	// ID is the sharing id.
	ID int64
	// PartnerID is the partner (app) id.
	PartnerID int64
	// Token is the current one-time token.
	Token string
	// Status is 0 waiting, 1 granted, 2 waiting for OAuth, 3 revoked.
	Status int
	// CredentialID is the created connection's id, nil until granted.
	CredentialID *int64
	// Title is the sharing's title.
	Title string
	// DateCreated is the creation time (sandbox clock).
	DateCreated time.Time
	// TokenIssuedAt is the time of the last POST or PUT (sandbox clock).
	TokenIssuedAt time.Time
	// Deleted is true when the sharing was deleted through the API (DELETE),
	// as opposed to revoked out of band.
	Deleted bool
}

// ExpiresAt returns the moment the token stops working on the connect page.
func (sh Sharing) ExpiresAt() time.Time { return sh.TokenIssuedAt.Add(TokenLifetime) }

// record is the stored form of a sharing.
type record struct {
	ID            int64
	PartnerID     int64
	Token         string
	Status        int
	CredentialID  *int64
	Title         string
	DateCreated   time.Time
	TokenIssuedAt time.Time
	Deleted       bool
}

func (r *record) clone() *record {
	c := *r
	if r.CredentialID != nil {
		v := *r.CredentialID
		c.CredentialID = &v
	}
	return &c
}

func (r *record) snapshot() Sharing {
	c := r.clone()
	return Sharing{
		ID: c.ID, PartnerID: c.PartnerID, Token: c.Token, Status: c.Status,
		CredentialID: c.CredentialID, Title: c.Title, DateCreated: c.DateCreated,
		TokenIssuedAt: c.TokenIssuedAt, Deleted: c.Deleted,
	}
}

// expired tells whether the token can no longer be used at now.
func (r *record) expired(now time.Time) bool {
	return !now.Before(r.TokenIssuedAt.Add(TokenLifetime))
}

// hidden tells whether the API must act as if the record did not exist.
func (s *Server) hidden(r *record) bool { return s.notFoundDel && r.Deleted }

// newToken returns a fresh random token, unique among current tokens.
// The caller holds s.mu.
func (s *Server) newToken() string {
	for {
		t := randomToken()
		if _, taken := s.byToken[t]; !taken {
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

// commit saves the data file after a change made under s.mu, and runs undo
// (still under the lock) if saving fails. The caller holds s.mu.
func (s *Server) commit(undo func()) error {
	if s.dataFile == "" {
		return nil
	}
	if err := s.save(); err != nil {
		undo()
		s.logf("sandbox: saving %s: %v", s.dataFile, err)
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	return nil
}

// create adds a new waiting sharing. The caller holds s.mu.
func (s *Server) create(partnerID int64, title string) (*record, error) {
	now := s.Now()
	rec := &record{
		ID: s.nextID, PartnerID: partnerID, Token: s.newToken(), Status: StatusWaiting,
		Title: title, DateCreated: now, TokenIssuedAt: now,
	}
	s.recs[rec.ID] = rec
	s.recsGen++
	s.byToken[rec.Token] = rec.ID
	s.nextID++
	err := s.commit(func() {
		delete(s.recs, rec.ID)
		s.recsGen++
		delete(s.byToken, rec.Token)
		s.nextID--
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// regenerate gives rec a new token and resets it to waiting. The caller holds s.mu.
func (s *Server) regenerate(rec *record) error {
	old := rec.clone()
	delete(s.byToken, rec.Token)
	rec.Token = s.newToken()
	rec.Status = StatusWaiting
	rec.CredentialID = nil
	rec.TokenIssuedAt = s.Now()
	s.byToken[rec.Token] = rec.ID
	return s.commit(func() {
		delete(s.byToken, rec.Token)
		*rec = *old
		s.byToken[rec.Token] = rec.ID
	})
}

// setRecStatus changes rec's status (and deleted flag). The caller holds s.mu.
func (s *Server) setRecStatus(rec *record, status int, deleted bool) error {
	old := rec.clone()
	rec.Status = status
	rec.Deleted = rec.Deleted || deleted
	return s.commit(func() { *rec = *old })
}

// grant completes rec as the end user would. The caller holds s.mu and has
// checked that rec is waiting (or waiting for OAuth) and not expired.
func (s *Server) grant(rec *record) (int64, error) {
	old := rec.clone()
	cred := s.nextCred
	s.nextCred++
	rec.Status = StatusGranted
	rec.CredentialID = &cred
	err := s.commit(func() {
		*rec = *old
		s.nextCred--
	})
	if err != nil {
		return 0, err
	}
	return cred, nil
}

// usable checks that rec can still be completed at now.
func usable(rec *record, now time.Time) error {
	switch {
	case rec.Status == StatusRevoked:
		return ErrRevoked
	case rec.Status == StatusGranted:
		return ErrGranted
	case rec.expired(now):
		return ErrExpired
	}
	return nil
}

func idErr(id int64, err error) error { return fmt.Errorf("sandbox: sharing %d: %w", id, err) }

// Grant completes the sharing as the end user would: status 1 and a new
// credentialId, which it returns. It fails when the sharing is unknown,
// revoked, already granted or expired.
func (s *Server) Grant(id int64) (credentialID int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return 0, idErr(id, ErrNotFound)
	}
	if err := usable(rec, s.Now()); err != nil {
		return 0, idErr(id, err)
	}
	return s.grant(rec)
}

// StartOAuth moves the sharing to status 2 (waiting for OAuth), as when the
// end user starts the partner's OAuth flow. It fails when the sharing is
// unknown, revoked, granted or expired, or when its partner does not use OAuth.
func (s *Server) StartOAuth(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return idErr(id, ErrNotFound)
	}
	if err := usable(rec, s.Now()); err != nil {
		return idErr(id, err)
	}
	if p, _ := findPartner(rec.PartnerID); p == nil || p.Kind != kindOAuth {
		return idErr(id, fmt.Errorf("%w: partner %d", ErrNotOAuth, rec.PartnerID))
	}
	return s.setRecStatus(rec, StatusWaitingOAuth, false)
}

// Revoke revokes the sharing out of band (status 3), keeping the record
// visible to the API. Revoking a revoked sharing is not an error.
func (s *Server) Revoke(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return idErr(id, ErrNotFound)
	}
	if rec.Status == StatusRevoked {
		return nil
	}
	return s.setRecStatus(rec, StatusRevoked, false)
}

// Remove deletes the record entirely; the API then answers 404 for it and
// its link is no longer recognised.
func (s *Server) Remove(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return idErr(id, ErrNotFound)
	}
	delete(s.recs, id)
	s.recsGen++
	delete(s.byToken, rec.Token)
	return s.commit(func() {
		s.recs[id] = rec
		s.recsGen++
		s.byToken[rec.Token] = id
	})
}

// Sharing returns a snapshot of the sharing with the given id, whether or not
// the API would show it.
func (s *Server) Sharing(id int64) (Sharing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return Sharing{}, false
	}
	return rec.snapshot(), true
}

// Sharings returns snapshots of all records, by id ascending.
func (s *Server) Sharings() []Sharing {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sharing, 0, len(s.recs))
	for _, rec := range s.sortedLocked() {
		out = append(out, rec.snapshot())
	}
	return out
}

// sortedLocked returns the records by id ascending. The caller holds s.mu
// and must not change the slice, which is kept for the next call.
func (s *Server) sortedLocked() []*record {
	if s.byID != nil && s.byIDGen == s.recsGen {
		return s.byID
	}
	out := make([]*record, 0, len(s.recs))
	for _, rec := range s.recs {
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	s.byID, s.byIDGen = out, s.recsGen
	return out
}

// ---- persistence ----

const fileVersion = 1

type fileState struct {
	Version          int           `json:"version"`
	NextID           int64         `json:"nextId"`
	NextCredentialID int64         `json:"nextCredentialId"`
	ClockOffset      string        `json:"clockOffset"`
	Sharings         []fileSharing `json:"sharings"`
}

type fileSharing struct {
	ID            int64     `json:"id"`
	PartnerID     int64     `json:"partnerId"`
	Token         string    `json:"token"`
	Status        int       `json:"status"`
	CredentialID  *int64    `json:"credentialId"`
	Title         string    `json:"title"`
	DateCreated   time.Time `json:"dateCreated"`
	TokenIssuedAt time.Time `json:"tokenIssuedAt"`
	Deleted       bool      `json:"deleted,omitempty"`
}

// load reads the data file if it exists, or creates it (empty) if it does not,
// so that an unwritable location is reported at start.
func (s *Server) load() error {
	data, err := os.ReadFile(s.dataFile)
	if errors.Is(err, fs.ErrNotExist) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.save(); err != nil {
			return fmt.Errorf("sandbox: creating data file %s: %w", s.dataFile, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: reading data file: %w", err)
	}
	var st fileState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("sandbox: parsing data file %s: %w", s.dataFile, err)
	}
	if st.Version != fileVersion {
		return fmt.Errorf("sandbox: data file %s: unsupported version %d", s.dataFile, st.Version)
	}
	if st.ClockOffset != "" {
		d, err := time.ParseDuration(st.ClockOffset)
		if err != nil {
			return fmt.Errorf("sandbox: data file %s: clock offset: %w", s.dataFile, err)
		}
		s.offset.Store(int64(d))
	}
	s.nextID = max(st.NextID, firstSharingID)
	s.nextCred = max(st.NextCredentialID, firstCredentialID)
	for _, fsh := range st.Sharings {
		bad := func(why string) error {
			return fmt.Errorf("sandbox: data file %s: sharing %d: %s", s.dataFile, fsh.ID, why)
		}
		switch {
		case fsh.ID <= 0:
			return bad("invalid id")
		case s.recs[fsh.ID] != nil:
			return bad("duplicate id")
		case fsh.Status < StatusWaiting || fsh.Status > StatusRevoked:
			return bad("invalid status")
		case fsh.Status == StatusGranted && fsh.CredentialID == nil:
			return bad("granted without credentialId")
		case fsh.Token == "":
			return bad("empty token")
		}
		if _, ok := findPartner(fsh.PartnerID); !ok {
			return bad(fmt.Sprintf("unknown partner %d", fsh.PartnerID))
		}
		if _, dup := s.byToken[fsh.Token]; dup {
			return bad("duplicate token")
		}
		s.recsGen++
		s.recs[fsh.ID] = &record{
			ID: fsh.ID, PartnerID: fsh.PartnerID, Token: fsh.Token, Status: fsh.Status,
			CredentialID: fsh.CredentialID, Title: fsh.Title, DateCreated: fsh.DateCreated,
			TokenIssuedAt: fsh.TokenIssuedAt, Deleted: fsh.Deleted,
		}
		s.byToken[fsh.Token] = fsh.ID
		s.nextID = max(s.nextID, fsh.ID+1)
		if fsh.CredentialID != nil {
			s.nextCred = max(s.nextCred, *fsh.CredentialID+1)
		}
	}
	return nil
}

// save writes the whole state to the data file atomically: a temporary file in
// the same directory, fsync, rename. The caller holds s.mu.
func (s *Server) save() error {
	st := fileState{
		Version:          fileVersion,
		NextID:           s.nextID,
		NextCredentialID: s.nextCred,
		ClockOffset:      time.Duration(s.offset.Load()).String(),
		Sharings:         []fileSharing{},
	}
	for _, rec := range s.sortedLocked() {
		st.Sharings = append(st.Sharings, fileSharing{
			ID: rec.ID, PartnerID: rec.PartnerID, Token: rec.Token, Status: rec.Status,
			CredentialID: rec.CredentialID, Title: rec.Title, DateCreated: rec.DateCreated,
			TokenIssuedAt: rec.TokenIssuedAt, Deleted: rec.Deleted,
		})
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir := filepath.Dir(s.dataFile)
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.dataFile)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.dataFile); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil { // make the rename durable; best effort
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
