package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/albato/terraform-provider-albato/internal/albato"
	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// configuredServer returns the provider's protocol server, configured
// against the test's sandbox, as Terraform would have it before an apply.
func (e *testEnv) configuredServer(t *testing.T, extra map[string]tftypes.Value) tfprotov6.ProviderServer {
	t.Helper()
	srv := e.factories()["albato"]
	server, err := srv()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemaResp.Provider.ValueType()
	vals := map[string]tftypes.Value{
		"api_url":     tftypes.NewValue(tftypes.String, e.server.URL),
		"token":       tftypes.NewValue(tftypes.String, testToken),
		"auth_scheme": tftypes.NewValue(tftypes.String, nil),
		"link_id":     tftypes.NewValue(tftypes.String, nil),
		"connect_url": tftypes.NewValue(tftypes.String, e.connectURL()),
		"max_retries": tftypes.NewValue(tftypes.Number, nil),
	}
	for k, v := range extra {
		vals[k] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.5.7", Config: &cfg})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return server
}

// Ctrl-C (a cancelled context) during a slow request or a retry wait ends
// the operation within a second, with a diagnostic saying so, and leaves
// the API as the state says: nothing created.
func TestCancelEndsCreateQuickly(t *testing.T) {
	for name, fault := range map[string]sandbox.Fault{
		"slow answer": {Method: "POST", Latency: time.Minute},
		"retry wait":  {Method: "POST", Status: 429, RetryAfter: "60"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			// Honour a long Retry-After, as the real client would.
			e.clientTweak = func(c *albato.Config) { c.MaxRetryAfter = time.Minute }
			e.sandbox.AddFault(fault)
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
				vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
			}
			vals["partner_id"] = tftypes.NewValue(tftypes.Number, 225)
			vals["title"] = tftypes.NewValue(tftypes.String, "cancelled")
			vals["regenerate_triggers"] = tftypes.NewValue(objType.AttributeTypes["regenerate_triggers"], nil)
			vals["regenerate_when_expired"] = tftypes.NewValue(tftypes.Bool, true)
			vals["regenerate_before"] = tftypes.NewValue(tftypes.String, "0s")
			planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
			if err != nil {
				t.Fatal(err)
			}
			prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: "albato_connection_link", PriorState: &prior, PlannedState: &planned, Config: &planned,
			})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// The fault would hold the request for a minute; ending far
			// sooner proves the wait was cut short, not waited out. The
			// bound is loose so that a loaded machine cannot fail it; the
			// typical figure (about 0.2 s) is in the test log.
			t.Logf("apply returned %v after the start, %v after Ctrl-C", elapsed, elapsed-200*time.Millisecond)
			if elapsed > 15*time.Second {
				t.Errorf("apply took %v after Ctrl-C; the cancellation did not end the wait", elapsed)
			}
			var details []string
			for _, d := range resp.Diagnostics {
				details = append(details, d.Summary+": "+d.Detail)
			}
			if !strings.Contains(strings.Join(details, "\n"), "cancelled") {
				t.Errorf("diagnostics do not say the request was cancelled: %q", details)
			}
			if n := len(e.sandbox.Sharings()); n != 0 {
				t.Errorf("the sandbox holds %d links after a cancelled create, want 0", n)
			}
		})
	}
}
