package provider

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// connectSource sets a connect URL through the argument or the environment.
type connectSource struct {
	name  string // what a diagnostic must name
	apply func(raw string) (providerModel, map[string]string)
}

var connectSources = []connectSource{
	{`"connect_url" in the provider configuration`, func(raw string) (providerModel, map[string]string) {
		m := nullProviderModel()
		m.ConnectURL = types.StringValue(raw)
		return m, nil
	}},
	{envConnectURL, func(raw string) (providerModel, map[string]string) {
		return nullProviderModel(), map[string]string{envConnectURL: raw}
	}},
}

func nullProviderModel() providerModel {
	return providerModel{
		APIURL: types.StringNull(), Token: types.StringValue("tok"), AuthScheme: types.StringNull(),
		LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null(),
	}
}

// TestConnectURLSpace: every connect URL is trimmed once and used as that
// one value, or refused naming where it came from. The whole cross product
// of white space around it (none, space, tab, newline, CRLF, mixed) on each
// side, a body (plain, white space inside, a query, an empty query, a
// fragment) and both sources.
func TestConnectURLSpace(t *testing.T) {
	t.Parallel()
	const plain = "https://connect.example.com/connect"
	around := []string{"", " ", "\t", "\n", "\r\n", " \n\t "}
	bodies := map[string]string{ // body -> what the refusal says; "" for accepted
		plain:                                   "",
		"https://connect.example.com/con nect":  "must not contain white space",
		"https://connect.example.com/con\tnect": "not a URL",
		"https://connect.example.com/con\nnect": "not a URL",
		plain + "?id=5&token=old":               "must not have a query",
		plain + "?":                             "must not have a query",
		plain + "#top":                          "must not have a fragment",
		plain + "?brand=acme#top":               "must not have a fragment",
	}
	for _, src := range connectSources {
		for body, refusal := range bodies {
			for _, before := range around {
				for _, after := range around {
					raw := before + body + after
					cfg, env := src.apply(raw)
					got, diags := resolveSettings(cfg, func(k string) string { return env[k] })
					if refusal == "" {
						if diags.HasError() || got.connectURL != plain {
							t.Errorf("%s = %q: connectURL %q, %v; want %q", src.name, raw, got.connectURL, diags, plain)
						}
						continue
					}
					if !diags.HasError() {
						t.Errorf("%s = %q accepted as %q, want it refused (%s)", src.name, raw, got.connectURL, refusal)
						continue
					}
					detail := diags.Errors()[0].Detail()
					if !strings.Contains(detail, refusal) || !strings.Contains(detail, src.name) {
						t.Errorf("%s = %q: %q, want it to say %q and name %s", src.name, raw, detail, refusal, src.name)
					}
				}
			}
		}
	}
}

// FuzzConnectURL holds one property: no connect URL the provider accepts,
// from either source, yields a link with white space in it or with other
// than exactly one id and one token, its own.
func FuzzConnectURL(f *testing.F) {
	for _, seed := range []string{
		"https://c.example/connect", " https://c.example/connect\n", "https://c.example/con nect",
		"https://c.example/connect?id=5&token=old", "https://c.example/connect?", "https://c.example/#x",
		"https://c.example/connect\u00a0", "https://c.example/connect\u2028", "http://a&", "https://c.example/a?b#c",
		"https://c.example/%20", "https://c.example/;id=5", "https://c.example/connect&id=5",
	} {
		f.Add(seed, false, "a+b c&token=x")
		f.Add(seed, true, "tok")
	}
	f.Fuzz(func(t *testing.T, raw string, fromEnv bool, token string) {
		src := connectSources[0]
		if fromEnv {
			src = connectSources[1]
		}
		cfg, env := src.apply(raw)
		s, diags := resolveSettings(cfg, func(k string) string { return env[k] })
		if diags.HasError() {
			return
		}
		pd := &providerData{settings: s}
		for _, linkID := range []string{linkIDPartner, linkIDSharing} {
			pd.linkID = linkID
			link := pd.linkOf(&albato.Sharing{ID: 61, PartnerID: 225, Token: token})
			if strings.ContainsFunc(link, unicode.IsSpace) {
				t.Fatalf("%s = %q gives a link with white space: %q", src.name, raw, link)
			}
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("%s = %q gives a link that does not parse: %v", src.name, raw, err)
			}
			q, wantID := u.Query(), strconv.Itoa(225)
			if linkID == linkIDSharing {
				wantID = "61"
			}
			if len(q) != 2 || len(q["id"]) != 1 || q.Get("id") != wantID || len(q["token"]) != 1 || q.Get("token") != token {
				t.Fatalf("%s = %q gives a link whose query is %v, want one id %s and one token", src.name, raw, q, wantID)
			}
		}
	})
}
