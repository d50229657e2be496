package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// The resource's private state: what it remembers of a link between runs,
// which no plan shows. The times are RFC 3339 JSON strings.
const (
	// privateIssuedAtKey is when the current token was issued as far as the
	// resource saw it: the API may not move dateCreated on PUT.
	privateIssuedAtKey = "token_issued_at"
	// privateReadAtKey is when the provider last read or wrote the link, on
	// the API's clock: the moment every plan judges its expiry as of.
	privateReadAtKey = "read_at"
	// privateTokenSeenKey is a fingerprint of the token last read or written,
	// never the token: one that changed since was regenerated outside.
	privateTokenSeenKey = "token_seen"
)

// linkMemory is the resource's private state of one link.
type linkMemory struct {
	issuedAt time.Time // zero when unknown (an import, an older version)
	readAt   time.Time
	seen     string
}

// How the resource came by an answer: it decides the token's issue time.
type answerKind int

const (
	answerRead        answerKind = iota // a refresh or a read before acting
	answerCreated                       // our POST's answer
	answerAdopted                       // a sharing our POST made, found in the list
	answerRegenerated                   // our PUT's answer
)

// observe records an answer s, got at now on the API's clock. It is the one
// place that decides when the current token was issued:
//   - our create or regeneration: now, the API's own issue (an adopted
//     sharing's dateCreated); a regeneration always moves issued_at, even
//     within the second of the last (priorIssued, the state's issued_at),
//     since write-only consumers version the link by it;
//   - a read that finds another token than the one last seen: regenerated
//     outside (the regenerate action, Albato's "Refresh credentials"), so
//     at most as old as this reading; late by at most the time since the
//     reading before;
//   - any other read: what was known.
func (m *linkMemory) observe(s *albato.Sharing, now time.Time, kind answerKind, priorIssued int64) {
	switch {
	case kind == answerCreated:
		m.issuedAt = now
	case kind == answerAdopted && s.DateCreated != nil:
		m.issuedAt = *s.DateCreated
	case kind == answerAdopted:
		m.issuedAt = now
	case kind == answerRegenerated:
		m.issuedAt = now
		if now.Unix() <= priorIssued {
			m.issuedAt = time.Unix(priorIssued+1, 0).UTC()
		}
	case m.seen != "" && s.Token != "" && m.seen != tokenFingerprint(s.Token):
		m.issuedAt = now
	}
	m.readAt = now
	if s.Token != "" {
		m.seen = tokenFingerprint(s.Token)
	}
}

// privateGetter and privateSetter are the parts of the framework's private
// state API used here, so that one helper serves every response type.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// loadMemory reads the private state; what does not read is zero.
func loadMemory(ctx context.Context, p privateGetter) (linkMemory, diag.Diagnostics) {
	var m linkMemory
	var diags diag.Diagnostics
	m.issuedAt = privateTime(ctx, p, privateIssuedAtKey, &diags)
	m.readAt = privateTime(ctx, p, privateReadAtKey, &diags)
	m.seen = privateString(ctx, p, privateTokenSeenKey, &diags)
	return m, diags
}

// save writes the private state.
func (m linkMemory) save(ctx context.Context, p privateSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.issuedAt.IsZero() {
		diags.Append(setPrivateString(ctx, p, privateIssuedAtKey, formatTime(m.issuedAt))...)
	}
	diags.Append(setPrivateString(ctx, p, privateReadAtKey, formatTime(m.readAt))...)
	if m.seen != "" {
		diags.Append(setPrivateString(ctx, p, privateTokenSeenKey, m.seen)...)
	}
	return diags
}

// tokenFingerprint is a short, one-way digest of a token: enough to tell
// two tokens apart, useless to anyone who reads the state.
func tokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}

func setPrivateString(ctx context.Context, p privateSetter, key, v string) diag.Diagnostics {
	b, _ := json.Marshal(v) // a string always marshals
	return p.SetKey(ctx, key, b)
}

// privateString reads the string under key; "" when there is none.
func privateString(ctx context.Context, p privateGetter, key string, diags *diag.Diagnostics) string {
	b, d := p.GetKey(ctx, key)
	diags.Append(d...)
	var s string
	if d.HasError() || len(b) == 0 || json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

// privateTime reads the time under key; zero when there is none that reads.
func privateTime(ctx context.Context, p privateGetter, key string, diags *diag.Diagnostics) time.Time {
	t, err := time.Parse(time.RFC3339, privateString(ctx, p, key, diags))
	if err != nil {
		return time.Time{}
	}
	return t
}
