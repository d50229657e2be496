package provider

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestAccountHolds: a link belongs to the provider's account when the URL
// it was recorded at and its token fingerprint are each the current one or
// listed in same_account_as; a part not recorded (an older version's state)
// matches. The whole cross product of the two parts.
func TestAccountHolds(t *testing.T) {
	t.Parallel()
	cur := settings{apiURL: "https://API.albato.com/", token: " s3cr3t "}
	curAccount := cur.account()
	if curAccount.url != "https://api.albato.com" || curAccount.token != accountFingerprint("s3cr3t") {
		t.Fatalf("account %+v: the URL is not normalised as the client reads it, or the token not trimmed", curAccount)
	}
	type part struct {
		name, url, token string
		same             bool
	}
	urls := []part{
		{"same URL", "https://api.albato.com", "", true},
		{"same host, another path", "https://api.albato.com/api", "", true},
		{"URL listed", "https://white.example", "", true},
		{"other URL", "https://other.example", "", false},
		{"no URL recorded", "", "", true},
	}
	tokens := []part{
		{"same token", "", accountFingerprint("s3cr3t"), true},
		{"token listed", "", accountFingerprint("old"), true},
		{"other token", "", accountFingerprint("other"), false},
		{"no token recorded", "", "", true},
	}
	cur.sameAccountAs, _ = sameAccountSetting(types.ListValueMust(types.StringType, []attr.Value{
		types.StringValue("https://WHITE.example/"), types.StringValue(" " + accountFingerprint("old") + " "), types.StringNull()}))
	for _, u := range urls {
		for _, k := range tokens {
			rec := account{url: u.url, token: k.token}
			want := u.same && k.same
			if got := cur.holds(rec); got != want {
				t.Errorf("%s, %s: holds = %v, want %v", u.name, k.name, got, want)
			}
			var diags diag.Diagnostics
			if ok := cur.checkAccount(rec, "61", &diags); ok != want || diags.HasError() == want {
				t.Errorf("%s, %s: checkAccount = %v, %v", u.name, k.name, ok, diags)
			}
			if !want {
				d := diags.Errors()[0].Detail()
				for _, part := range []string{"61", rec.url, curAccount.url, curAccount.token, "state rm", "move the resource back", "same_account_as"} {
					if !strings.Contains(d, part) {
						t.Errorf("%s, %s: the error does not say %q: %s", u.name, k.name, part, d)
					}
				}
				if strings.Contains(d, "s3cr3t") || strings.Contains(d, `""`) {
					t.Errorf("the error shows the token, or an empty value to add: %s", d)
				}
			}
		}
	}
	if !(settings{unknown: []string{"token"}}).holds(account{url: "x", token: "y"}) {
		t.Error("a provider whose account is not known yet refused a link; the apply checks again")
	}
}

// A fingerprint tells tokens apart, is 16 hex digits, and is no plain
// SHA-256 of the token (the link tokens' fingerprints are).
func TestAccountFingerprint(t *testing.T) {
	t.Parallel()
	a, b := accountFingerprint("tok"), accountFingerprint("tok2")
	if a == b || !fingerprintRE.MatchString(a) || a == tokenFingerprint("tok") || strings.Contains(a, "tok") {
		t.Errorf("fingerprints %q, %q", a, b)
	}
}

// same_account_as takes URLs and fingerprints and never shows what it
// refuses: a token pasted there by mistake.
func TestCheckSameAccountEntry(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://api.albato.com": true, accountFingerprint("x"): true, "0123456789abcdef": true,
		"secret-token-123": false, "0123456789ABCDEF": false, "0123456789abcde": false, "ftp://x": false, "": false,
	} {
		var diags diag.Diagnostics
		checkSameAccountEntry(raw, path.Root("same_account_as").AtListIndex(0), &diags)
		if diags.HasError() == ok {
			t.Errorf("%q: %v, want accepted %v", raw, diags, ok)
		}
		if diags.HasError() && raw != "" && strings.Contains(diags.Errors()[0].Detail(), raw) {
			t.Errorf("%q: the error shows the value", raw)
		}
	}
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

// A destroy whose plan could not check the account (the provider's
// arguments unknown at plan) still checks at apply: no DELETE reaches the
// provider's account for a link another account made.
func TestDeleteChecksTheAccount(t *testing.T) {
	e := newTestEnv(t)
	id := e.seed(225, "made elsewhere")
	server := e.configuredServer(t, nil)
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.ResourceSchemas["albato_connection_link"].ValueType()
	objType, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("resource type %T", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range objType.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["id"] = tftypes.NewValue(tftypes.String, strconv.FormatInt(id, 10))
	vals["partner_id"] = tftypes.NewValue(tftypes.Number, 225)
	vals["title"] = tftypes.NewValue(tftypes.String, "made elsewhere")
	prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	// The framework's private state: each key's JSON value, base64 in a JSON object.
	private, err := json.Marshal(map[string][]byte{
		privateAccountURLKey: []byte(`"https://elsewhere.example"`), privateAccountTokenKey: []byte(`"` + accountFingerprint(testToken) + `"`),
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "albato_connection_link", PriorState: &prior, PlannedState: &planned, PlannedPrivate: private,
	})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, d := range resp.Diagnostics {
		details = append(details, d.Summary+": "+d.Detail)
	}
	if !strings.Contains(strings.Join(details, "\n"), "https://elsewhere.example") {
		t.Errorf("the destroy did not fail naming the link's account: %q", details)
	}
	if n := e.sandbox.Count("DELETE"); n != 0 {
		t.Errorf("the sandbox saw %d DELETE requests, want none", n)
	}
	if sh, _ := e.sandbox.Sharing(id); sh.Status != 0 {
		t.Errorf("the link has status %d, want it still waiting", sh.Status)
	}
}
