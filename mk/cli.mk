# The CLIs the acceptance suite runs on, all built from the Go module proxy
# (never downloaded as binaries) and cached under $(TOOLS_DIR):
#
#   Terraform $(TF_VERSION)         the floor; `make test` runs every test on it
#   Terraform $(TF_LATEST_VERSION)  the newest release the module proxy serves;
#                                   its version list stops earlier, but it
#                                   serves any exact version asked for (1.17
#                                   is refused)
#   OpenTofu $(TOFU_VERSION)
#
# Terraform 1.5.7 installs with `go install`. Newer Terraform and OpenTofu
# have replace directives that `go install` refuses: scripts/build-cli.sh
# builds them from a copy of the module, without the cloud state backends
# the tests never use (and says what it changes).
#
# The two newer CLIs run the acceptance suite (./internal/provider/) without
# the browser tests (ACC_SKIP): those exercise the sandbox's connect page, not
# the CLI. A test reads its CLI from TF_ACC_TERRAFORM_PATH, per run.

TF_LATEST_VERSION ?= 1.16.4
TERRAFORM_LATEST  := $(TOOLS_DIR)/terraform-$(TF_LATEST_VERSION)/terraform
TOFU_VERSION      ?= 1.12.6
TOFU              := $(TOOLS_DIR)/opentofu-$(TOFU_VERSION)/tofu
ACC_SKIP          ?= TestAccBrowser

$(TERRAFORM):
	@echo "Building Terraform $(TF_VERSION) from the Go module proxy into $(dir $@) (once; about 3 minutes)"
	GOBIN=$(dir $@) GOFLAGS=-mod=mod go install github.com/hashicorp/terraform@v$(TF_VERSION)

$(TERRAFORM_LATEST):
	@echo "Building Terraform $(TF_LATEST_VERSION) from the Go module proxy into $(dir $@) (once; about 6 minutes of CPU: 14 measured on 2 CPUs busy with other builds)"
	./scripts/build-cli.sh terraform $(TF_LATEST_VERSION) $@

$(TOFU):
	@echo "Building OpenTofu $(TOFU_VERSION) from the Go module proxy into $(dir $@) (once; about 4 minutes of CPU after Terraform $(TF_LATEST_VERSION), whose dependencies it shares: 14 measured on 2 busy CPUs)"
	./scripts/build-cli.sh opentofu $(TOFU_VERSION) $@

.PHONY: terraform terraform-latest tofu clis
terraform: $(TERRAFORM) ## Install the floor Terraform (TF_VERSION), used by every test, and by the demo when PATH has no terraform 1.5+.
terraform-latest: $(TERRAFORM_LATEST) ## Install the newest Terraform (TF_LATEST_VERSION), used by the acceptance suite and make generate.
tofu: $(TOFU) ## Install OpenTofu (TOFU_VERSION).
clis: $(TERRAFORM) $(TERRAFORM_LATEST) $(TOFU) ## Install all three CLIs.

# ACC_TEST is the acceptance suite without the browser tests; the caller
# sets TF_ACC_TERRAFORM_PATH.
ACC_TEST = TF_ACC=1 go test -race -count=1 -timeout 45m -skip '$(ACC_SKIP)' $(GO_TEST_FLAGS) ./internal/provider/

TF_LATEST_TEST = TF_ACC_TERRAFORM_PATH=$(TERRAFORM_LATEST) $(ACC_TEST)

# terraform-plugin-testing attaches the in-process provider under
# registry.terraform.io/hashicorp/albato unless told otherwise, while
# OpenTofu resolves the tests' implied "albato" provider to
# registry.opentofu.org/hashicorp/albato: TF_ACC_PROVIDER_HOST makes the two
# agree. OpenTofu, unlike Terraform, warns on stdout when TF_CLI_CONFIG_FILE
# names a file that does not exist, which breaks terraform-exec's reading of
# `tofu version`: unset the variable then (the tests need no CLI
# configuration).
TOFU_ENV  = $(if $(TF_CLI_CONFIG_FILE),$(if $(wildcard $(TF_CLI_CONFIG_FILE)),,env -u TF_CLI_CONFIG_FILE))
TOFU_TEST = $(TOFU_ENV) TF_ACC_TERRAFORM_PATH=$(TOFU) TF_ACC_PROVIDER_HOST=registry.opentofu.org $(ACC_TEST)

.PHONY: testacc-latest
testacc-latest: $(TERRAFORM_LATEST) ## Run only the acceptance suite on the newest Terraform (browser tests excluded).
	$(TF_LATEST_TEST)

.PHONY: testacc-tofu
testacc-tofu: $(TOFU) ## Run only the acceptance suite on OpenTofu (browser tests excluded).
	$(TOFU_TEST)
