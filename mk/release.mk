# GoReleaser, pinned in tools/goreleaser/go.mod.
#
# release-verify proves what a tag will publish installs (scripts/release-verify.sh
# says how): a snapshot release of .goreleaser.yml for this machine's target
# only (`release-snapshot` builds every target), signed by the signs step of
# .goreleaser.yml with a GPG key made for the run, verified, then installed
# from a packed filesystem mirror by `terraform init` on the floor and the
# newest Terraform and by `tofu init`, with the h1: hash of each lock file
# checked against the zip SHA256SUMS lists, and a plan against the sandbox.
# RELEASE_VERIFY_TAMPER=sums|zip|layout breaks one thing to watch it fail.
# The GPG tools come from Debian's gnupg (target gnupg).

.PHONY: release-check release-snapshot release-verify gnupg goreleaser-version
release-check: ## Validate .goreleaser.yml.
	$(call tool,goreleaser) check

release-snapshot: ## Build the release archives locally into dist/ (unsigned).
	$(call tool,goreleaser) release --snapshot --clean --skip=sign

release-verify: $(TERRAFORM) $(TERRAFORM_LATEST) $(TOFU) gnupg ## Build a signed snapshot release for this machine, verify it, install it with terraform init (floor, newest) and tofu init, plan.
	GORELEASER='$(call tool,goreleaser)' TERRAFORM='$(TERRAFORM)' TERRAFORM_LATEST='$(TERRAFORM_LATEST)' TOFU='$(TOFU)' \
		./scripts/release-verify.sh

gnupg: ## Install Debian's gnupg (gpg, gpgv) for release-verify, unless it is already there.
	@if command -v gpg >/dev/null 2>&1 && command -v gpgv >/dev/null 2>&1 && command -v gpgconf >/dev/null 2>&1; then \
		echo "gpg for release-verify: $$(command -v gpg)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y --no-install-recommends gnupg gpgv; \
	elif command -v sudo >/dev/null 2>&1; then \
		sudo apt-get update && sudo apt-get install -y --no-install-recommends gnupg gpgv; \
	else \
		echo "No gpg found, and not root and no sudo to install it. Run as root:"; \
		echo "    apt-get update && apt-get install -y --no-install-recommends gnupg gpgv"; \
		exit 1; \
	fi

goreleaser-version: ## Print the GoReleaser version tools/goreleaser/go.mod pins (the release workflow runs it).
	@go list -modfile=tools/goreleaser/go.mod -m -f '{{.Version}}' github.com/goreleaser/goreleaser/v2
