package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// A create that may have taken effect says what the user must check: a
// failed look names the link to find, several candidates name their ids; a
// create that surely failed says only that.
func TestCreateErrorDiagnostic(t *testing.T) {
	t.Parallel()
	pd := &providerData{settings: settings{apiURLOrigin: `"api_url" in the provider configuration`}}
	plan := connectionLinkResourceModel{linkView: linkView{Title: types.StringValue("CRM"), PartnerID: types.Int64Value(225)}}
	cause := errors.New("connection reset")
	for _, c := range []struct {
		name string
		err  error
		want []string // the summary, then parts of the detail
	}{
		{"failed", cause, []string{"Unable to Create Connection Link", "connection reset"}},
		{"look failed", &albato.AmbiguousCreateError{Cause: cause, LookErr: errors.New("HTTP 503")},
			[]string{"Connection Link May Have Been Created", `"CRM" for partner 225`, "HTTP 503", "import it"}},
		{"several candidates", &albato.AmbiguousCreateError{Cause: cause, Candidates: []albato.Sharing{{ID: 61}, {ID: 64}}},
			[]string{"Connection Link May Have Been Created More Than Once", "2 links", "ids 61, 64", "terraform import"}},
	} {
		summary, detail := pd.createErrorDiagnostic(plan.PartnerID.ValueInt64(), plan.Title.ValueString(), c.err)
		if summary != c.want[0] {
			t.Errorf("%s: summary %q, want %q", c.name, summary, c.want[0])
		}
		for _, part := range c.want[1:] {
			if !strings.Contains(detail, part) {
				t.Errorf("%s: detail %q lacks %q", c.name, detail, part)
			}
		}
	}
}

// An interrupt comes from Terraform or OpenTofu alike: no message it causes
// names either CLI.
func TestInterruptMessagesNameNoCLI(t *testing.T) {
	t.Parallel()
	pd := &providerData{}
	var diags diag.Diagnostics
	w := &linkWait{ids: []int64{61}, want: []string{"granted"}}
	w.interrupted(&diags)
	msgs := []string{pd.apiErrorDetail("create the link", context.Canceled),
		pd.apiErrorDetail("read link 61", fmt.Errorf("GET: %w", context.Canceled))}
	for _, d := range diags {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	if len(msgs) != 3 {
		t.Fatalf("the interrupted wait reported %d diagnostics, want 1: %v", len(diags), diags)
	}
	for _, m := range msgs {
		if strings.Contains(m, "Terraform") || strings.Contains(m, "OpenTofu") {
			t.Errorf("an interrupt's message names a CLI: %q", m)
		}
	}
}
