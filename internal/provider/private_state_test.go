package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
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

// What the resource remembers reads back as saved; whatever does not read
// (no key, a failed read, another version's value) is zero, and a zero
// read_at is never due.
func TestLinkMemoryRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	saved := linkMemory{issuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		readAt: time.Date(2026, 1, 3, 0, 0, 0, 0, time.FixedZone("east", 3600)), seen: tokenFingerprint("tok")}
	var p fakePrivate
	if d := saved.save(ctx, &p); d.HasError() {
		t.Fatal(d)
	}
	got, d := loadMemory(ctx, &p)
	if d.HasError() || !got.issuedAt.Equal(saved.issuedAt) || !got.readAt.Equal(saved.readAt) || got.seen != saved.seen {
		t.Errorf("saved %+v, read %+v (%v)", saved, got, d)
	}
	if saved.seen == tokenFingerprint("tok2") || len(saved.seen) != 16 {
		t.Errorf("fingerprint %q does not tell tokens apart", saved.seen)
	}

	var failed diag.Diagnostics
	failed.AddError("Unreadable private state", "for the test")
	for name, p := range map[string]*fakePrivate{
		"no key":       {},
		"empty":        {keys: map[string][]byte{privateReadAtKey: {}, privateTokenSeenKey: {}}},
		"not JSON":     {keys: map[string][]byte{privateReadAtKey: []byte(`2026-01-02T03:04:05Z`), privateTokenSeenKey: []byte(`abc`)}},
		"not a string": {keys: map[string][]byte{privateReadAtKey: []byte(`1767323045`), privateTokenSeenKey: []byte(`12`)}},
		"not a time":   {keys: map[string][]byte{privateReadAtKey: []byte(`"yesterday"`)}},
		"failed read":  {keys: map[string][]byte{privateReadAtKey: []byte(`"2026-01-02T03:04:05Z"`), privateTokenSeenKey: []byte(`"abc"`)}, diags: failed},
	} {
		got, d := loadMemory(ctx, p)
		if got != (linkMemory{}) {
			t.Errorf("%s: read %+v, want zero", name, got)
		}
		if d.HasError() != p.diags.HasError() {
			t.Errorf("%s: diagnostics %v, want the read's own", name, d)
		}
	}
}

// The one rule of when a token was issued, as the resource sees answers.
func TestLinkMemoryObserve(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(50 * time.Hour)
	known := created.Add(time.Hour)
	s := func(token string) *albato.Sharing {
		return &albato.Sharing{ID: 61, Token: token, DateCreated: &created}
	}
	for _, c := range []struct {
		name   string
		before linkMemory
		answer *albato.Sharing
		kind   answerSource
		prior  int64
		want   time.Time
	}{
		{"created", linkMemory{}, s("a"), answerCreated, 0, now},
		{"adopted keeps the API's date", linkMemory{}, s("a"), answerAdopted, 0, created},
		{"adopted without a date", linkMemory{}, &albato.Sharing{Token: "a"}, answerAdopted, 0, now},
		{"regenerated", linkMemory{issuedAt: known, seen: tokenFingerprint("a")}, s("b"), answerRegenerated, known.Unix(), now},
		{"regenerated within the second moves on", linkMemory{issuedAt: now}, s("b"), answerRegenerated, now.Unix(), now.Add(time.Second)},
		{"read, same token", linkMemory{issuedAt: known, seen: tokenFingerprint("a")}, s("a"), answerRead, 0, known},
		{"read, token changed outside", linkMemory{issuedAt: known, seen: tokenFingerprint("a")}, s("b"), answerRead, 0, now},
		{"read, nothing seen before", linkMemory{issuedAt: known}, s("b"), answerRead, 0, known},
		{"read, token hidden", linkMemory{issuedAt: known, seen: tokenFingerprint("a")}, s(""), answerRead, 0, known},
	} {
		m := c.before
		m.record(c.answer, now, c.kind, c.prior)
		if !m.issuedAt.Equal(c.want) || !m.readAt.Equal(now) {
			t.Errorf("%s: issued %s read %s, want issued %s read %s", c.name, m.issuedAt, m.readAt, c.want, now)
		}
		if c.answer.Token != "" && m.seen != tokenFingerprint(c.answer.Token) {
			t.Errorf("%s: seen %q, want the answer's token", c.name, m.seen)
		}
	}
}

// A plan without refresh shows expiry as of the last refresh, whatever the
// clock says now; the refresh that sees the link expired makes the next plan
// regenerate it, also without refresh.
func TestAccConnectionLink_noRefreshPlanJudgesTheLastRefresh(t *testing.T) {
	e := newTestEnv(t)
	cfg := testAccConnectionLinkConfig(e, "as last read")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		AdditionalCLIOptions:     noRefresh,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  func(*terraform.State) error { e.clock.Advance(49 * time.Hour); return nil },
			},
			{Config: cfg, PlanOnly: true}, // expired now, but not as of the last read: an empty plan
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(linkAddr, "expired", "true"),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token"))},
				},
				Check: e.checkCount("PUT", 1),
			},
		},
	})
}

// Create records its reading as well: with a regenerate_before as long as
// the lifetime the link is due at once, and the plan without refresh right
// after the create already regenerates it.
func TestAccConnectionLink_createRecordsItsReading(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:             testAccConnectionLinkConfig(e, "due at once", `regenerate_before = "48h"`),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(linkAddr, tfjsonpath.New("token"))},
			},
		}},
	})
}

// A token regenerated outside this resource (the regenerate action,
// Albato's "Refresh credentials") lives 48 hours from the refresh that
// first sees it, not from the token the state knew: the resource must not
// regenerate the new link when the old one would have expired.
func TestAccConnectionLink_tokenRegeneratedOutside(t *testing.T) {
	e := newTestEnv(t)
	var regeneratedAt time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: testAccConnectionLinkConfig(e, "regenerated outside")},
			{
				// 47 hours on, someone regenerates the token through the API;
				// the refresh sees the new token and counts from then.
				PreConfig: func() {
					e.clock.Advance(47 * time.Hour)
					if err := e.regenerateThroughAPI(e.onlySharing().ID); err != nil {
						t.Fatal(err)
					}
					regeneratedAt = e.clock.Now()
				},
				RefreshState: true,
				Check: func(s *terraform.State) error {
					return resource.TestCheckResourceAttr(linkAddr, "expires_at", rfc3339(regeneratedAt.Add(48*time.Hour)))(s)
				},
			},
			{
				// Past the old token's expiry, within the new one's: no change.
				PreConfig: func() { e.clock.Advance(2 * time.Hour) },
				Config:    testAccConnectionLinkConfig(e, "regenerated outside"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.checkCount("PUT", 1), // the outside one only
			},
		},
	})
}

// The account round-trips through the private state; a private state
// without it (written before accounts were recorded) reads as zero, which
// every provider holds, and the next save records the account.
func TestLinkMemoryAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var old fakePrivate
	if d := (linkMemory{seen: "abc"}).save(ctx, &old); d.HasError() {
		t.Fatal(d)
	}
	mem, _ := loadMemory(ctx, &old)
	s := settings{apiURL: "https://api.albato.com", token: "tok"}
	if mem.account != (account{}) || !s.holds(mem.account) {
		t.Fatalf("an older state reads as account %+v", mem.account)
	}
	mem.account = s.account()
	var p fakePrivate
	if d := mem.save(ctx, &p); d.HasError() {
		t.Fatal(d)
	}
	if got, _ := loadMemory(ctx, &p); got.account != s.account() {
		t.Errorf("saved account %+v, read %+v", s.account(), got.account)
	}
}
