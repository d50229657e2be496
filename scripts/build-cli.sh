#!/usr/bin/env bash
# Build a Terraform or OpenTofu CLI from the Go module proxy (never a
# downloaded binary):
#
#   scripts/build-cli.sh terraform 1.16.4 OUT
#   scripts/build-cli.sh opentofu  1.12.6 OUT
#
# `go install module@version` refuses both modules because their go.mod has
# replace directives, so the module is fetched with `go mod download`, copied
# out of the read-only module cache and built in the copy. version.dev=no makes
# the CLI report X.Y.Z rather than X.Y.Z-dev.
#
# The acceptance tests use local state only and never encrypt it with a cloud
# key, so the copy leaves out what pulls in cloud SDKs the tests never run:
#
#   Terraform (1.13 to 1.16): nine remote-state backends and internal/legacy
#   are nested modules that the module zip leaves out; the copy drops their
#   require and replace lines from go.mod and unregisters the nine backends
#   from internal/backend/init/init.go.
#   (Terraform 1.16's `validate` refuses a backend block of a type left out:
#   the examples test skips such a block.)
#   OpenTofu (1.12): its eight cloud backends (Terraform's nine less oci;
#   http and inmem stay) from internal/backend/init/init.go, and the aws_kms, gcp_kms and
#   azure_vault state-encryption key providers from
#   internal/encryption/default_registry.go (pbkdf2, which the examples use,
#   stays). That takes the Go source it compiles (dependencies included)
#   from 95 MB to 53 MB, as much as a Terraform build compiles.
#
# Every line it drops must be there exactly once: when a new release changes
# that layout, the build stops here with the line it missed instead of
# building something else.
set -euo pipefail

usage() { echo "usage: $0 terraform|opentofu VERSION OUT" >&2; exit 2; }
[[ $# -eq 3 ]] || usage
cli=$1 version=$2 out=$3
case $out in /*) ;; *) out=$PWD/$out ;; esac

case $cli in
terraform) module=github.com/hashicorp/terraform pkg=. ;;
opentofu) module=github.com/opentofu/opentofu pkg=./cmd/tofu ;;
*) usage ;;
esac

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

src=$(cd "$work" && go mod download -json "$module@v$version" |
	sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')
[[ -n $src && -d $src ]] || { echo "build-cli: go mod download gave no Dir for $module@v$version" >&2; exit 1; }
cp -R "$src" "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"

# drop_lines FILE PATTERN...: delete the lines matching each fixed-string
# PATTERN, after checking that each matches exactly one line.
drop_lines() {
	local file=$1 pattern n
	shift
	for pattern in "$@"; do
		n=$(grep -cF -- "$pattern" "$file" || true)
		[[ $n -eq 1 ]] || {
			echo "build-cli: expected exactly one line containing '$pattern' in $module@v$version/$file, found $n;" >&2
			echo "build-cli: the module's layout changed: update scripts/build-cli.sh" >&2
			exit 1
		}
		grep -vF -- "$pattern" "$file" >"$file.new" || true
		mv "$file.new" "$file"
	done
}

# drop_registration FILE PATTERN: delete the line containing PATTERN (exactly
# one) and the two lines after it, which must be `panic(err)` and `}`: an
# `if err := ...; err != nil {` block.
drop_registration() {
	local file=$1 pattern=$2 n
	n=$(grep -cF -- "$pattern" "$file" || true)
	[[ $n -eq 1 ]] || {
		echo "build-cli: expected exactly one line containing '$pattern' in $module@v$version/$file, found $n;" >&2
		echo "build-cli: the module's layout changed: update scripts/build-cli.sh" >&2
		exit 1
	}
	awk -v pat="$pattern" '
		found == 1 { if ($1 != "panic(err)") bad = 1; found = 2; next }
		found == 2 { if ($1 != "}") bad = 1; found = 3; next }
		index($0, pat) { found = 1; next }
		{ print }
		END { exit (bad || found != 3) }' "$file" >"$file.new" || {
		echo "build-cli: the block of '$pattern' in $module@v$version/$file is not if/panic(err)/}: update scripts/build-cli.sh" >&2
		exit 1
	}
	mv "$file.new" "$file"
}

# drop_backends NEW_CALL BACKEND...: unregister each remote-state backend from
# internal/backend/init/init.go: its import (`backendS3 "…/remote-state/s3"`)
# and its registration (`"s3": func(…) backend.Backend { return
# backendS3.New(…) },`; azure registers as "azurerm"). NEW_CALL is how the
# registration calls New: `New()` for Terraform, `New(enc)` for OpenTofu.
drop_backends() {
	local call=$1 b alias
	shift
	for b in "$@"; do
		alias=$(sed -n "s|^[[:space:]]*\([A-Za-z0-9]*\) \"$module/internal/backend/remote-state/$b\"\$|\1|p" internal/backend/init/init.go)
		[[ -n $alias ]] || { echo "build-cli: no import of remote-state/$b in internal/backend/init/init.go: update scripts/build-cli.sh" >&2; exit 1; }
		drop_lines internal/backend/init/init.go "$alias \"$module/internal/backend/remote-state/$b\"" "return $alias.$call },"
	done
}

case $cli in
terraform)
	backends=(azure consul cos gcs kubernetes oci oss pg s3)
	nested=(internal/legacy)
	for b in "${backends[@]}"; do nested+=("internal/backend/remote-state/$b"); done
	for m in "${nested[@]}"; do
		[[ ! -e $m/go.mod ]] || { echo "build-cli: $m is in the module zip now: update scripts/build-cli.sh" >&2; exit 1; }
		drop_lines go.mod "	$module/$m v0.0.0-00010101000000-000000000000" "replace $module/$m => ./$m"
	done
	drop_backends 'New()' "${backends[@]}"
	;;
opentofu)
	drop_backends 'New(enc)' azure consul cos gcs kubernetes oss pg s3
	for k in aws_kms gcp_kms azure_vault; do
		drop_lines internal/encryption/default_registry.go "\"$module/internal/encryption/keyprovider/$k\""
		drop_registration internal/encryption/default_registry.go "DefaultRegistry.RegisterKeyProvider($k.New())"
	done
	;;
esac

mkdir -p "$(dirname "$out")"
GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
	-ldflags "-s -w -X $module/version.dev=no" -o "$out.tmp" "$pkg"
mv "$out.tmp" "$out"
"$out" version
