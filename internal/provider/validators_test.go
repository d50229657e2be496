package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

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
