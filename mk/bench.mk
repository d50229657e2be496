# Performance benchmarks: `make bench` runs bench/cmd/bench, in its own Go
# module (bench/go.mod), which builds the provider, the sandbox and a no-op
# provider into a temporary directory, measures apply, plan and destroy of N
# links side by side with the no-op provider (the true floor: the same
# attribute shape and logging settings) and terraform_data, the list data
# source at scale, memory and CPU, and the Go benchmarks, and writes
# BENCHMARKS.md. Settings are environment variables (listed in
# bench/cmd/bench/main.go), e.g. a quick run:
#
#   make bench BENCH_NS=100 BENCH_LATENCIES=25ms BENCH_RUNS=1 BENCH_LIST_ITEMS=0 BENCH_GO=0 BENCH_PROFILE=0 BENCH_OUT=/tmp/b.md
#
# BENCH_CLI is the CLI measured (default: the floor Terraform), e.g.
# BENCH_CLI=$(TERRAFORM_LATEST) or $(TOFU), after `make clis`.

BENCH_CLI ?= $(TERRAFORM)
BENCH_OUT ?= BENCHMARKS.md
BENCH_VARS := BENCH_NS BENCH_RUNS BENCH_LARGE_RUNS BENCH_LATENCIES BENCH_PARALLELISM BENCH_SCHEMA_VARIANTS \
	BENCH_LIST_ITEMS BENCH_LIST_PAGE_SIZE BENCH_LIST_RUNS BENCH_GO BENCH_PROFILE BENCH_PROFILE_N BENCH_KEEP \
	BENCH_SCALE BENCH_SCALE_ONLY BENCH_SCALE_NS BENCH_SCALE_RESOURCE_NS BENCH_SCALE_RUNS BENCH_SCALE_RESOURCE_RUNS BENCH_SCALE_CLIS BENCH_SCALE_PARTS BENCH_SCALE_ROWS BENCH_SCALE_NOTE

.PHONY: bench
bench: $(if $(filter $(TERRAFORM),$(BENCH_CLI)),$(TERRAFORM)) ## Benchmark apply/plan/destroy against the true floor, the list at scale, memory; writes BENCHMARKS.md.
	cd bench && $(strip $(foreach v,$(BENCH_VARS),$(if $(value $(v)),$(v)='$(value $(v))'))) \
		go run ./cmd/bench -repo '$(CURDIR)' -terraform '$(BENCH_CLI)' -out '$(BENCH_OUT)'
