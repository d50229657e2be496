# Local install: `make install` builds the provider and puts it into the
# implied local filesystem mirror of Terraform and OpenTofu,
# ~/.terraform.d/plugins, in the unpacked layout
#   <host>/albato/albato/<VERSION>/<GOOS>_<GOARCH>/terraform-provider-albato_v<VERSION>
# under both registry.terraform.io (Terraform) and registry.opentofu.org
# (OpenTofu), so that `terraform init` (or `tofu init`) finds
# source = "albato/albato" offline. The README shows the matching
# provider_installation block. VERSION is what the binary reports (main.version,
# the User-Agent) and what a version constraint such as "~> 0.1" is matched
# against.

VERSION       ?= 0.1.0
PLUGIN_MIRROR ?= $(HOME)/.terraform.d/plugins
ifeq ($(origin GOOS),undefined)
GOOS := $(shell go env GOOS)
endif
ifeq ($(origin GOARCH),undefined)
GOARCH := $(shell go env GOARCH)
endif

PROVIDER_BINARY := terraform-provider-albato_v$(VERSION)
MIRROR_DIR      := $(PLUGIN_MIRROR)/registry.terraform.io/albato/albato/$(VERSION)/$(GOOS)_$(GOARCH)
TOFU_MIRROR_DIR := $(PLUGIN_MIRROR)/registry.opentofu.org/albato/albato/$(VERSION)/$(GOOS)_$(GOARCH)

.PHONY: install
install: install-mirror ## Install the provider into ~/.terraform.d/plugins (VERSION, default 0.1.0).

.PHONY: install-mirror
install-mirror: ## Build the provider (VERSION, default 0.1.0) into the local filesystem mirror ~/.terraform.d/plugins.
	mkdir -p '$(MIRROR_DIR)' '$(TOFU_MIRROR_DIR)'
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" \
		-o '$(MIRROR_DIR)/$(PROVIDER_BINARY)' .
	cp -f '$(MIRROR_DIR)/$(PROVIDER_BINARY)' '$(TOFU_MIRROR_DIR)/$(PROVIDER_BINARY)'
	@echo "installed $(MIRROR_DIR)/$(PROVIDER_BINARY)"
	@echo "      and $(TOFU_MIRROR_DIR)/$(PROVIDER_BINARY)"

.PHONY: uninstall-mirror
uninstall-mirror: ## Remove VERSION of the provider from the local filesystem mirror.
	rm -rf '$(PLUGIN_MIRROR)/registry.terraform.io/albato/albato/$(VERSION)' '$(PLUGIN_MIRROR)/registry.opentofu.org/albato/albato/$(VERSION)'

# install-check proves the README's offline install: `make install-mirror`
# into a scratch mirror, then `terraform init` and `tofu init` of a
# configuration with source = "albato/albato" and version = "~> 0.1", with a
# CLI configuration whose provider_installation block names that mirror and
# forbids direct downloads of the provider, then `validate` with the installed
# binary. .ci/run runs it.
INSTALL_CHECK_DIR ?= $(CURDIR)/.install-check

.PHONY: install-check
install-check: $(TERRAFORM) $(TOFU) ## Check that `make install` gives a mirror from which terraform init and tofu init work offline.
	@set -eu; \
	dir='$(INSTALL_CHECK_DIR)'; rm -rf "$$dir"; mkdir -p "$$dir/config"; \
	trap 'rm -rf "$$dir"' EXIT; \
	$(MAKE) --no-print-directory install-mirror PLUGIN_MIRROR="$$dir/plugins" VERSION=0.1.0 >/dev/null; \
	printf '%s\n' \
		'provider_installation {' \
		'  filesystem_mirror {' \
		"    path    = \"$$dir/plugins\"" \
		'    include = ["registry.terraform.io/albato/albato", "registry.opentofu.org/albato/albato"]' \
		'  }' \
		'  direct {' \
		'    exclude = ["registry.terraform.io/albato/albato", "registry.opentofu.org/albato/albato"]' \
		'  }' \
		'}' > "$$dir/cli.tfrc"; \
	printf '%s\n' \
		'terraform {' \
		'  required_providers {' \
		'    albato = {' \
		'      source  = "albato/albato"' \
		'      version = "~> 0.1"' \
		'    }' \
		'  }' \
		'}' \
		'provider "albato" {}' \
		'resource "albato_connection_link" "check" {' \
		'  partner_id = 225' \
		'  title      = "install check"' \
		'}' > "$$dir/config/main.tf"; \
	for cli in '$(TERRAFORM)' '$(TOFU)'; do \
		rm -rf "$$dir/config/.terraform" "$$dir/config/.terraform.lock.hcl"; \
		( cd "$$dir/config" && TF_CLI_CONFIG_FILE="$$dir/cli.tfrc" TF_PLUGIN_CACHE_DIR= CHECKPOINT_DISABLE=1 \
			"$$cli" init -input=false -no-color >"$$dir/init.log" 2>&1 && \
		  TF_CLI_CONFIG_FILE="$$dir/cli.tfrc" CHECKPOINT_DISABLE=1 "$$cli" validate -no-color >>"$$dir/init.log" 2>&1 ) \
		|| { cat "$$dir/init.log"; echo "install-check: $$cli init from the mirror failed"; exit 1; }; \
		grep -q 'albato/albato v0.1.0' "$$dir/init.log" \
		|| { cat "$$dir/init.log"; echo "install-check: $$cli did not install albato/albato v0.1.0 from the mirror"; exit 1; }; \
		echo "install-check: $$(basename $$cli) init installed albato/albato v0.1.0 from the mirror and validated"; \
	done
