#!/usr/bin/env bash
# Proves that a release's artifacts install: `make release-verify` runs it.
#
#  1. GoReleaser builds a snapshot release from .goreleaser.yml, narrowed to
#     this machine's target (scripts/releasecheck narrow: the builds' targets
#     and dist change, nothing else), and signs its SHA256SUMS with the signs
#     step of .goreleaser.yml, using a GPG key made for this run only.
#  2. The signature verifies with the public key alone (gpgv); the zip's and
#     the manifest's hashes are those SHA256SUMS lists; the zip holds the
#     executable at its root; the manifest says protocol 6.0.
#  3. The zip, as GoReleaser made it, goes into a packed filesystem mirror;
#     `terraform init` (floor and newest) and `tofu init` install it with an
#     exact version constraint, the h1: hash each writes to
#     .terraform.lock.hcl must be that of the zip, and a plan against the
#     sandbox must read from it.
#
# Any failed check exits non-zero with the reason. RELEASE_VERIFY_TAMPER
# breaks one thing after GoReleaser, to see a check fail:
#   sums    change a hash in SHA256SUMS (the signature no longer verifies)
#   zip     append a byte to the zip (its hash is not the one SHA256SUMS lists)
#   layout  put the binary in a folder of the zip, and list and sign that zip
#           as a faulty configuration would (the layout check fails)
# RELEASE_VERIFY_KEEP=1 keeps the working directory (dist/, logs) for a look.
#
# Environment: GORELEASER (the command), TERRAFORM, TERRAFORM_LATEST, TOFU
# (the CLIs' paths). Needs go, git, gpg and gpgv (Debian's gnupg), and
# python3 for RELEASE_VERIFY_TAMPER=layout only.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${GORELEASER:?set GORELEASER to the GoReleaser command}"
: "${TERRAFORM:?set TERRAFORM}" "${TERRAFORM_LATEST:?set TERRAFORM_LATEST}" "${TOFU:?set TOFU}"
TAMPER=${RELEASE_VERIFY_TAMPER:-}
case $TAMPER in '' | sums | zip | layout) ;; *)
	echo "release-verify: RELEASE_VERIFY_TAMPER must be sums, zip or layout" >&2
	exit 2
	;;
esac

TMP=
SANDBOX_PID=
cleanup() {
	local rc=$?
	if [[ -n $SANDBOX_PID ]]; then
		kill "$SANDBOX_PID" 2>/dev/null || true
		wait "$SANDBOX_PID" 2>/dev/null || true
	fi
	if [[ -n $TMP && -d $TMP && -z ${RELEASE_VERIFY_KEEP:-} ]]; then
		GNUPGHOME="$TMP/gnupg" gpgconf --kill all >/dev/null 2>&1 || true
		rm -rf -- "$TMP"
	fi
	if ((rc != 0)); then
		echo "release-verify: FAILED (exit code $rc)" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
step() { printf '==> %s\n' "$1"; }
ok() { printf '    ok: %s\n' "$1"; }
fail() {
	printf 'release-verify: %s\n' "$1" >&2
	exit 1
}

start=$SECONDS
TMP=$(mktemp -d "${TMPDIR:-/tmp}/albato-release-verify.XXXXXX")
mkdir "$TMP/bin"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The caller's settings that would change what the CLIs below do.
unset TF_DATA_DIR TF_WORKSPACE TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan \
	ALBATO_AUTH_SCHEME ALBATO_MAX_RETRIES ALBATO_CONNECT_URL ALBATO_LINK_ID

step "Building the checks and the sandbox"
(cd "$REPO_ROOT/scripts/releasecheck" && go test -count=1 ./... >"$TMP/test.log" 2>&1 || { cat "$TMP/test.log"; exit 1; } &&
	go build -o "$TMP/bin/releasecheck" .)
(cd "$REPO_ROOT" && go build -o "$TMP/bin/albato-sandbox" ./cmd/albato-sandbox)
RC="$TMP/bin/releasecheck"

step "Making a throwaway GPG key for this run"
export GNUPGHOME="$TMP/gnupg"
mkdir -m 700 "$GNUPGHOME"
# RSA, which the Terraform Registry accepts; no passphrase; gone with $TMP.
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-generate-key 'terraform-provider-albato release-verify (throwaway) <release-verify@example.invalid>' \
	rsa3072 sign 1d 2>"$TMP/gpg.log" || {
	cat "$TMP/gpg.log"
	fail "gpg could not make a key"
}
FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys 2>>"$TMP/gpg.log" | awk -F: '$1 == "fpr" { print $10; exit }')
[[ -n $FINGERPRINT ]] || fail "no fingerprint for the new key"
gpg --batch --export "$FINGERPRINT" >"$TMP/public.gpg"
ok "key $FINGERPRINT"

