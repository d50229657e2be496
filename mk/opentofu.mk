# OpenTofu: `make test` runs the acceptance suite a second time, against
# OpenTofu, built like Terraform from the Go module proxy (never downloaded
# as a binary) and cached under $(TOOLS_DIR).
#
# `go install github.com/opentofu/opentofu/cmd/tofu@v...` refuses the module
# because its go.mod has a replace directive, so the module is downloaded
# with `go mod download`, copied out of the read-only module cache, and built
# in the copy. version.dev=no makes `tofu version` say 1.12.6, not 1.12.6-dev.
#
# terraform-plugin-testing attaches the in-process provider under
# registry.terraform.io/hashicorp/albato unless told otherwise, while
# OpenTofu resolves the tests' implied "albato" provider to
# registry.opentofu.org/hashicorp/albato: TF_ACC_PROVIDER_HOST makes the two
# agree. The browser tests (TestAccBrowser*) exercise the sandbox's connect
# page rather than the CLI, so they run on Terraform only.

TOFU_VERSION ?= 1.12.6
TOFU         := $(TOOLS_DIR)/opentofu-$(TOFU_VERSION)/tofu
TOFU_SKIP    ?= TestAccBrowser

# OpenTofu, unlike Terraform, warns on stdout when TF_CLI_CONFIG_FILE names a
# file that does not exist, and the warning breaks terraform-exec's reading of
# `tofu version`: unset the variable then (the tests need no CLI
# configuration: the provider is attached in-process).
TOFU_ENV = $(if $(TF_CLI_CONFIG_FILE),$(if $(wildcard $(TF_CLI_CONFIG_FILE)),,env -u TF_CLI_CONFIG_FILE))

# The acceptance suite against OpenTofu; `make test` runs it after the
# Terraform run, `make testacc-tofu` alone.
TOFU_TEST = $(TOFU_ENV) TF_ACC=1 TF_ACC_TERRAFORM_PATH=$(TOFU) TF_ACC_PROVIDER_HOST=registry.opentofu.org \
	go test -race -count=1 -timeout 45m -skip '$(TOFU_SKIP)' $(GO_TEST_FLAGS) ./internal/provider/

$(TOFU):
	@echo "Building OpenTofu $(TOFU_VERSION) from the Go module proxy into $(dir $@) (once; about 30 minutes on 2 busy CPUs, less with more)"
	@set -eu; \
	work=$$(mktemp -d); \
	trap 'chmod -R u+w "$$work" 2>/dev/null || true; rm -rf "$$work"' EXIT; \
	src=$$(cd "$$work" && go mod download -json github.com/opentofu/opentofu@v$(TOFU_VERSION) \
		| sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$$/\1/p'); \
	test -n "$$src" && test -d "$$src" || { echo "go mod download gave no Dir for opentofu@v$(TOFU_VERSION)"; exit 1; }; \
	cp -R "$$src" "$$work/opentofu"; \
	chmod -R u+w "$$work/opentofu"; \
	mkdir -p $(dir $@); \
	cd "$$work/opentofu" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
		-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o $@.tmp ./cmd/tofu; \
	mv $@.tmp $@; \
	$@ version

.PHONY: tofu
tofu: $(TOFU) ## Install the OpenTofu CLI used by the second acceptance run.

.PHONY: testacc-tofu
testacc-tofu: $(TOFU) ## Run only the acceptance suite against OpenTofu (browser tests excluded).
	$(TOFU_TEST)
