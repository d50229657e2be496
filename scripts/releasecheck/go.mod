module github.com/albato/terraform-provider-albato/scripts/releasecheck

go 1.25.8

require (
	go.yaml.in/yaml/v3 v3.0.4
	golang.org/x/mod v0.34.0
)
