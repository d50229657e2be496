# Mutation testing with gremlins, pinned in tools/gremlins/go.mod. Each
# package of MUTATE_PKGS is mutated in turn, and its own tests run against
# every mutant; acceptance tests skip, TF_ACC being unset. Results go to
# $(MUTATE_OUT)/<package>.json. Too slow for CI: see RELIABILITY.md.
MUTATE_PKGS  ?= ./internal/albato ./internal/provider
MUTATE_FLAGS ?= --workers 2 --test-cpu 1
MUTATE_OUT   ?= $(CURDIR)/.mutate

.PHONY: mutate
mutate: ## Mutation testing (gremlins, pinned) of MUTATE_PKGS, e.g. make mutate MUTATE_PKGS=./internal/albato
	@mkdir -p $(MUTATE_OUT)
	@for pkg in $(MUTATE_PKGS); do \
		echo "== gremlins over $$pkg"; \
		env -u TF_ACC $(call tool,gremlins) unleash $(MUTATE_FLAGS) \
			--output $(MUTATE_OUT)/$$(basename $$pkg).json $$pkg || exit 1; \
	done
