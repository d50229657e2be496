package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// The title's length is in Unicode characters: the framework's
// stringvalidator.LengthBetween counts bytes and refused 255 Cyrillic
// letters as 510 (issue 12.5).
func TestTitleLengthCountsCharacters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value, wantErr string
	}{
		{"one letter", "a", ""},
		{"255 ASCII", strings.Repeat("a", 255), ""},
		{"255 Cyrillic (510 bytes)", strings.Repeat("ж", 255), ""},
		{"255 accented (Portuguese)", strings.Repeat("ã", 255), ""},
		{"255 emoji (1020 bytes)", strings.Repeat("😀", 255), ""},
		{"empty", "", "got 0 characters"},
		{"256 ASCII", strings.Repeat("a", 256), "got 256 characters"},
		{"256 Cyrillic", strings.Repeat("ж", 256), "got 256 characters"},
		{"256 emoji", strings.Repeat("😀", 256), "got 256 characters"},
		{"not UTF-8", "\xff\xfe", "not valid UTF-8"},
		// White space around the title: the API may trim it.
		{"white space inside", "CRM  for\tAcme", ""},
		{"leading space", " CRM", `The title " CRM" begins or ends with white space`},
		{"trailing space", "CRM ", "trimspace()"},
		{"trailing line break", "CRM\n", "begins or ends with white space"},
		{"leading tab", "\tCRM", "begins or ends with white space"},
		{"no-break space", "CRM\u00a0", "begins or ends with white space"},
		{"only a space", " ", "begins or ends with white space"},
	}
	for _, c := range cases {
		resp := &validator.StringResponse{}
		titleLength.ValidateString(t.Context(), validator.StringRequest{
			Path: path.Root("title"), ConfigValue: types.StringValue(c.value),
		}, resp)
		switch {
		case c.wantErr == "" && resp.Diagnostics.HasError():
			t.Errorf("%s: refused: %v", c.name, resp.Diagnostics)
		case c.wantErr != "" && !resp.Diagnostics.HasError():
			t.Errorf("%s: accepted, want an error containing %q", c.name, c.wantErr)
		case c.wantErr != "" && !strings.Contains(resp.Diagnostics[0].Detail(), c.wantErr):
			t.Errorf("%s: error %q, want it to contain %q", c.name, resp.Diagnostics[0].Detail(), c.wantErr)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		resp := &validator.StringResponse{}
		titleLength.ValidateString(t.Context(), validator.StringRequest{Path: path.Root("title"), ConfigValue: v}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s: refused: %v", v, resp.Diagnostics)
		}
	}
}

// The duration and URL validators accept what the provider can use, from
// "0s" (at expiry) up, and refuse the rest.
func TestDurationAndURLValidators(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v       stringCheck
		value   string
		refused bool
	}{
		{durationValidator, "0s", false},
		{durationValidator, "6h", false},
		{durationValidator, "-1s", true},
		{durationValidator, "six hours", true},
		{urlValidator(albato.ParseConnectURL, invalidConnectURL), "https://connect.example.com", false},
		{urlValidator(albato.ParseConnectURL, invalidConnectURL), "connect.example.com/no-scheme", true},
	} {
		resp := &validator.StringResponse{}
		c.v.ValidateString(t.Context(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(c.value)}, resp)
		if resp.Diagnostics.HasError() != c.refused {
			t.Errorf("%q: refused = %v, want %v (%v)", c.value, resp.Diagnostics.HasError(), c.refused, resp.Diagnostics)
		}
	}
}

// A bad URL has one title whether it comes from the configuration (the
// schema's validator) or from the environment (the provider's settings).
func TestBadURLTitleFromConfigOrEnvironment(t *testing.T) {
	t.Parallel()
	var sr provider.SchemaResponse
	(&AlbatoProvider{}).Schema(t.Context(), provider.SchemaRequest{}, &sr)
	for arg, env := range map[string]string{"api_url": envAPIURL, "connect_url": envConnectURL} {
		const bad = "no-scheme.example.com"
		fromConfig := &validator.StringResponse{}
		for _, v := range sr.Schema.Attributes[arg].(pschema.StringAttribute).Validators {
			v.ValidateString(t.Context(), validator.StringRequest{Path: path.Root(arg), ConfigValue: types.StringValue(bad)}, fromConfig)
		}
		cfg := providerModel{APIURL: types.StringNull(), Token: types.StringValue("t"), AuthScheme: types.StringNull(),
			LinkID: types.StringNull(), ConnectURL: types.StringNull(), MaxRetries: types.Int64Null()}
		_, fromEnv := resolveSettings(cfg, func(k string) string { return map[string]string{env: bad}[k] })
		if len(fromConfig.Diagnostics) != 1 || len(fromEnv) != 1 {
			t.Fatalf("%s: want one error from each, got %v from the configuration and %v from %s", arg, fromConfig.Diagnostics, fromEnv, env)
		}
		if a, b := fromConfig.Diagnostics[0].Summary(), fromEnv[0].Summary(); a != b {
			t.Errorf("%s: %q from the configuration, %q from %s", arg, a, b, env)
		}
	}
}

