# Browser tests: internal/provider/browser_test.go drives a headless Chromium
# through the end user's side of a link (the sandbox's connect page). They
# find the browser in $ALBATO_CHROMIUM, /usr/bin/chromium, or chromium,
# chromium-browser or google-chrome on PATH; without one they skip, except
# under CI (CI set), where they fail.
#
# chromedp, which drives the browser, stays in the provider's go.mod: the
# browser tests are acceptance tests of package provider (they run the
# provider in-process with newTestEnv's sandbox and clock, which are
# unexported test helpers of that package), and Go lets no other module import
# internal/provider. It is a test-only dependency: it is never linked into the
# provider binary (`go version -m` of a build does not list it).

BROWSER_TESTS ?= TestAccBrowser

.PHONY: chromium
chromium: ## Install Debian's chromium for the browser tests, unless a browser is already there.
	@if [ -n "$${ALBATO_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
		echo "browser for the browser tests: $${ALBATO_CHROMIUM:-$$(command -v /usr/bin/chromium chromium || command -v chromium-browser || command -v google-chrome)}"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium; \
	elif command -v sudo >/dev/null 2>&1; then \
		sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium; \
	else \
		echo "No Chromium found, and not root and no sudo to install it. Run as root:"; \
		echo "    apt-get update && apt-get install -y --no-install-recommends chromium"; \
		echo "or point ALBATO_CHROMIUM at a Chromium or Chrome binary."; \
		exit 1; \
	fi

.PHONY: browser-test
browser-test: $(TERRAFORM) chromium ## Run only the browser tests (real Terraform CLI, headless Chromium).
	TF_ACC=1 TF_ACC_TERRAFORM_PATH=$(TERRAFORM) go test -race -count=1 -run '$(BROWSER_TESTS)' $(GO_TEST_FLAGS) ./internal/provider/

.PHONY: screenshots
screenshots: $(TERRAFORM) chromium ## Regenerate docs/images/connect-page.png from the browser test.
	ALBATO_UPDATE_SCREENSHOTS=1 TF_ACC=1 TF_ACC_TERRAFORM_PATH=$(TERRAFORM) go test -count=1 -run 'TestAccBrowser_apiKeyJourney' ./internal/provider/
	@echo "wrote docs/images/connect-page.png"
