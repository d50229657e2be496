#!/usr/bin/env bash
# End-to-end demo of terraform-provider-albato against the local sandbox:
#   build the provider and albato-sandbox, start the sandbox, terraform apply
#   examples/demo, complete one link through the connect page as its end user
#   would, show Terraform noticing it, record it, destroy, show the links revoked.
#
# Run it with `make demo` (the terraform on PATH if it is 1.5 or newer, else
# a Terraform 1.5.7 it builds), or: TERRAFORM=/path/to/terraform
# ./scripts/demo.sh (TERRAFORM defaults to `terraform` on PATH). Needs go,
# curl and Terraform >= 1.5. Everything happens in a temporary directory, removed on exit; the
# provider is loaded through a dev_overrides CLI configuration in that
# directory, so there is no `terraform init` and no change to ~/.terraformrc.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TERRAFORM=${TERRAFORM:-terraform}
DEMO_TOKEN=albato-demo-token
CLIENT=acme # the client that completes its link in this demo
DEMO_WAIT=${DEMO_WAIT:-10} # seconds a person watching has to open the link themselves

TMP=
SANDBOX_PID=
TF_PID=
STAGE="starting"

# Options of every terraform plan, apply and destroy below.
TF_OPTS=(-input=false -compact-warnings)
if [[ -t 1 ]]; then
	BOLD=$'\e[1m' GREEN=$'\e[32m' RED=$'\e[31m' RESET=$'\e[0m'
else
	BOLD='' GREEN='' RED='' RESET=''
	TF_OPTS+=(-no-color)
fi

heading() {
	STAGE=$1
	printf '\n%s==> %s%s\n' "$BOLD" "$1" "$RESET"
}
ok() { printf '%s✔ %s%s\n' "$GREEN" "$1" "$RESET"; }
die() {
	printf '%sdemo: %s%s\n' "$RED" "$1" "$RESET" >&2
	exit 1
}

# stop_pid PID SIGNAL SECONDS: signal a child, wait up to SECONDS for it to
# exit, then kill it outright; always reaps it.
stop_pid() {
	local pid=$1 sig=$2 secs=$3 i
	kill -0 "$pid" 2>/dev/null || {
		wait "$pid" 2>/dev/null || true
		return 0
	}
	kill -"$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? i
	trap '' INT TERM # finish cleaning up whatever happens
	exec 1>&3 2>&4   # the original output, whatever ran when the signal came
	if [[ -n $TF_PID ]]; then
		# Interrupted while Terraform ran. On Ctrl-C in a terminal Terraform got
		# the SIGINT too and is already stopping: give it a moment, then pass
		# the interrupt on (a second one would make it quit at once).
		for ((i = 0; i < 20; i++)); do
			kill -0 "$TF_PID" 2>/dev/null || break
			sleep 0.1
		done
		stop_pid "$TF_PID" INT 20
	fi
	if [[ -n $SANDBOX_PID ]]; then
		if ((rc != 0 && rc != 130 && rc != 143)) && [[ -s $TMP/sandbox.log ]]; then
			echo "--- sandbox log (last lines) ---" >&2
			tail -n 20 "$TMP/sandbox.log" >&2
		fi
		stop_pid "$SANDBOX_PID" TERM 10
		echo "Stopped the sandbox (pid $SANDBOX_PID)."
	fi
	if [[ -n $TMP && -d $TMP ]]; then
		rm -rf -- "$TMP"
		echo "Removed $TMP."
	fi
	if ((rc != 0)); then
		printf '%sdemo FAILED during: %s (exit code %d)%s\n' "$RED" "$STAGE" "$rc" "$RESET" >&2
	fi
	exit "$rc"
}
interrupted() {
	printf '\n%sdemo: interrupted (SIG%s), cleaning up%s\n' "$RED" "$1" "$RESET" >&4
	[[ $1 == INT ]] && exit 130
	exit 143
}
exec 3>&1 4>&2
trap cleanup EXIT
trap 'interrupted INT' INT
trap 'interrupted TERM' TERM

# tf ARGS...: run Terraform as a waited-for child, so that a signal to this
# script is handled at once (cleanup passes it on to Terraform).
# tf_to FILE ARGS...: the same, with Terraform's output in FILE.
tf() {
	local rc=0
	"$TERRAFORM" "$@" </dev/null &
	TF_PID=$!
	wait "$TF_PID" || rc=$?
	TF_PID=
	return "$rc"
}
tf_to() {
	local out=$1 rc=0
	shift
	"$TERRAFORM" "$@" </dev/null >"$out" 2>&1 &
	TF_PID=$!
	wait "$TF_PID" || rc=$?
	TF_PID=
	return "$rc"
}

