package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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
		{urlValidator(albato.ParseConnectURL), "https://connect.example.com", false},
		{urlValidator(albato.ParseConnectURL), "connect.example.com/no-scheme", true},
	} {
		resp := &validator.StringResponse{}
		c.v.ValidateString(t.Context(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(c.value)}, resp)
		if resp.Diagnostics.HasError() != c.refused {
			t.Errorf("%q: refused = %v, want %v (%v)", c.value, resp.Diagnostics.HasError(), c.refused, resp.Diagnostics)
		}
	}
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
