# golangci-lint, pinned in tools/golangci-lint/go.mod, over the provider's
# module, the bench module, scripts/releasecheck and scripts/mutatechanged,
# with .golangci.yml.

.PHONY: lint
lint: ## Run golangci-lint (pinned) with .golangci.yml.
	$(call tool,golangci-lint) run ./...
	cd bench && $(call tool,golangci-lint) run ./...
	cd scripts/releasecheck && $(call tool,golangci-lint) run ./...
	cd scripts/mutatechanged && $(call tool,golangci-lint) run ./...

# actionlint, pinned in tools/actionlint/go.mod, over .github/workflows/
# (it also runs shellcheck on the run: steps when shellcheck is on PATH).

.PHONY: actionlint
actionlint: ## Lint the GitHub Actions workflows with actionlint (pinned).
	$(call tool,actionlint) -color=false
