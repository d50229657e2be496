# Native Go fuzzing. `make test` replays the seed corpora (f.Add seeds and
# testdata/fuzz/); `make fuzz` explores each target for FUZZTIME.
FUZZTIME ?= 1m
FUZZ_TARGETS := \
	./internal/albato:FuzzDecodeResponse \
	./internal/albato:FuzzParseDate \
	./internal/provider:FuzzBuildLink \
	./internal/sandbox:FuzzHandler

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 1m) each.
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "==> $$name ($$pkg, $(FUZZTIME))"; \
		go test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) || exit 1; \
	done
