package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const fileVersion = 1

// fileState is the data file: the counters, the clock offset and the
// sharings in their one JSON shape.
type fileState struct {
	Version          int       `json:"version"`
	NextID           int64     `json:"nextId"`
	NextCredentialID int64     `json:"nextCredentialId"`
	ClockOffset      string    `json:"clockOffset"`
	Sharings         []Sharing `json:"sharings"`
}

// load reads the data file if it exists, or creates it (empty) if it does
// not, so that an unwritable location is reported at start. An empty file
// (zero bytes, as mktemp makes) is a new one too.
func (st *store) load() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	data, err := os.ReadFile(st.file)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(data) == 0 {
		if err := st.save(); err != nil {
			return fmt.Errorf("sandbox: creating data file %s: %w", st.file, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: reading data file: %w", err)
	}
	var fst fileState
	if err := json.Unmarshal(data, &fst); err != nil {
		return fmt.Errorf("sandbox: parsing data file %s: %w", st.file, err)
	}
	if fst.Version != fileVersion {
		return fmt.Errorf("sandbox: data file %s: unsupported version %d", st.file, fst.Version)
	}
	if fst.ClockOffset != "" {
		d, err := time.ParseDuration(fst.ClockOffset)
		if err != nil {
			return fmt.Errorf("sandbox: data file %s: clock offset: %w", st.file, err)
		}
		if d > MaxClockOffset || d < -MaxClockOffset {
			return fmt.Errorf("sandbox: data file %s: clock offset %s is past the bound of ±%s", st.file, d, MaxClockOffset)
		}
		st.offset.Store(int64(d))
	}
	st.nextID = max(fst.NextID, firstSharingID)
	st.nextCred = max(fst.NextCredentialID, firstCredentialID)
	for i := range fst.Sharings {
		sh := &fst.Sharings[i]
		if why := st.invalid(sh); why != "" {
			return fmt.Errorf("sandbox: data file %s: sharing %d: %s", st.file, sh.ID, why)
		}
		st.add(sh)
		st.nextID = max(st.nextID, sh.ID+1)
		if sh.CredentialID != nil {
			st.nextCred = max(st.nextCred, *sh.CredentialID+1)
		}
	}
	return nil
}

// invalid says what is wrong with a sharing read from the data file, or "".
// The caller holds st.mu.
func (st *store) invalid(sh *Sharing) string {
	_, known := findPartner(sh.PartnerID)
	_, dupToken := st.byToken[sh.Token]
	switch {
	case sh.ID <= 0:
		return "invalid id"
	case st.byID[sh.ID] != nil:
		return "duplicate id"
	case sh.Status < StatusWaiting || sh.Status > StatusRevoked:
		return "invalid status"
	case sh.Status == StatusGranted && sh.CredentialID == nil:
		return "granted without credentialId"
	case sh.Token == "":
		return "empty token"
	case !known:
		return fmt.Sprintf("unknown partner %d", sh.PartnerID)
	case dupToken:
		return "duplicate token"
	}
	return ""
}

// save writes the whole state to the data file atomically: a temporary file in
// the same directory, fsync, rename. The caller holds st.mu.
func (st *store) save() error {
	fst := fileState{
		Version:          fileVersion,
		NextID:           st.nextID,
		NextCredentialID: st.nextCred,
		ClockOffset:      time.Duration(st.offset.Load()).String(),
		Sharings:         []Sharing{},
	}
	for _, sh := range st.inOrder() {
		fst.Sharings = append(fst.Sharings, *sh)
	}
	data, err := json.MarshalIndent(fst, "", "  ")
	if err != nil {
		return err
	}
	return st.write(st.file, append(data, '\n'))
}

// writeFileAtomic replaces path with data (mode 0600) through a temporary
// file in the same directory, so that a crash leaves the old or the new file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
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
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil { // make the rename durable; best effort
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
