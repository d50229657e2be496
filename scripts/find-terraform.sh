#!/usr/bin/env bash
# Print the path of the `terraform` on PATH when it is Terraform (or a CLI
# that answers as one) 1.5 or newer, the demo's floor; otherwise say why on
# stderr and exit 1, so that `make demo` builds one instead. A newcomer who
# has Terraform installed then waits for no build.
set -euo pipefail

tf=$(command -v terraform 2>/dev/null) || {
	echo "No terraform on PATH." >&2
	exit 1
}
# `version -json` (Terraform 0.13 and later, OpenTofu) gives the version
# alone, without the upgrade notice or the provider list.
json=$(CHECKPOINT_DISABLE=1 "$tf" version -json 2>/dev/null </dev/null) || {
	echo "$tf did not answer \`terraform version -json\`: not usable." >&2
	exit 1
}
v=$(sed -n 's/.*"terraform_version":[[:space:]]*"\([0-9][0-9]*\.[0-9][0-9]*[^"]*\)".*/\1/p' <<<"$json" | head -n 1)
[[ -n $v ]] || {
	echo "$tf gave no version in \`terraform version -json\`: not usable." >&2
	exit 1
}
IFS=. read -r major minor _ <<<"$v"
minor=${minor%%[!0-9]*}
if ((major < 1 || (major == 1 && minor < 5))); then
	echo "$tf is $v, older than 1.5." >&2
	exit 1
fi
echo "$tf"
