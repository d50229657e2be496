package provider

// Which account a link belongs to (DESIGN.md, "A link belongs to its
// account"): a link id means nothing in another account, where the same
// number is another link.

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// account names an Albato account without revealing its token: the API URL
// and a fingerprint of the token. Zero when unknown (a state written before
// accounts were recorded).
type account struct {
	url, token string
}

// fingerprintRE is what a token fingerprint looks like in same_account_as.
var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// accountURL is the part of an API URL that names an account's API: its
// scheme and host (with any port), in lower case. A path prefix names no
// other account, since the token decides the account on a host; a wrong
// prefix is a wrong URL, which the client's 404 check reports as such.
func accountURL(raw string) string {
	u, err := albato.ParseBaseURL(raw)
	if err != nil {
		return strings.TrimSpace(raw)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// accountFingerprint tells two API tokens apart and nothing of either: a
// keyed SHA-256 (HMAC), so that it matches no plain hash of the token
// elsewhere, cut to 64 bits.
func accountFingerprint(token string) string {
	mac := hmac.New(sha256.New, []byte("terraform-provider-albato account"))
	mac.Write([]byte(strings.TrimSpace(token))) // the client sends it trimmed
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// account is the provider configuration's account; zero while the API URL
// or the token is not known.
func (s settings) account() account {
	if len(s.unknown) > 0 {
		return account{}
	}
	return account{url: accountURL(s.apiURL), token: accountFingerprint(s.token)}
}

func (a account) String() string {
	return fmt.Sprintf("%s (token fingerprint %s)", cmp.Or(a.url, "(not recorded)"), cmp.Or(a.token, "not recorded"))
}

// unlike lists, quoted, what a link recorded in rec has that is not this
// provider configuration's account (URL, token fingerprint or both), unless
// same_account_as lists them. Nothing for a part not recorded, or while the
// provider's account is not known yet.
func (s settings) unlike(rec account) []string {
	cur := s.account()
	if cur == (account{}) {
		return nil
	}
	var out []string
	if rec.url != "" {
		rec.url = accountURL(rec.url) // as recorded, or with a path an earlier reading kept
	}
	for _, p := range [][2]string{{rec.url, cur.url}, {rec.token, cur.token}} {
		if p[0] != "" && p[0] != p[1] && !slices.Contains(s.sameAccountAs, p[0]) {
			out = append(out, strconv.Quote(p[0]))
		}
	}
	return out
}

// holds reports whether a link recorded in rec belongs to this provider
// configuration's account.
func (s settings) holds(rec account) bool { return len(s.unlike(rec)) == 0 }

// checkAccount fails, before any request, when the link of id was made or
// imported in another account than this provider configuration's.
func (s settings) checkAccount(rec account, id string, diags *diag.Diagnostics) bool {
	add := s.unlike(rec)
	if len(add) == 0 {
		return true
	}
	cur := s.account()
	diags.AddError("Connection Link Belongs to Another Albato Account",
		fmt.Sprintf("Connection link %s was made or imported in the Albato account at %s, but the provider "+
			"configuration now used for it works in the account at %s. Nothing was read or changed: in that "+
			"account the same id is another link, or none. Either:\n"+
			"- move the resource back to the provider configuration of its account (undo the change of its "+
			"\"provider\" argument, of a module's \"providers\", or the moved block);\n"+
			"- or, to manage the link from the new account, remove it from the state (terraform state rm <address>) "+
			"and import it there (terraform import, or an import block) by its id in that account;\n"+
			"- or, if both are the same account under a new API URL or a new token, add [%s] to the provider's "+
			"\"same_account_as\".", id, rec, cur, strings.Join(add, ", ")))
	return false
}

// checkSameAccountEntry checks one element of same_account_as: an API URL
// or a token fingerprint. The value is never shown: a token pasted there by
// mistake would be printed.
func checkSameAccountEntry(raw string, at path.Path, diags *diag.Diagnostics) {
	if fingerprintRE.MatchString(strings.TrimSpace(raw)) {
		return
	}
	if _, err := albato.ParseBaseURL(raw); err != nil {
		diags.AddAttributeError(at, "Invalid Albato Account",
			"Each element of \"same_account_as\" is an API URL (http or https) or a token fingerprint of 16 hex "+
				"digits, as an error of this provider showed them; this one is neither (not shown, in case it is a token).")
	}
}

// sameAccountSetting reads same_account_as as unlike compares it; unknown
// when it or an element is not known yet.
func sameAccountSetting(l types.List) (values []string, unknown bool) {
	if l.IsUnknown() {
		return nil, true
	}
	for _, e := range l.Elements() {
		v, ok := e.(types.String)
		if !ok || v.IsUnknown() {
			return nil, true
		}
		if s := strings.TrimSpace(v.ValueString()); fingerprintRE.MatchString(s) {
			values = append(values, s)
		} else if !v.IsNull() {
			values = append(values, accountURL(s))
		}
	}
	return values, false
}

// checkAccountAtPlan is checkAccount for the plan of an existing link
// (req.State is null for a create): a plan made with -refresh=false, or a
// destroy, reaches no Read.
func (pd *providerData) checkAccountAtPlan(ctx context.Context, req resource.ModifyPlanRequest, rec account, diags *diag.Diagnostics) bool {
	if pd == nil || req.State.Raw.IsNull() || pd.holds(rec) {
		return true
	}
	var id types.String
	diags.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	return pd.checkAccount(rec, id.ValueString(), diags)
}