// A number from a variable that is not a whole number (225.5), or too large
// for one (1e20), is refused naming the argument, not with the framework's
// conversion error that blames the provider; in the resource, the links
// data source's filters and (through the same attribute) the list resource.
func TestAccWholeNumbersFromVariables(t *testing.T) {
	e := newTestEnv(t)
	cfg := e.providerConfig() + `
variable "n" {
  type = number
}
`
	blocks := map[string]string{
		"resource partner_id":    "resource \"albato_connection_link\" \"x\" {\n  partner_id = var.n\n  title      = \"t\"\n}\n",
		"data source partner_id": "data \"albato_connection_links\" \"x\" {\n  partner_id = var.n\n}\n",
		"data source status":     "data \"albato_connection_links\" \"x\" {\n  status = var.n\n}\n",
	}
	var steps []resource.TestStep
	for what, block := range blocks {
		title, arg := "Invalid Partner ID", "partner_id"
		if strings.HasSuffix(what, "status") {
			title, arg = "Invalid Status", "status"
		}
		for _, n := range []struct {
			v    float64
			text string
		}{{225.5, "225.5"}, {1e20, "1e\\+20"}} {
			steps = append(steps, resource.TestStep{
				Config:          cfg + block,
				ConfigVariables: config.Variables{"n": config.FloatVariable(n.v)},
				ExpectError:     regexp.MustCompile(title + `(?s).*` + arg + `\s+must\s+be\s+a\s+whole\s+number.*got\s+` + n.text),
			})
		}
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
}

// An action's input that was unknown when Terraform validated it (from a
// variable or another resource) is checked at invoke, with the inline
// case's own messages, before any request: for every input below, Invoke's
// diagnostics are those ValidateActionConfig gives the same values.
func TestActionsCheckInputAtInvoke(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	srv, ok := providerserver.NewProtocol6(New("test")())().(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider server serves no actions")
	}
	strs := func(vs ...string) []tftypes.Value {
		out := []tftypes.Value{}
		for _, v := range vs {
			out = append(out, tftypes.NewValue(tftypes.String, v))
		}
		return out
	}
	list := func(vs ...string) tftypes.Value {
		return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, strs(vs...))
	}
	set := func(vs ...string) tftypes.Value {
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, strs(vs...))
	}
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	wait := func(ids, statuses tftypes.Value) map[string]tftypes.Value {
		return map[string]tftypes.Value{"ids": ids, "statuses": statuses, "timeout": str("2s")}
	}
	regen := func(id string) map[string]tftypes.Value {
		return map[string]tftypes.Value{"id": str(id), "allow_granted": tftypes.NewValue(tftypes.Bool, nil)}
	}
	for _, c := range []struct {
		name   string
		act    action.Action
		config map[string]tftypes.Value
	}{
		{"wait, no ids", &waitAction{}, wait(list(), set("granted"))},
		{"wait, duplicate ids", &waitAction{}, wait(list("61", "61"), set("granted"))},
		{"wait, a bad id", &waitAction{}, wait(list("61", "x"), set("granted"))},
		{"wait, no statuses", &waitAction{}, wait(list("61"), set())},
		{"wait, an unknown status", &waitAction{}, wait(list("61"), set("grantd"))},
		{"wait, a negative timeout", &waitAction{}, map[string]tftypes.Value{"ids": list("61"), "statuses": set("granted"), "timeout": str("-1m")}},
		{"regenerate, id 0", &regenerateAction{}, regen("0")},
		{"regenerate, id not a number", &regenerateAction{}, regen("abc")},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		var md action.MetadataResponse
		c.act.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "albato"}, &md)
		var sr action.SchemaResponse
		c.act.Schema(ctx, action.SchemaRequest{}, &sr)
		typ := sr.Schema.Type().TerraformType(ctx)
		raw := tftypes.NewValue(typ, c.config)
		dv, err := tfprotov6.NewDynamicValue(typ, raw)
		if err != nil {
			t.Fatal(err)
		}
		inline, err := srv.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: md.TypeName, Config: &dv})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, d := range inline.Diagnostics {
			want = append(want, d.Summary+": "+d.Detail)
		}
		switch a := c.act.(type) {
		case *waitAction:
			a.data = e.configured(t)
			a.data.pollMin, a.data.pollMax = 10*time.Millisecond, 50*time.Millisecond
		case *regenerateAction:
			a.data = e.configured(t)
		}
		e.sandbox.ResetRequests()
		var resp action.InvokeResponse
		c.act.Invoke(ctx, action.InvokeRequest{Config: tfsdk.Config{Raw: raw, Schema: sr.Schema}}, &resp)
		cancel()
		var got []string
		for _, d := range resp.Diagnostics {
			got = append(got, d.Summary()+": "+d.Detail())
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: at invoke %q, inline %q", c.name, got, want)
		}
		if n := len(e.sandbox.Requests()); n != 0 {
			t.Errorf("%s: %d requests before the input was checked", c.name, n)
		}
	}
}