# JSON is read with python3, else jq, else sed: enough for the flat maps of
# names and URLs of this demo.
have_python() { python3 -c '' >/dev/null 2>&1; }
have_jq() { jq --version >/dev/null 2>&1; }

# json_map: read a JSON object of strings on stdin, print "key value" lines.
json_map() {
	if have_python; then
		python3 -c 'import json,sys
for k, v in json.load(sys.stdin).items(): print(k, v)'
	elif have_jq; then
		jq -r 'to_entries[] | "\(.key) \(.value)"'
	else
		tr -d '\n{}' | tr ',' '\n' |
			sed -e 's/^ *"\([^"]*\)": *"\(.*\)" *$/\1 \2/' \
				-e 's/\\u0026/\&/g' -e 's/\\u003c/</g' -e 's/\\u003e/>/g' -e 's#\\/#/#g' |
			awk 'NF == 2'
	fi
}

# sharings: print "id status status_name" for each record of the sandbox,
# never the tokens.
sharings() {
	local json
	json=$(curl -fsS "$SANDBOX_URL/_sandbox/sharings") || die "could not list the sandbox's sharings"
	if have_python; then
		python3 -c 'import json,sys
for s in json.load(sys.stdin)["sharings"]: print(s["id"], s["status"], s["statusName"])' <<<"$json"
	elif have_jq; then
		jq -r '.sharings[] | "\(.id) \(.status) \(.statusName)"' <<<"$json"
	else
		tr '{' '\n' <<<"$json" |
			sed -n 's/^"id":\([0-9]*\),.*"status":\([0-9]*\),"statusName":"\([a-z_]*\)".*/\1 \2 \3/p' |
			awk 'NF == 3'
	fi
}

# ---------------------------------------------------------------------------
heading "Checking the tools"
for tool in go curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not found on PATH"
done
command -v "$TERRAFORM" >/dev/null 2>&1 ||
	die "Terraform not found: set TERRAFORM to its path (\`make demo\` does) or put terraform on PATH"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Settings of the caller's that would reach outside the temporary directory
# or change what the commands below do.
unset TF_DATA_DIR TF_WORKSPACE TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_apply \
	TF_CLI_ARGS_plan TF_CLI_ARGS_destroy TF_CLI_ARGS_output ALBATO_AUTH_SCHEME ALBATO_MAX_RETRIES
TMP=$(mktemp -d "${TMPDIR:-/tmp}/albato-demo.XXXXXX")
# Terraform's CLI configuration: this provider from $TMP/bin, so no init.
cat >"$TMP/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "albato/albato" = "$TMP/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$TMP/terraformrc"
# (One command substitution per command: bash 5.2 can fail to run a trap
# that comes while it expands several in one.)
tf_version=$("$TERRAFORM" version)
go_version=$(go version)
curl_version=$(curl --version)
curl_version=${curl_version%%$'\n'*}
tf_path=$(command -v "$TERRAFORM")
echo "${tf_version%%$'\n'*} ($tf_path), ${go_version#go version }, ${curl_version%% (*}"
echo "Working in $TMP (removed at the end)"

# ---------------------------------------------------------------------------
heading "Building the provider and the sandbox"
mkdir "$TMP/go-tmp" # go's scratch files, so that an interrupted build leaves none behind
(
	cd "$REPO_ROOT"
	export GOTMPDIR="$TMP/go-tmp"
	go build -o "$TMP/bin/terraform-provider-albato" .
	go build -o "$TMP/bin/albato-sandbox" ./cmd/albato-sandbox
)
ok "built $TMP/bin/terraform-provider-albato and $TMP/bin/albato-sandbox"

# ---------------------------------------------------------------------------
heading "Starting the sandbox"
# In a process group of its own (set -m), so that a Ctrl-C reaches Terraform
# but not the sandbox: Terraform stops cleanly while the sandbox still
# answers, then cleanup stops the sandbox.
set -m
# -strict: the strictest reading of Albato's documents (standard Basic
# authentication only, links that carry the sharing id, Unix dates), so that
# the demo shows the provider's auth_scheme "auto" and link_id at work.
"$TMP/bin/albato-sandbox" -addr 127.0.0.1:0 -addr-file "$TMP/addr" -control -quiet -strict \
	-token "$DEMO_TOKEN" </dev/null >"$TMP/sandbox.log" 2>&1 3>&- 4>&- &
