# golangci-lint, pinned in tools/golangci-lint/go.mod, over the provider's
# module and the bench module, with .golangci.yml.

.PHONY: lint
lint: ## Run golangci-lint (pinned) with .golangci.yml.
	$(call tool,golangci-lint) run ./...
	cd bench && $(call tool,golangci-lint) run ./...
