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

// The keys of the resource's private state (DESIGN.md, "How expiry is
// judged"), each a JSON string.
const (
	privateIssuedAtKey     = "token_issued_at"
	privateReadAtKey       = "read_at"
	privateTokenSeenKey    = "token_seen"
	privateAccountURLKey   = "account_url"
	privateAccountTokenKey = "account_token"
)

// linkMemory is what the resource remembers of a link.
type linkMemory struct {
	issuedAt time.Time // when the token was issued; zero when unknown (an import, an older version)
	readAt   time.Time // the last reading, on the API's clock
	seen     string    // the fingerprint of the token last read
	account  account   // where the link was made or imported; zero when written by an older version
}

// answerSource is the request a link's answer came from: it decides what
// the answer tells of when the token was issued.
type answerSource int

const (
	answerRead        answerSource = iota // a refresh or a read before acting
	answerCreated                         // our POST's answer
	answerAdopted                         // a sharing our POST made, found in the list
	answerRegenerated                     // our PUT's answer
)

// record remembers the answer s, got at now on the API's clock, and when its
// token was issued. A regeneration always moves it past priorIssued (the
// state's issued_at): write-only arguments are versioned by it. A read that
// finds a token other than the one last seen finds one regenerated outside.
func (m *linkMemory) record(s *albato.Sharing, now time.Time, kind answerSource, priorIssued int64) {
	switch {
	case kind == answerAdopted && s.DateCreated != nil:
		m.issuedAt = *s.DateCreated
	case kind == answerCreated || kind == answerAdopted:
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

// privateState is the private state of every request and response (its type is internal to the framework).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// loadMemory reads the private state; what does not read is zero.
func loadMemory(ctx context.Context, p privateState) (linkMemory, diag.Diagnostics) {
	var diags diag.Diagnostics
	read := func(key string) string {
		b, d := p.GetKey(ctx, key)
		diags.Append(d...)
		var s string
		if d.HasError() || len(b) == 0 || json.Unmarshal(b, &s) != nil {
			return ""
		}
		return s
	}
	m := linkMemory{seen: read(privateTokenSeenKey),
		account: account{url: read(privateAccountURLKey), token: read(privateAccountTokenKey)}}
	m.issuedAt, _ = time.Parse(time.RFC3339, read(privateIssuedAtKey)) // zero when it does not parse
	m.readAt, _ = time.Parse(time.RFC3339, read(privateReadAtKey))
	return m, diags
}

func (m linkMemory) save(ctx context.Context, p privateState) diag.Diagnostics {
	var diags diag.Diagnostics
	values := map[string]string{privateReadAtKey: formatTime(m.readAt), privateTokenSeenKey: m.seen,
		privateAccountURLKey: m.account.url, privateAccountTokenKey: m.account.token}
	if !m.issuedAt.IsZero() {
		values[privateIssuedAtKey] = formatTime(m.issuedAt)
	}
	for key, v := range values {
		if v != "" {
			b, _ := json.Marshal(v) // a string always marshals
			diags.Append(p.SetKey(ctx, key, b)...)
		}
	}
	return diags
}

// tokenFingerprint tells two tokens apart, and tells nothing of either.
func tokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}
