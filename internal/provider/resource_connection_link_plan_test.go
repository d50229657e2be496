package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// planFor runs ModifyPlan on a prior state and a planned state built from
// models, as Terraform would, as of a link last read at readAt, and returns
// the response.
func planFor(t *testing.T, readAt time.Time, prior, planned connectionLinkResourceModel) *resource.ModifyPlanResponse {
	t.Helper()
	ctx := context.Background()
	r := &connectionLinkResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	empty := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)

	state := tfsdk.State{Schema: sr.Schema, Raw: empty}
	if d := state.Set(ctx, &prior); d.HasError() {
		t.Fatalf("state: %v", d)
	}
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: empty}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatalf("plan: %v", d)
	}
	resp := &resource.ModifyPlanResponse{Plan: plan}
	req := resource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}}
	r.planChange(ctx, req, resp, readAt)
	return resp
}

func grantedModel() connectionLinkResourceModel {
	m := connectionLinkResourceModel{
		linkView: linkView{
			ID: types.StringValue("61"), PartnerID: types.Int64Value(225), Title: types.StringValue("CRM"),
			Token: types.StringValue("tok"), Link: types.StringValue("https://c?id=225&token=tok"),
			Status: types.Int64Value(1), StatusName: types.StringValue("granted"), CredentialID: types.Int64Value(248),
			DateCreated: types.StringValue("2026-01-01T00:00:00Z"), ExpiresAt: types.StringValue("2026-01-03T00:00:00Z"),
			Expired: types.BoolValue(false),
		},
		RegenerateTriggers:    types.MapNull(types.StringType),
		RegenerateWhenExpired: types.BoolValue(true),
		RegenerateBefore:      types.StringValue("0s"),
	}
	return m
}

// Behaviour 5: replacing a granted link warns that it must be completed again.
func TestModifyPlan_replacingGrantedLinkWarns(t *testing.T) {
	t.Parallel()
	prior := grantedModel()
	planned := prior
	planned.Title = types.StringValue("CRM, renamed")
	resp := planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected error: %v", resp.Diagnostics)
	}
	if resp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", resp.Diagnostics)
	}
	w := resp.Diagnostics.Warnings()[0]
	if !strings.Contains(w.Detail(), "must complete again") || !strings.Contains(w.Detail(), "credential_id is null") {
		t.Errorf("warning does not explain the consequence: %s", w.Detail())
	}

	// A waiting link is replaced without a warning.
	prior.Status = types.Int64Value(0)
	planned.Status = types.Int64Value(0)
	resp = planFor(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), prior, planned)
	if resp.Diagnostics.WarningsCount() != 0 {
		t.Errorf("unexpected warning for a waiting link: %v", resp.Diagnostics)
	}
}

// An expired waiting link plans every computed attribute but id as unknown.
func TestModifyPlan_expiredWaitingLinkRegenerates(t *testing.T) {
	t.Parallel()
	prior := grantedModel()
	prior.Status, prior.StatusName, prior.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	resp := planFor(t, time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), prior, prior)
	var got connectionLinkResourceModel
	if d := resp.Plan.Get(context.Background(), &got); d.HasError() {
		t.Fatal(d)
	}
	if got.ID.IsUnknown() || got.Title.IsUnknown() || got.PartnerID.IsUnknown() {
		t.Errorf("id, title and partner_id must keep their values: %+v", got)
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"token": got.Token, "link": got.Link, "status": got.Status, "status_name": got.StatusName,
		"credential_id": got.CredentialID, "date_created": got.DateCreated, "expires_at": got.ExpiresAt, "expired": got.Expired,
	} {
		if !v.IsUnknown() {
			t.Errorf("%s should be unknown in a regeneration plan", name)
		}
	}

	// A second earlier: nothing to do.
	resp = planFor(t, time.Date(2026, 1, 2, 23, 59, 59, 0, time.UTC), prior, prior)
	if d := resp.Plan.Get(context.Background(), &got); d.HasError() {
		t.Fatal(d)
	}
	if got.Token.IsUnknown() {
		t.Error("a link a second before expiry must not be regenerated")
	}
}