TARGET="$(go env GOOS)_$(go env GOARCH)"
step "GoReleaser: snapshot release of .goreleaser.yml for $TARGET only, signed"
DIST="$TMP/dist"
"$RC" narrow "$TARGET" "$DIST" <"$REPO_ROOT/.goreleaser.yml" >"$TMP/goreleaser.yml"
gr_start=$SECONDS
(cd "$REPO_ROOT" && GPG_FINGERPRINT="$FINGERPRINT" $GORELEASER release --snapshot \
	--config "$TMP/goreleaser.yml" >"$TMP/goreleaser.log" 2>&1) || {
	cat "$TMP/goreleaser.log"
	fail "goreleaser release --snapshot failed"
}
VERSION=$(grep -o '"version": *"[^"]*"' "$DIST/metadata.json" | head -n 1 | cut -d'"' -f4)
[[ -n $VERSION ]] || fail "no version in $DIST/metadata.json"
NAME=terraform-provider-albato
SUMS="$DIST/${NAME}_${VERSION}_SHA256SUMS"
ZIP_NAME="${NAME}_${VERSION}_${TARGET}.zip"
ZIP="$DIST/$ZIP_NAME"
MANIFEST_NAME="${NAME}_${VERSION}_manifest.json"
BINARY="${NAME}_v${VERSION}"
[[ $TARGET == windows_* ]] && BINARY+=.exe
for f in "$SUMS" "$SUMS.sig" "$ZIP"; do
	[[ -f $f ]] || fail "GoReleaser made no $(basename "$f") (dist: $(ls "$DIST" | tr '\n' ' '))"
done
ok "version $VERSION in $((SECONDS - gr_start)) s: $(cd "$DIST" && ls -- *.zip *SHA256SUMS* | tr '\n' ' ')"

case $TAMPER in
sums)
	awk -v f="$ZIP_NAME" '$2 == f { c = substr($1, 1, 1); $1 = (c == "0" ? "1" : "0") substr($1, 2); print $1 "  " $2; next } { print }' \
		"$SUMS" >"$TMP/sums" && cat "$TMP/sums" >"$SUMS"
	echo "    TAMPERED: the hash of $ZIP_NAME in $(basename "$SUMS") changed after signing"
	;;
zip)
	printf x >>"$ZIP"
	echo "    TAMPERED: a byte appended to $ZIP_NAME"
	;;
layout)
	mkdir -p "$TMP/relayout/bin"
	(cd "$TMP/relayout" && python3 -m zipfile -e "$ZIP" bin && rm -f "$ZIP" && python3 -m zipfile -c "$ZIP" bin)
	sed -i "/  ${ZIP_NAME//./\\.}\$/d" "$SUMS"
	(cd "$DIST" && sha256sum "$ZIP_NAME" >>"$SUMS")
	rm -f "$SUMS.sig"
	gpg --batch --quiet --local-user "$FINGERPRINT" --output "$SUMS.sig" --detach-sign "$SUMS"
	echo "    TAMPERED: $ZIP_NAME repacked with its binary in bin/, listed and signed anew"
	;;
esac

step "Checking the signature, the hashes, the zip and the manifest"
gpgv --keyring "$TMP/public.gpg" "$SUMS.sig" "$SUMS" >"$TMP/gpgv.log" 2>&1 || {
	cat "$TMP/gpgv.log"
	fail "the signature $(basename "$SUMS").sig does not verify $(basename "$SUMS") with the release key"
}
ok "$(basename "$SUMS").sig verifies with the public key alone (gpgv)"
listed() { awk -v f="$1" '$2 == f { print $1 }' "$SUMS"; }
zip_sum=$(listed "$ZIP_NAME")
[[ -n $zip_sum ]] || fail "$(basename "$SUMS") does not list $ZIP_NAME"
actual=$(sha256sum "$ZIP" | cut -d' ' -f1)
[[ $actual == "$zip_sum" ]] || fail "$ZIP_NAME has SHA-256 $actual, but $(basename "$SUMS") lists $zip_sum"
ok "$ZIP_NAME has the SHA-256 $(basename "$SUMS") lists"
manifest_sum=$(listed "$MANIFEST_NAME")
[[ -n $manifest_sum ]] || fail "$(basename "$SUMS") does not list $MANIFEST_NAME"
actual=$(sha256sum "$REPO_ROOT/terraform-registry-manifest.json" | cut -d' ' -f1)
[[ $actual == "$manifest_sum" ]] ||
	fail "$MANIFEST_NAME is listed with $manifest_sum, but terraform-registry-manifest.json has $actual"
