#!/usr/bin/env bash
# Runs the tests of the guide "Testing your modules"
# (examples/guides/testing-your-modules) with each CLI named on the command
# line, Terraform (1.7+) or OpenTofu (1.8+):
#   1. the mocked tests, tests/*.tftest.hcl (`terraform test`);
#   2. with an albato-sandbox started here, the sandbox test,
#      tests-sandbox/*.tftest.hcl (`terraform test -test-directory=tests-sandbox`).
#
# `make test-modules` runs it with Terraform 1.16.4 and OpenTofu 1.12.6.
# Needs go and curl (the sandbox test plays the client with curl).
#
# A mock_provider still needs the provider itself, for its schema, and no
# registry serves albato/albato here: the provider built from this checkout
# is loaded through a dev_overrides CLI configuration, as in scripts/demo.sh.
# With it `terraform test` needs no `init`, and `terraform get
# -test-directory=...` installs the local modules that test files call
# (OpenTofu's `init` would look albato/albato up in its registry and fail).
# Each CLI works in a copy of the example in a temporary directory, removed
# on exit, so nothing is written into the checkout.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXAMPLE=examples/guides/testing-your-modules
SANDBOX_TOKEN=module-test-token

(($# > 0)) || {
	echo "usage: $0 CLI..." >&2
	exit 2
}

TMP=
SANDBOX_PID=
cleanup() {
	local rc=$?
	if [[ -n $SANDBOX_PID ]]; then
		kill -TERM "$SANDBOX_PID" 2>/dev/null || true
		wait "$SANDBOX_PID" 2>/dev/null || true
		if ((rc != 0)) && [[ -s $TMP/sandbox.log ]]; then
			echo "--- sandbox log (last lines) ---" >&2
			tail -n 20 "$TMP/sandbox.log" >&2
		fi
	fi
	if [[ -n $TMP && -d $TMP ]]; then rm -rf -- "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for cli in "$@"; do
	[[ -x $cli ]] || {
		echo "test-modules: $cli is not an executable CLI" >&2
		exit 1
	}
done

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The caller's settings that would reach outside the temporary directory or
# change what the commands do.
unset TF_DATA_DIR TF_WORKSPACE TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_test \
	TF_CLI_ARGS_init TF_CLI_ARGS_get TF_REATTACH_PROVIDERS \
	ALBATO_API_URL ALBATO_TOKEN ALBATO_CONNECT_URL ALBATO_AUTH_SCHEME ALBATO_LINK_ID ALBATO_MAX_RETRIES
TMP=$(mktemp -d "${TMPDIR:-/tmp}/albato-module-tests.XXXXXX")

(
	cd "$REPO_ROOT"
	export GOTMPDIR="$TMP"
	go build -o "$TMP/bin/terraform-provider-albato" .
	go build -o "$TMP/bin/albato-sandbox" ./cmd/albato-sandbox
)
cat >"$TMP/dev.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "albato/albato" = "$TMP/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$TMP/dev.tfrc"

# work CLI: a fresh copy of the example for CLI, with the test files'
# modules installed; prints its path.
work() {
	local dir
	dir="$TMP/work-$(basename "$(dirname "$1")")"
	rm -rf "$dir"
	cp -R "$REPO_ROOT/$EXAMPLE" "$dir"
	(cd "$dir" && "$1" get -no-color -test-directory=tests-sandbox >/dev/null)
	echo "$dir"
}

# run_test CLI ARGS...: `CLI test ARGS...` in its copy; on failure, say which.
run_test() {
	local cli=$1 dir
	shift
	dir=$(work "$cli")
	echo "== $("$cli" version | head -n 1): test${*:+ $*}"
	(cd "$dir" && "$cli" test -no-color "$@") || {
		echo "test-modules: $cli test $* failed" >&2
		return 1
	}
}

for cli in "$@"; do
	run_test "$cli"
done

# The sandbox, on a free port, with its control endpoints (the test plays
# the client through them).
"$TMP/bin/albato-sandbox" -addr 127.0.0.1:0 -addr-file "$TMP/addr" -control -quiet \
	-token "$SANDBOX_TOKEN" </dev/null >"$TMP/sandbox.log" 2>&1 &
SANDBOX_PID=$!
addr=
for ((i = 0; i < 150; i++)); do # up to 15 s
	kill -0 "$SANDBOX_PID" 2>/dev/null || {
		echo "test-modules: the sandbox exited at start" >&2
		exit 1
	}
	if [[ -s $TMP/addr ]] && addr=$(tr -d '[:space:]' <"$TMP/addr") &&
		curl -fsS -o /dev/null --max-time 2 "http://$addr/_sandbox/clock" 2>/dev/null; then
		break
	fi
	addr=
	sleep 0.1
done
[[ -n $addr ]] || {
	echo "test-modules: the sandbox did not answer within 15 seconds" >&2
	exit 1
}
export ALBATO_API_URL="http://$addr" ALBATO_TOKEN="$SANDBOX_TOKEN" ALBATO_CONNECT_URL="http://$addr/connect"
echo "== sandbox on $ALBATO_API_URL"

for cli in "$@"; do
	run_test "$cli" -test-directory=tests-sandbox
done

# Each sandbox test revokes the links it made when it ends.
left=$(curl -fsS "$ALBATO_API_URL/_sandbox/sharings" | tr '{' '\n' | grep -c '"status":[0-2],' || true)
if ((left != 0)); then
	echo "test-modules: $left links are not revoked after the sandbox tests" >&2
	exit 1
fi
echo "test-modules: passed with $*"