// Bad input is a clear diagnostic at validate or plan time, naming the
// attribute, with no request sent.
func TestAccConnectionLink_validation(t *testing.T) {
	e := newTestEnv(t)
	cases := []struct {
		extra string
		title string
		want  string
	}{
		{title: "", want: `(?s)Invalid Length.*title.*must be 1 to 255 characters\s+long.*got\s+0\s+characters`},
		{title: strings.Repeat("x", 256), want: `(?s)Invalid Length.*title.*must be 1 to 255 characters\s+long.*got\s+256\s+characters`},
		{title: strings.Repeat("я", 256), want: `(?s)Invalid Length.*title.*not\s+bytes;\s+got\s+256\s+characters`},
		{title: "ok", extra: `regenerate_before = "soon"`, want: `(?s)"soon" is not a Go duration`},
		{title: "ok", extra: `regenerate_before = "-1h"`, want: `(?s)"-1h" is negative`},
	}
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      testAccConnectionLinkConfig(e, c.title, c.extra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: e.providerConfig() + `
resource "albato_connection_link" "test" {
  partner_id = 0
  title      = "zero"
}`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`Attribute partner_id value must be at least 1`),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps:                    steps,
		CheckDestroy:             e.checkCount("", 0),
	})
}

// Titles count Unicode characters, not bytes (issue 12.5): 255 Cyrillic
// letters (510 bytes), accented letters and emoji are created and read back
// unchanged; 256 characters are refused (TestAccConnectionLink_validation).
func TestAccConnectionLink_titleCharacters(t *testing.T) {
	e := newTestEnv(t)
	titles := map[string]string{
		"cyrillic": strings.Repeat("я", 255),
		"accented": strings.Repeat("ação é ñ ", 28) + "ção", // 255 characters, Portuguese and Spanish
		"emoji":    strings.Repeat("🔗", 255),                // 4 bytes each
	}
	var body string
	for name, title := range titles {
		if n := utf8.RuneCountInString(title); n != 255 {
			t.Fatalf("%s title has %d characters, want 255", name, n)
		}
		body += fmt.Sprintf("resource \"albato_connection_link\" %q {\n  partner_id = 225\n  title      = %q\n}\n", name, title)
	}
	checks := make([]statecheck.StateCheck, 0, len(titles))
	for name, title := range titles {
		checks = append(checks, statecheck.ExpectKnownValue("albato_connection_link."+name, tfjsonpath.New("title"), knownvalue.StringExact(title)))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:            e.providerConfig() + body,
			ConfigStateChecks: checks,
			Check:             e.checkCount("POST", len(titles)),
		}},
	})
}

// wholeNumberType accepts a number exactly when it is an integer an int64
// holds (null and unknown pass); any other is an error naming the argument
// and the number, and reads as unknown rather than as a conversion error.
func TestWholeNumberType(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	typ := wholeNumberType{title: "Invalid Partner ID"}
	at := path.Root("partner_id")
	maxPlusOne := new(big.Float).SetInt(new(big.Int).Lsh(big.NewInt(1), 63))
	for _, c := range []struct {
		in    tftypes.Value
		whole bool
		text  string // how the error quotes a number that is not whole
	}{
		{tftypes.NewValue(tftypes.Number, nil), true, ""},
		{tftypes.NewValue(tftypes.Number, tftypes.UnknownValue), true, ""},
		{tftypes.NewValue(tftypes.Number, 225), true, ""},
		{tftypes.NewValue(tftypes.Number, -1), true, ""},
		{tftypes.NewValue(tftypes.Number, int64(math.MaxInt64)), true, ""},
		{tftypes.NewValue(tftypes.Number, int64(math.MinInt64)), true, ""},
		{tftypes.NewValue(tftypes.Number, 225.5), false, "225.5"},
		{tftypes.NewValue(tftypes.Number, 1e20), false, "1e+20"},
		{tftypes.NewValue(tftypes.Number, maxPlusOne), false, "9.223372036854775808e+18"},
	} {
		diags := typ.Validate(ctx, c.in, at)
		v, err := typ.ValueFromTerraform(ctx, c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if c.whole {
			if diags.HasError() {
				t.Errorf("%s: refused: %v", c.in, diags)
			}
			if want, _ := (basetypes.Int64Type{}).ValueFromTerraform(ctx, c.in); !v.Equal(want) {
				t.Errorf("%s: read as %s, want %s", c.in, v, want)
			}
			continue
		}
		want := "partner_id must be a whole number from -9223372036854775808 to 9223372036854775807, got " + c.text + "."
		if len(diags) != 1 || diags[0].Summary() != "Invalid Partner ID" || diags[0].Detail() != want {
			t.Errorf("%s: %v, want one error %q", c.in, diags, want)
		}
		if !v.IsUnknown() {
			t.Errorf("%s: read as %s, want unknown", c.in, v)
		}
	}
	if !typ.Equal(wholeNumberType{title: "Invalid Partner ID"}) || typ.Equal(wholeNumberType{title: "Invalid Status"}) ||
		!typ.Equal(basetypes.Int64Type{}) || typ.Equal(basetypes.StringType{}) {
		t.Error("Equal: want the same title, or a plain Int64Type, and nothing else")
	}
}
