package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

func TestProviderSchemaIsValid(t *testing.T) {
	t.Parallel()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Errorf("schema error: %s: %s", d.Summary, d.Detail)
		}
	}
	if _, ok := resp.ResourceSchemas["albato_connection_link"]; !ok {
		t.Error("albato_connection_link resource missing")
	}
	for _, name := range []string{"albato_connection_link", "albato_connection_links"} {
		if _, ok := resp.DataSourceSchemas[name]; !ok {
			t.Errorf("%s data source missing", name)
		}
	}
}
