package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// fakePrivate is a private state of one run: keys and the diagnostics that
// reading them gives.
type fakePrivate struct {
	keys  map[string][]byte
	diags diag.Diagnostics
}

func (p *fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p.keys[key], p.diags
}

func (p *fakePrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if p.keys == nil {
		p.keys = map[string][]byte{}
	}
	p.keys[key] = value
	return nil
}

// The moment a plan judges expiry against comes from the private state:
// what was stored reads back, and whatever does not read (no key, a failed
// read, another version's value) is the zero time, which is never due.
func TestPrivateTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	var p fakePrivate
	if d := setPrivateTime(ctx, &p, privateReadAtKey, at.In(time.FixedZone("east", 3600))); d.HasError() {
		t.Fatal(d)
	}
	if got, d := privateTime(ctx, &p, privateReadAtKey); d.HasError() || !got.Equal(at) {
		t.Errorf("stored %s, read %s (%v)", at, got, d)
	}

	var failed diag.Diagnostics
	failed.AddError("Unreadable private state", "for the test")
	for name, p := range map[string]*fakePrivate{
		"no key":       {},
		"empty":        {keys: map[string][]byte{privateReadAtKey: {}}},
		"not JSON":     {keys: map[string][]byte{privateReadAtKey: []byte(`2026-01-02T03:04:05Z`)}},
		"not a string": {keys: map[string][]byte{privateReadAtKey: []byte(`1767323045`)}},
		"not a time":   {keys: map[string][]byte{privateReadAtKey: []byte(`"yesterday"`)}},
		"failed read":  {keys: map[string][]byte{privateReadAtKey: []byte(`"2026-01-02T03:04:05Z"`)}, diags: failed},
	} {
		got, d := privateTime(ctx, p, privateReadAtKey)
		if !got.IsZero() {
			t.Errorf("%s: read %s, want the zero time", name, got)
		}
		if d.HasError() != p.diags.HasError() {
			t.Errorf("%s: diagnostics %v, want the read's own", name, d)
		}
	}
}

// The token fingerprint reads back as stored; nothing readable is "".
func TestPrivateString(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var p fakePrivate
	fp := tokenFingerprint("tok")
	if d := setPrivateString(ctx, &p, privateTokenSeenKey, fp); d.HasError() {
		t.Fatal(d)
	}
	if got, d := privateString(ctx, &p, privateTokenSeenKey); d.HasError() || got != fp {
		t.Errorf("stored %q, read %q (%v)", fp, got, d)
	}
	if fp == tokenFingerprint("tok2") || len(fp) != 16 {
		t.Errorf("fingerprint %q does not tell tokens apart", fp)
	}

	var failed diag.Diagnostics
	failed.AddError("Unreadable private state", "for the test")
	for name, p := range map[string]*fakePrivate{
		"no key":       {},
		"not JSON":     {keys: map[string][]byte{privateTokenSeenKey: []byte(`abc`)}},
		"not a string": {keys: map[string][]byte{privateTokenSeenKey: []byte(`12`)}},
		"failed read":  {keys: map[string][]byte{privateTokenSeenKey: []byte(`"abc"`)}, diags: failed},
	} {
		if got, _ := privateString(ctx, p, privateTokenSeenKey); got != "" {
			t.Errorf("%s: read %q, want \"\"", name, got)
		}
	}
}
