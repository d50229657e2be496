package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// withSecretsMasked hides the API token and every sharing token it is
// given in each log line written with its context, in the message and in
// any field, a link's query included; without secrets it changes nothing.
func TestWithSecretsMaskedHidesTokensInLogs(t *testing.T) {
	t.Parallel()
	const apiToken, sharingToken = "api-tok-3c1d9e", "aZeZWFwAQQ"
	link := buildLink("https://connect.example.com/", 225, sharingToken)
	for _, pd := range []*providerData{{apiToken: apiToken}, nil, {}} {
		var out bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &out)
		ctx = withSecretsMasked(ctx, pd, "", sharingToken)
		tflog.Debug(ctx, "read "+sharingToken+" with "+apiToken, map[string]any{
			"link": link, "token": sharingToken, "header": "Bearer " + apiToken, "id": 61,
		})
		got := out.String()
		if !strings.Contains(got, `"id":61`) {
			t.Fatalf("no log line: %q", got)
		}
		if strings.Contains(got, sharingToken) {
			t.Errorf("the sharing token is logged: %s", got)
		}
		if pd != nil && pd.apiToken != "" && strings.Contains(got, apiToken) {
			t.Errorf("the API token is logged: %s", got)
		}
	}

	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	tflog.Debug(withSecretsMasked(ctx, nil), "nothing to hide", map[string]any{"token": sharingToken})
	if !strings.Contains(out.String(), sharingToken) {
		t.Errorf("a value not given was masked: %s", out.String())
	}
}