// Plans say why a link changes in place: an in-place update alone says
// nothing of an expiry, nor of a completed link that triggers reset.
func TestModifyPlan_regenerationWarnings(t *testing.T) {
	t.Parallel()
	waiting := grantedModel()
	waiting.Status, waiting.StatusName, waiting.CredentialID = types.Int64Value(0), types.StringValue("waiting"), types.Int64Null()
	early := waiting
	early.RegenerateBefore = types.StringValue("6h")
	triggered := func(m connectionLinkResourceModel, v string) connectionLinkResourceModel {
		m.RegenerateTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"rotation": types.StringValue(v)})
		return m
	}
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name           string
		now            time.Time
		prior, planned connectionLinkResourceModel
		want           string // part of the one warning's summary and detail; "" for none
	}{
		{"expired", expiry, waiting, waiting, "Regenerating an Expired Connection Link: Connection link 61 expired at 2026-01-03T00:00:00Z"},
		{"within regenerate_before", expiry.Add(-time.Hour), early, early, "Before It Expires: Connection link 61 expires at 2026-01-03T00:00:00Z, within regenerate_before (6h)"},
		{"not yet", expiry.Add(-time.Second), waiting, waiting, ""},
		{"triggers on a completed link", expiry.Add(-time.Hour), triggered(grantedModel(), "1"), triggered(grantedModel(), "2"), "Regenerating a Completed Connection Link: Connection link 61 was completed by its end user (credential_id 248)"},
		{"triggers on a waiting link", expiry.Add(-time.Hour), triggered(waiting, "1"), triggered(waiting, "2"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			resp := planFor(t, c.now, c.prior, c.planned)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			switch {
			case c.want == "" && len(warnings) > 0:
				t.Errorf("unexpected warning: %v", warnings)
			case c.want != "" && len(warnings) != 1:
				t.Errorf("want one warning, got %v", warnings)
			case c.want != "":
				if got := warnings[0].Summary() + ": " + warnings[0].Detail(); !strings.Contains(got, c.want) {
					t.Errorf("warning %q does not contain %q", got, c.want)
				}
			}
		})
	}
}

// Turning store_token from false to true takes a usable token back into the
// state: the plan shows token and link as known after apply. A completed
// link's token is spent, so nothing is taken back.
func TestModifyPlan_storeTokenTurnedOn(t *testing.T) {
	t.Parallel()
	readAt := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC) // long before expiry
	for _, c := range []struct {
		name        string
		status      int64
		wantUnknown bool
	}{
		{"waiting", 0, true},
		{"completed", 1, false},
	} {
		prior := grantedModel()
		prior.Status = types.Int64Value(c.status)
		prior.Token, prior.Link, prior.StoreToken = types.StringNull(), types.StringNull(), types.BoolValue(false)
		planned := prior
		planned.StoreToken = types.BoolValue(true)
		resp := planFor(t, readAt, prior, planned)
		var got connectionLinkResourceModel
		if d := resp.Plan.Get(context.Background(), &got); d.HasError() || resp.Diagnostics.HasError() {
			t.Fatal(d, resp.Diagnostics)
		}
		if got.Token.IsUnknown() != c.wantUnknown || got.Link.IsUnknown() != c.wantUnknown {
			t.Errorf("%s: token unknown %t, link unknown %t, want %t", c.name, got.Token.IsUnknown(), got.Link.IsUnknown(), c.wantUnknown)
		}
		if got.Status.IsUnknown() {
			t.Errorf("%s: taking the token back planned a regeneration", c.name)
		}
	}
}

// Expiry settings not known until apply: only a waiting link may be due, so
// only a waiting link's plan leaves room for a regeneration.
func TestModifyPlan_unknownExpirySettings(t *testing.T) {
	t.Parallel()
	readAt := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC) // long before expiry
	for _, c := range []struct {
		name        string
		status      int64
		wantUnknown bool
	}{
		{"waiting", 0, true},
		{"completed", 1, false},
	} {
		for _, unknownSetting := range []string{"regenerate_before", "regenerate_when_expired"} {
			prior := grantedModel()
			prior.Status = types.Int64Value(c.status)
			planned := prior
			if unknownSetting == "regenerate_before" {
				planned.RegenerateBefore = types.StringUnknown()
			} else {
				planned.RegenerateWhenExpired = types.BoolUnknown()
			}
			resp := planFor(t, readAt, prior, planned)
			var got connectionLinkResourceModel
			if d := resp.Plan.Get(context.Background(), &got); d.HasError() || resp.Diagnostics.HasError() {
				t.Fatal(d, resp.Diagnostics)
			}
			if got.Token.IsUnknown() != c.wantUnknown || got.Status.IsUnknown() != c.wantUnknown {
				t.Errorf("%s link, %s unknown: token unknown %t, status unknown %t, want %t", c.name, unknownSetting,
					got.Token.IsUnknown(), got.Status.IsUnknown(), c.wantUnknown)
			}
		}
	}
}
