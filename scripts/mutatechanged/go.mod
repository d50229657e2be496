module github.com/albato/terraform-provider-albato/scripts/mutatechanged

go 1.25.8
