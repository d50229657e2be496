# The guide "Testing your modules" (examples/guides/testing-your-modules):
# its module's tests with a mocked provider (tests/), then against a sandbox
# that scripts/test-modules.sh starts (tests-sandbox/), with Terraform
# $(TF_LATEST_VERSION) and OpenTofu $(TOFU_VERSION). Terraform 1.5.7 has no
# `terraform test` mocks (1.7+). The provider is the one built from this
# checkout, loaded through dev_overrides (the script says why); the tests take
# about 15 seconds. `make test` runs them last.

.PHONY: test-modules
test-modules: $(TERRAFORM_LATEST) $(TOFU) ## Run the tests of the "Testing your modules" guide (terraform test and tofu test: mocked, then against a sandbox).
	./scripts/test-modules.sh $(TERRAFORM_LATEST) $(TOFU)
