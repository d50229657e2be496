// Command terraform-provider-albato is the Terraform provider for Albato
// connection links ("connection via link" sharings).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/albato/terraform-provider-albato/internal/provider"
)

// version is set by GoReleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	provider.QuietLogsUnlessAsked()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/albato/albato",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
