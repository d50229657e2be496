package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

const otherAccountToken = "other-account-token-9876543210"

// otherAccount is a second sandbox, another Albato account, holding one
// link of its own whose id is that of the first link the test makes in e.
type otherAccount struct {
	e     *testEnv
	token string
	link  sandbox.Sharing
}

func newOtherAccount(t *testing.T, token string) *otherAccount {
	t.Helper()
	o := &otherAccount{e: newTestEnv(t, func(o *sandbox.Options) { o.Token = token }), token: token}
	body := strings.NewReader(`{"partnerId":225,"title":"the other account's own link"}`)
	req := httptest.NewRequest(http.MethodPost, sharingsPath, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	o.e.sandbox.ServeHTTP(rec, req)
	var created struct {
		Data struct{ ID int64 } `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.Data.ID == 0 {
		t.Fatalf("seeding the other account: HTTP %d %s", rec.Code, rec.Body.String())
	}
	o.link, _ = o.e.sandbox.Sharing(created.Data.ID)
	return o
}

// provider is a provider block for this account, under alias.
func (o *otherAccount) provider(alias string) string {
	return fmt.Sprintf("provider \"albato\" {\n  alias       = %q\n  api_url     = %q\n  token       = %q\n  connect_url = %q\n}\n",
		alias, o.e.server.URL, o.token, o.e.connectURL())
}

// untouched checks that the other account's link is as it was and that its
// API saw nothing but the seed: nothing was read, regenerated or revoked.
func (o *otherAccount) untouched(*terraform.State) error {
	now, _ := o.e.sandbox.Sharing(o.link.ID)
	if now.Status != o.link.Status || now.Token != o.link.Token {
		return fmt.Errorf("the other account's link %d changed: status %d -> %d, token changed %v",
			o.link.ID, o.link.Status, now.Status, now.Token != o.link.Token)
	}
	if reqs := o.e.requests(); len(reqs) != 1 {
		return fmt.Errorf("the other account's API saw %v, want only the seed's POST", reqs)
	}
	return nil
}

// sameIDs checks that the link the test made has the id of the other
// account's link, so that a read there would find a link.
func (o *otherAccount) sameIDs(s *terraform.State, addr string) error {
	id, err := stateID(s, addr)
	if err == nil && id != o.link.ID {
		err = fmt.Errorf("%s has id %d, the other account's link %d: the test proves nothing", addr, id, o.link.ID)
	}
	return err
}

var anotherAccount = regexp.MustCompile(`(?s)Connection Link Belongs to Another Albato Account.*made or imported in the\s+Albato\s+account\s+at\s+http.*token\s+fingerprint\s+[0-9a-f]{16}.*move the resource back.*terraform\s+state\s+rm.*same_account_as`)

const accountLink = `
resource "albato_connection_link" "test" {
%s  partner_id = 225
  title      = "client A"
}
`

// A link moved to a provider alias of another account (its provider
// argument changed) fails the plan, with and without a refresh, and a
// destroy through that account fails too; the other account's link of the
// same id is never read, regenerated or revoked. Moved back, it plans empty.
func TestAccConnectionLink_movedToAnotherAccount(t *testing.T) {
	for _, c := range []struct {
		name      string
		token     string // the other account's
		noRefresh *resource.AdditionalCLIOptions
	}{
		{"another host, same token", testToken, nil},
		{"another host and token, no refresh", otherAccountToken, noRefresh},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, other := newTestEnv(t), newOtherAccount(t, c.token)
			home := e.providerConfig() + fmt.Sprintf(accountLink, "")
			moved := other.provider("b") + fmt.Sprintf(accountLink, "  provider   = albato.b\n")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				AdditionalCLIOptions:     c.noRefresh,
				Steps: []resource.TestStep{
					{Config: home, Check: func(s *terraform.State) error { return other.sameIDs(s, linkAddr) }},
					{Config: moved, ExpectError: anotherAccount},
					{Config: moved, Destroy: true, ExpectError: anotherAccount},
					{
						Config: home, Check: other.untouched,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
				CheckDestroy: func(s *terraform.State) error {
					if sh := e.onlySharing(); sh.Status != 3 {
						return fmt.Errorf("the link's own account holds it with status %d after destroy, want 3", sh.Status)
					}
					return other.untouched(s)
				},
			})
		})
	}
}

// A moved block into a module given another account's alias fails the plan
// as a changed provider argument does. (A configuration with a module is a
// directory: only then does the test framework's init install the module.)
func TestAccConnectionLink_movedIntoModuleOfAnotherAccount(t *testing.T) {
	e, other := newTestEnv(t), newOtherAccount(t, otherAccountToken)
	dir := func(files map[string]string) config.TestStepConfigFunc {
		d := t.TempDir()
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(d, name), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return config.StaticDirectory(d)
	}
	module := filepath.Join(t.TempDir(), "module")
	if err := os.Mkdir(module, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(module, "main.tf"), []byte(fmt.Sprintf(accountLink, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	home := dir(map[string]string{"main.tf": e.providerConfig() + fmt.Sprintf(accountLink, "")})
	intoModule := dir(map[string]string{"main.tf": other.provider("b") + fmt.Sprintf(`
module "m" {
  source    = %q
  providers = { albato = albato.b }
}

moved {
  from = albato_connection_link.test
  to   = module.m.albato_connection_link.test
}
`, module)})
	// Steps with providers of their own run terraform init.
	f := e.factories()
	resource.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{ProtoV6ProviderFactories: f, ConfigDirectory: home, Check: func(s *terraform.State) error { return other.sameIDs(s, linkAddr) }},
			{ProtoV6ProviderFactories: f, ConfigDirectory: intoModule, ExpectError: anotherAccount},
			{
				ProtoV6ProviderFactories: f, ConfigDirectory: home, Check: other.untouched,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
		CheckDestroy: other.untouched,
	})
}

// The same account under another URL (here the sandbox's host by another
// name) fails the plan until same_account_as names the URL the link was
// made at; then the plan is empty and the refresh records the new URL, so
// the old one can go.
func TestAccConnectionLink_sameAccountAs(t *testing.T) {
	e := newTestEnv(t)
	oldURL := e.server.URL
	newURL := strings.Replace(oldURL, "127.0.0.1", "localhost", 1)
	at := func(url string, extra ...string) string {
		return strings.Replace(e.providerConfig(extra...), fmt.Sprintf("%q", oldURL), fmt.Sprintf("%q", url), 1) +
			fmt.Sprintf(accountLink, "")
	}
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: at(oldURL)},
			{Config: at(newURL), ExpectError: regexp.MustCompile(fmt.Sprintf(`add\s+\[%q\]\s+to\s+the\s+provider's\s+"same_account_as"`, oldURL))},
			{Config: at(newURL, fmt.Sprintf("same_account_as = [%q]", oldURL)), ConfigPlanChecks: empty},
			{Config: at(newURL), ConfigPlanChecks: empty},
			{Config: at(oldURL), ExpectError: anotherAccount},
			{Config: at(newURL), ConfigPlanChecks: empty},
		},
		CheckDestroy: func(*terraform.State) error {
			if sh := e.onlySharing(); sh.Status != 3 {
				return fmt.Errorf("status %d after destroy, want 3", sh.Status)
			}
			return nil
		},
	})
}

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

