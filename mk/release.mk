# GoReleaser, pinned in tools/goreleaser/go.mod.

.PHONY: release-check release-snapshot
release-check: ## Validate .goreleaser.yml.
	$(call tool,goreleaser) check

release-snapshot: ## Build the release archives locally into dist/ (unsigned).
	$(call tool,goreleaser) release --snapshot --clean --skip=sign