SANDBOX_PID=$!
set +m
ADDR=
for ((i = 0; i < 150; i++)); do # up to 15 s
	kill -0 "$SANDBOX_PID" 2>/dev/null || die "the sandbox exited at start"
	if [[ -s $TMP/addr ]]; then
		ADDR=$(tr -d '[:space:]' <"$TMP/addr")
		if [[ $ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]] &&
			curl -fsS -o /dev/null --max-time 2 "http://$ADDR/_sandbox/clock" 2>/dev/null; then
			break
		fi
	fi
	ADDR=
	sleep 0.1
done
[[ -n $ADDR ]] || die "the sandbox did not answer within 15 seconds"
SANDBOX_URL="http://$ADDR"
ok "sandbox (pid $SANDBOX_PID) listening on $SANDBOX_URL"

export ALBATO_API_URL="$SANDBOX_URL"
export ALBATO_TOKEN="$DEMO_TOKEN"
export ALBATO_CONNECT_URL="$SANDBOX_URL/connect"
export ALBATO_LINK_ID=sharing_id # what the -strict sandbox's connect page expects
echo "ALBATO_API_URL=$ALBATO_API_URL"
echo "ALBATO_CONNECT_URL=$ALBATO_CONNECT_URL"
echo "ALBATO_LINK_ID=$ALBATO_LINK_ID"
echo "TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE (dev_overrides: albato/albato from $TMP/bin; no terraform init)"

mkdir "$TMP/work"
cp "$REPO_ROOT"/examples/demo/*.tf "$TMP/work/"
cd "$TMP/work"

# ---------------------------------------------------------------------------
heading "Creating links (terraform apply)"
tf apply -auto-approve "${TF_OPTS[@]}"

# ---------------------------------------------------------------------------
heading "Links to hand to the clients"
tf output -json links >"$TMP/links.json"
json_map <"$TMP/links.json" >"$TMP/links.tsv"
[[ -s $TMP/links.tsv ]] || die "terraform output links is empty"
LINK=
while read -r name link; do
	printf '  %-8s %s\n' "$name" "$link"
	if [[ $name == "$CLIENT" ]]; then LINK=$link; fi
done <"$TMP/links.tsv"
[[ -n $LINK ]] || die "no link for $CLIENT in terraform output links"

# ---------------------------------------------------------------------------
heading "Your turn: open the $CLIENT link in a browser (waiting ${DEMO_WAIT}s)"
# A person watching may complete the link themselves; otherwise the demo
# plays the end user. DEMO_WAIT=0 skips the wait.
link_token=${LINK##*token=}
link_status() {
	curl -fsS --max-time 2 "$SANDBOX_URL/_sandbox/sharings" 2>/dev/null | tr '{' '\n' |
		grep -F "\"token\":\"$link_token\"" | sed -n 's/.*"status":\([0-9]\).*/\1/p' | head -n 1
}
echo "Open $LINK"
echo "and sign in with any API key and a subdomain such as \"$CLIENT\" to create the connection yourself."
by_person=
for ((waited = 0; waited < DEMO_WAIT; waited++)); do
	if [[ $(link_status) == 1 ]]; then
		by_person=1
		break
	fi
	sleep 1
done

if [[ -n $by_person ]]; then
	connection=$(curl -fsS --max-time 2 "$SANDBOX_URL/_sandbox/sharings" | tr '{' '\n' |
		grep -F "\"token\":\"$link_token\"" | sed -n 's/.*"credentialId":\([0-9]*\).*/\1/p' | head -n 1)
	[[ -n $connection ]] || die "the completed link shows no credentialId"
	ok "someone completed the $CLIENT link in a browser: connection #$connection"
else
heading "Completing the $CLIENT link as its end user would (connect page, plain HTTP)"
echo "GET  $LINK"
code=$(curl -sS -o "$TMP/form.html" -w '%{http_code}' "$LINK") || die "GET of the link failed"
[[ $code == 200 ]] || die "GET of the link answered HTTP $code, expected 200"
grep -q '<form method="post" action="/connect"' "$TMP/form.html" || die "the connect page has no form"
if ! grep -q 'name="api_key"' "$TMP/form.html" || ! grep -q 'name="subdomain"' "$TMP/form.html"; then
	die "the connect page has no api_key and subdomain fields"