// A destroy whose plan could not check the account (the provider's
// arguments unknown at plan) still checks at apply: no DELETE reaches the
// provider's account for a link another account made.
func TestDeleteChecksTheAccount(t *testing.T) {
	e := newTestEnv(t)
	id := e.seed(225, "made elsewhere")
	server := e.configuredServer(t, nil)
	ctx := context.Background()
	typ := linkObjectType(ctx, t, server)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
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

// The plan checks the account of an existing link only: a create (no prior
// state) and a provider not yet configured pass, a link of the provider's
// own account passes, and a link of another account fails, naming its id.
// The whole cross product of the three.
func TestCheckAccountAtPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newSpacePlanner()
	ours := &providerData{settings: settings{apiURL: "https://api.albato.com", token: "s3cr3t"}}
	linked := spaceState{status: "waiting"}.model()
	existing := tfsdk.State{Schema: p.schema.Schema, Raw: p.raw(t, linked)}
	created := tfsdk.State{Schema: p.schema.Schema, Raw: tftypes.NewValue(p.typ, nil)}
	for _, pd := range []*providerData{nil, ours} {
		for _, state := range []tfsdk.State{created, existing} {
			for _, rec := range []account{ours.account(), {url: "https://other.example", token: accountFingerprint("other")}} {
				name := fmt.Sprintf("configured %v, existing %v, record %s", pd != nil, !state.Raw.IsNull(), rec.url)
				want := pd == nil || state.Raw.IsNull() || rec == ours.account()
				var diags diag.Diagnostics
				ok := pd.checkAccountAtPlan(ctx, fwresource.ModifyPlanRequest{State: state}, rec, &diags)
				if ok != want || diags.HasError() == want {
					t.Errorf("%s: checkAccountAtPlan = %v, %v; want %v", name, ok, diags, want)
				}
				if !want && !strings.Contains(diags.Errors()[0].Detail(), linked.ID.ValueString()) {
					t.Errorf("%s: the error does not name the link: %v", name, diags)
				}
			}
		}
	}
}
