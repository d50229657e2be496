# Mutation testing with gremlins, pinned in tools/gremlins/go.mod. Each
# package of MUTATE_PKGS is mutated in turn, and its own tests run against
# every mutant; acceptance tests skip, TF_ACC being unset. Results go to
# $(MUTATE_OUT)/<package>.json. Too slow for CI: see RELIABILITY.md.
# MUTATE_FILES, when set, names the only files to mutate (base names, e.g.
# "expiry.go model.go"): gremlins can only exclude, so every other non-test
# file of the package is excluded.
# Never --test-cpu: gremlins v0.6.0 passes "-cpu N" to go test as one
# argument, the test binary rejects it, and every mutant counts as killed
# without a test having run. GOFLAGS gets -count=1, else a cached coverage
# run sets gremlins' per-mutant timeout (3 times that run) to about 3 s;
# -vet=off, else a mutant go vet rejects counts as killed by no test; and
# -parallel=8, since the parallel tests mostly wait (8 s of internal/albato's
# tests become 4 s). A timeout coefficient of 5, not the default 3, leaves
# room for a busy machine.
MUTATE_PKGS  ?= ./internal/albato ./internal/provider
MUTATE_FLAGS ?= --workers 2 --timeout-coefficient 5
MUTATE_FILES ?=
MUTATE_OUT   ?= $(CURDIR)/.mutate

.PHONY: mutate
mutate: ## Mutation testing (gremlins, pinned) of MUTATE_PKGS, e.g. make mutate MUTATE_PKGS=./internal/albato
	@mkdir -p $(MUTATE_OUT)
	@for pkg in $(MUTATE_PKGS); do \
		echo "== gremlins over $$pkg"; \
		exclude=""; \
		if [ -n "$(MUTATE_FILES)" ]; then \
			for f in $$pkg/*.go; do \
				b=$$(basename $$f); \
				case "$$b" in *_test.go) continue;; esac; \
				case " $(MUTATE_FILES) " in *" $$b "*) ;; *) exclude="$$exclude --exclude-files ^$$(echo $$b | sed 's/\./\\./g')$$";; esac; \
			done; \
		fi; \
		env -u TF_ACC GOFLAGS="$${GOFLAGS:-} -count=1 -vet=off -parallel=8" $(call tool,gremlins) unleash $(MUTATE_FLAGS) $$exclude \
			--output $(MUTATE_OUT)/$$(basename $$pkg).json $$pkg || exit 1; \
	done

# mutate-changed mutates only the lines changed since the merge base of
# MUTATE_BASE and HEAD (committed or not: `git diff --merge-base`), in the
# packages of MUTATE_PKGS whose non-test .go files have such lines, each
# against its whole test suite (scripts/mutatechanged says how). It prints
# per package killed, lived, not covered, timed out, the score, every LIVED
# mutant and the wall time; the JSON goes to $(MUTATE_OUT)/changed/.
# MUTATE_ACC_RUN, a regular expression without spaces, runs the acceptance
# tests it matches on the newest Terraform instead of the unit tests: for
# code only Terraform reaches, such as a resource's CRUD.
MUTATE_BASE          ?= main
MUTATE_CHANGED_FLAGS ?= --workers 2 --timeout-coefficient 5
MUTATE_ACC_RUN       ?=

.PHONY: mutate-changed
mutate-changed: $(if $(MUTATE_ACC_RUN),$(TERRAFORM_LATEST)) ## Mutation testing of only the lines changed since MUTATE_BASE (default main), e.g. make mutate-changed MUTATE_BASE=HEAD~1
	@go -C scripts/mutatechanged test ./...
	@$(if $(MUTATE_ACC_RUN),TF_ACC_TERRAFORM_PATH=$(TERRAFORM_LATEST)) go -C scripts/mutatechanged run . \
		-base '$(MUTATE_BASE)' -out '$(MUTATE_OUT)/changed' -pkgs '$(MUTATE_PKGS)' -acc-run '$(MUTATE_ACC_RUN)' \
		-- $(call tool,gremlins) unleash $(MUTATE_CHANGED_FLAGS)