fi
# The hidden fields, read from the form as a browser would.
hidden() { sed -n "s/.*<input type=\"hidden\" name=\"$1\" value=\"\([^\"]*\)\">.*/\1/p" "$TMP/form.html" | head -n 1; }
form_id=$(hidden id)
form_token=$(hidden token)
[[ -n $form_id && -n $form_token ]] || die "the connect form lacks its hidden id and token"
title=$(sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' "$TMP/form.html" | head -n 1)
echo "     HTTP 200, page \"$title\", form fields: api_key, subdomain (+ hidden id=$form_id, token)"
origin=${LINK%%/connect*}
echo "POST $origin/connect  (api_key=********, subdomain=$CLIENT, id=$form_id, token=<from the form>)"
code=$(curl -sS -o "$TMP/done.html" -w '%{http_code}' \
	--data-urlencode "id=$form_id" --data-urlencode "token=$form_token" \
	--data-urlencode "api_key=demo-api-key-0123456789" --data-urlencode "subdomain=$CLIENT" \
	"$origin/connect") || die "POST of the connect form failed"
[[ $code == 200 ]] || die "POST of the connect form answered HTTP $code, expected 200"
grep -q 'Connection created' "$TMP/done.html" || die "the connect page did not confirm the connection"
connection=$(sed -n 's/.*(connection #\([0-9]*\)).*/\1/p' "$TMP/done.html" | head -n 1)
[[ -n $connection ]] || die "the success page shows no connection id"
title=$(sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' "$TMP/done.html" | head -n 1)
echo "     HTTP 200: \"$title\" (connection #$connection)"
ok "$CLIENT connected its Demo CRM account: connection #$connection"
fi

# ---------------------------------------------------------------------------
heading "Planning again (terraform plan -detailed-exitcode)"
rc=0
tf_to "$TMP/plan.txt" plan -detailed-exitcode "${TF_OPTS[@]}" || rc=$?
cat "$TMP/plan.txt"
plain=$(sed $'s/\e\\[[0-9;]*m//g' "$TMP/plan.txt")
((rc == 0 || rc == 2)) || die "terraform plan failed (exit code $rc)"
grep -q 'Objects have changed outside of Terraform' <<<"$plain" ||
	die "the plan does not show the grant as a change outside Terraform"
if ! grep -Eq 'status += 0 -> 1' <<<"$plain" ||
	! grep -Eq "credential_id += (null -> )?$connection\$" <<<"$plain"; then
	die "the plan does not show status 0 -> 1 and credential_id $connection"
fi
if grep -Eq 'Terraform will perform the following actions|^Plan: [0-9]' <<<"$plain"; then
	die "the plan proposes changes to the links: the grant should need no action"
fi
echo
ok "Terraform saw the grant as a change made outside Terraform (status 0 -> 1, credential_id $connection)."
if ((rc == 0)); then
	ok "No changes to apply: plan exit code 0."
else
	ok "No changes to the links themselves: the exit code is 2 only because the outputs statuses and credential_id show the new values (output changes count as changes)."
fi

# ---------------------------------------------------------------------------
heading "Recording the grant in the state (terraform apply -refresh-only)"
tf apply -refresh-only -auto-approve "${TF_OPTS[@]}"
credential_id=$(tf output -raw credential_id)
echo
echo "terraform output credential_id: $credential_id"
[[ $credential_id == "$connection" ]] ||
	die "credential_id is $credential_id, but the connect page created connection #$connection"
ok "credential_id = $credential_id: the connection $CLIENT created, ready to install a solution with."
rc=0
tf_to "$TMP/plan2.txt" plan -detailed-exitcode "${TF_OPTS[@]}" || rc=$?
((rc == 0)) || {
	cat "$TMP/plan2.txt"
	die "the plan after the refresh is not empty (exit code $rc)"
}
ok "A new plan is now empty (exit code 0)."

# ---------------------------------------------------------------------------
heading "Destroying (terraform destroy)"
tf destroy -auto-approve "${TF_OPTS[@]}"

heading "The sandbox's sharings after destroy (GET /_sandbox/sharings; tokens not shown)"
sharings >"$TMP/sharings.tsv"
[[ -s $TMP/sharings.tsv ]] || die "the sandbox lists no sharings"
printf '  %-4s %s\n' id status
bad=0
while read -r id status name; do
	printf '  %-4s %s (%s)\n' "$id" "$status" "$name"
	if [[ $status != 3 ]]; then bad=1; fi
done <"$TMP/sharings.tsv"
((bad == 0)) || die "some links are not revoked after destroy"
ok "Every link is revoked (status 3)."

heading "Demo complete"
STAGE="cleanup"
