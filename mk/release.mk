GORELEASER_VERSION ?= v2.15.1
GORELEASER := $(TOOLS_DIR)/goreleaser-$(GORELEASER_VERSION)/goreleaser

$(GORELEASER):
	GOBIN=$(dir $@) GOFLAGS=-mod=mod go install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

.PHONY: release-check
release-check: $(GORELEASER) ## Validate .goreleaser.yml.
	$(GORELEASER) check

.PHONY: release-snapshot
release-snapshot: $(GORELEASER) ## Build the release archives locally into dist/ (unsigned).
	$(GORELEASER) release --snapshot --clean --skip=sign