"$RC" manifest "$REPO_ROOT/terraform-registry-manifest.json"
ok "$MANIFEST_NAME (terraform-registry-manifest.json) is listed and says protocol 6.0"
"$RC" layout "$ZIP" "$BINARY" || fail "$ZIP_NAME is not laid out as the registries expect"
ok "$ZIP_NAME holds the executable $BINARY at its root"
H1=$("$RC" h1 "$ZIP")
ok "h1 of $ZIP_NAME: $H1"

step "Starting the sandbox"
SANDBOX_TOKEN=release-verify-token
"$TMP/bin/albato-sandbox" -addr 127.0.0.1:0 -addr-file "$TMP/addr" -quiet -token "$SANDBOX_TOKEN" \
	</dev/null >"$TMP/sandbox.log" 2>&1 &
SANDBOX_PID=$!
ADDR=
for ((i = 0; i < 150; i++)); do
	kill -0 "$SANDBOX_PID" 2>/dev/null || fail "the sandbox exited at start"
	if [[ -s $TMP/addr ]]; then
		ADDR=$(tr -d '[:space:]' <"$TMP/addr")
		[[ $ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]] && break
	fi
	ADDR=
	sleep 0.1
done
[[ -n $ADDR ]] || fail "the sandbox did not start within 15 seconds"
export ALBATO_API_URL="http://$ADDR" ALBATO_TOKEN="$SANDBOX_TOKEN"
ok "sandbox on $ALBATO_API_URL"

# Terraform and OpenTofu read a packed mirror's zips as
# <host>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip.
MIRROR="$TMP/mirror"
for host in registry.terraform.io registry.opentofu.org; do
	mkdir -p "$MIRROR/$host/albato/albato"
	cp "$ZIP" "$MIRROR/$host/albato/albato/$ZIP_NAME"
done
cat >"$TMP/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/albato/albato", "registry.opentofu.org/albato/albato"]
  }
  direct {
    exclude = ["registry.terraform.io/albato/albato", "registry.opentofu.org/albato/albato"]
  }
}
EOF
# Every CLI run below reads this configuration (and not the caller's).
export TF_CLI_CONFIG_FILE="$TMP/cli.tfrc"
# Terraform and OpenTofu lowercase a version's prerelease part
# (0.0.0-SNAPSHOT-abc1234 becomes 0.0.0-snapshot-abc1234), so an exact
# constraint must be lowercase too.
WANT=${VERSION,,}
mkdir "$TMP/config"
cat >"$TMP/config/main.tf" <<EOF
terraform {
  required_providers {
    albato = {
      source  = "albato/albato"
      version = "= $WANT"
    }
  }
}

provider "albato" {}

data "albato_connection_links" "all" {}

resource "albato_connection_link" "check" {
  partner_id = 225
  title      = "release verify"
}
EOF

for cli in "$TERRAFORM" "$TERRAFORM_LATEST" "$TOFU"; do
	cli_version=$("$cli" version)
	cli_version=${cli_version%%$'\n'*}
	step "$cli_version: init from the packed mirror, lock file, plan"
	rm -rf "$TMP/config/.terraform" "$TMP/config/.terraform.lock.hcl"
	(cd "$TMP/config" && "$cli" init -input=false -no-color) \
		>"$TMP/init.log" 2>&1 || {
		cat "$TMP/init.log"
		fail "$cli_version: init from the packed mirror failed"
	}
	grep -q "albato/albato v$WANT" "$TMP/init.log" || {
		cat "$TMP/init.log"
		fail "$cli_version did not install albato/albato v$WANT"
	}
	ok "installed albato/albato v$WANT from the packed mirror"
	locked=$(grep -o '"[a-z0-9]*:[^"]*"' "$TMP/config/.terraform.lock.hcl" | tr -d '"' | sort -u)
	[[ $locked == "$H1" ]] || {
		cat "$TMP/config/.terraform.lock.hcl"
		fail "$cli_version: the lock file's hashes are not exactly $H1, the h1 of the zip $(basename "$SUMS") lists"
	}
	ok ".terraform.lock.hcl records $H1, the zip's"
	rc=0
	(cd "$TMP/config" && "$cli" plan -input=false -no-color -detailed-exitcode) \
		>"$TMP/plan.log" 2>&1 || rc=$?
	if ((rc != 2)) || ! grep -q 'data.albato_connection_links.all: Read complete' "$TMP/plan.log" ||
		! grep -q 'Plan: 1 to add, 0 to change, 0 to destroy' "$TMP/plan.log"; then
		cat "$TMP/plan.log"
		fail "$cli_version: the plan against the sandbox did not read the links and plan one to add (exit code $rc)"
	fi
	ok "plan read the sandbox's links and plans 1 to add"
done

echo "release-verify: passed in $((SECONDS - start)) s ($TARGET, version $VERSION)"
