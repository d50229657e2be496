# Performance benchmarks (issue 6): `make bench` builds the provider, the
# sandbox and a no-op provider into a temporary directory, measures apply,
# plan and destroy of N links side by side with the no-op provider and
# terraform_data, the list data source at scale, memory and CPU, and the Go
# benchmarks, and writes BENCHMARKS.md. Settings are environment variables
# (see bench/cmd/bench), e.g. `make bench BENCH_NS="100 500" BENCH_RUNS=5`.

BENCH_VARS := BENCH_NS BENCH_RUNS BENCH_LARGE_RUNS BENCH_LATENCY BENCH_PARALLELISM \
	BENCH_LIST_ITEMS BENCH_LIST_PAGE_SIZE BENCH_LIST_RUNS BENCH_GO BENCH_PROFILE BENCH_PROFILE_N BENCH_KEEP

.PHONY: bench
bench: $(TERRAFORM) ## Benchmark apply/plan/destroy against a no-op provider, the list at scale, memory; writes BENCHMARKS.md.
	$(strip $(foreach v,$(BENCH_VARS),$(if $(value $(v)),$(v)='$(value $(v))'))) go run ./bench/cmd/bench -terraform '$(TERRAFORM)' -out BENCHMARKS.md
