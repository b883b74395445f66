#!/usr/bin/env bash
# Mage Pro against the real open-source Mage server (opt-in; not part of tests/run.sh).
#
#   bash tests/real-peers/mage/run.sh
#
# Installs mage-ai 0.9.80 into tests/.venv-mage once (~1.4 GB, ~5 min), starts it through
# launcher.py (an in-memory stand-in for the Kubernetes workload manager, contract §10) on
# 127.0.0.1, and drives it with hangarctl: account add (wrong key, wrong password, good),
# ls, create, stop, start (resume), update, delete, and the error cases. Prints
# `mage-real: N passed, M failed` last and exits non-zero on any failure.
# HANGARCTL=<path> skips the cargo build. Needs python3 (≥3.10), dbus-run-session, gnome-keyring.
set -uo pipefail

MAGE_VERSION=0.9.80
KUBERNETES_VERSION=33.1.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

fail_line() {
    echo "$1" >&2
    echo "mage-real: 0 passed, 1 failed"
    exit 1
}

if [[ "${1:-}" != "--inside-session" ]]; then
    cd "$root"
    venv="$root/tests/.venv-mage"
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" || fail_line "could not create $venv"
    fi
    [[ -e "$venv/.gitignore" ]] || echo '*' >"$venv/.gitignore"
    if [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mage-ai"))' 2>/dev/null)" != "$MAGE_VERSION" ]]; then
        echo "installing mage-ai==$MAGE_VERSION into $venv (once; ~1.4 GB, a few minutes)" >&2
        # The workspace resource imports the kubernetes client, which is only in mage's [all] extra.
        "$venv/bin/pip" install --quiet "mage-ai==$MAGE_VERSION" "kubernetes==$KUBERNETES_VERSION" \
            || fail_line "could not install mage-ai==$MAGE_VERSION"
    fi
    if [[ -z "${HANGARCTL:-}" ]]; then
        cargo build --quiet -p hangarctl || fail_line "could not build hangarctl"
        HANGARCTL="$root/target/debug/hangarctl"
    fi
    command -v dbus-run-session >/dev/null || fail_line "dbus-run-session is missing (apt-get install dbus)"
    command -v gnome-keyring-daemon >/dev/null || fail_line "gnome-keyring-daemon is missing (apt-get install gnome-keyring)"
    export HANGARCTL VENV="$venv"
    # hangarctl keeps credentials only in the OS keyring: give it a private, unlocked one.
    exec dbus-run-session -- bash "$here/run.sh" --inside-session
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_DATA_HOME"
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

py="$VENV/bin/python"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
owner_email=owner@example.com
owner_password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

mkdir -p "$work/peer"
# `init` first: if the project folder exists already, `start` does not make it a main project.
(cd "$work/peer" && "$VENV/bin/mage" init mainproj --project-type main --cluster-type k8s >"$work/init.log" 2>&1) \
    || fail_line "mage init failed: $(tail -5 "$work/init.log")"
mkdir -p "$work/peer/mainproj/projects"
(
    cd "$work/peer" || exit 1
    REQUIRE_USER_AUTHENTICATION=1 MAGE_DATA_DIR="$work/peer/data" \
        DEFAULT_OWNER_EMAIL="$owner_email" DEFAULT_OWNER_PASSWORD="$owner_password" \
        exec "$py" "$here/launcher.py" mainproj "$port"
) >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 180); do
    curl -fsS "$base/api/statuses" >"$work/statuses.json" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || fail_line "the Mage server exited: $(tail -20 "$work/server.log")"
    sleep 1
done
[[ -s "$work/statuses.json" ]] || fail_line "the Mage server did not answer within 180 s: $(tail -20 "$work/server.log")"

api_key="$("$py" -c 'from mage_ai.settings.server import OAUTH2_APPLICATION_CLIENT_ID as k; print(k)')" \
    || fail_line "could not read the api key from the venv"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [[ -n "${2:-}" ]] && echo "     $2" | head -c 600 && echo; }

cfg="$work/config"
ctl() { "$HANGARCTL" --config-dir "$cfg" --json "$@"; }

# check NAME WANT_EXIT [GREP_IN_OUTPUT] -- COMMAND...: runs it, compares exit code and output.
check() {
    local name=$1 want=$2 grep_for=$3
    shift 4
    local out rc
    out="$("$@" 2>&1)"
    rc=$?
    if [[ $rc -ne $want ]]; then
        bad "$name (exit $rc, wanted $want)" "$out"
    elif [[ -n "$grep_for" ]] && ! grep -q -- "$grep_for" <<<"$out"; then
        bad "$name (no '$grep_for')" "$out"
    elif grep -qF -- "$owner_password" <<<"$out" || grep -qF -- "$api_key" <<<"$out"; then
        bad "$name (a secret is in the output)" "$out"
    else
        ok "$name"
    fi
    LAST="$out"
}

# state_of NAME: the workspace's state in `ls --json`, or "absent".
state_of() {
    ctl ls --account real 2>/dev/null | "$py" -c '
import json, sys
name = sys.argv[1]
ws = [w for w in json.load(sys.stdin) if w["id"] == name]
print(ws[0]["state"] if ws else "absent")' "$1"
}

field_of() {
    ctl ls --account real 2>/dev/null | "$py" -c '
import json, sys
name, path = sys.argv[1], sys.argv[2].split(".")
ws = [w for w in json.load(sys.stdin) if w["id"] == name]
v = ws[0] if ws else None
for p in path:
    v = v.get(p) if isinstance(v, dict) else None
print(v)' "$1" "$2"
}

# add_account NAME URL CREDENTIALS_JSON: `account add`, credentials on standard input.
add_account() { printf '%s' "$3" | ctl account add mage-pro --name "$1" --base-url "$2"; }
creds() { printf '{"api_key":"%s","email":"%s","password":"%s"}' "$1" "$2" "$3"; }

check "statuses says a k8s main project" 0 '"project_type": *"main"' -- cat "$work/statuses.json"
check "mage-pro is offered" 0 'mage-pro' -- ctl providers
check "a wrong api key is refused" 3 'refused the API key' -- \
    add_account real "$base" "$(creds wrong-key-0000000000000000 "$owner_email" "$owner_password")"
check "a wrong password is refused" 3 'wrong email or password' -- \
    add_account real "$base" "$(creds "$api_key" "$owner_email" not-the-password)"
check "nothing was stored for refused accounts" 0 '^\[\]$' -- ctl account ls
check "the owner's account is added (through the /manage URL)" 0 'added' -- \
    add_account real "$base/manage" "$(creds "$api_key" "$owner_email" "$owner_password")"
check "ls lists no workspaces yet" 0 '^\[\]$' -- ctl ls --account real
check "a name Kubernetes refuses is caught before any call" 2 '"field":"name"' -- ctl create real --name Bad_Name
check "a bad quantity is caught before any call" 2 '"field":"memory_limit"' -- \
    ctl create real --name alpha --set memory_limit=4GB
check "create alpha (medium, ingress, auto-stop)" 0 '"id": *"alpha"' -- \
    ctl create real --name alpha --set preset=medium --set ingress_name=my-ingress \
    --set enable_auto_termination=true --set max_idle_seconds=1800 --set storage_request_size=5
check "alpha is listed running with its hardware" 0 'running' -- state_of alpha
check "alpha's hardware comes from its container_config" 0 '1 CPU · 2 GB' -- field_of alpha hardware.label
check "alpha's link is the ingress url" 0 'https://mage.example.test/alpha' -- ctl open real alpha --print
check "a duplicate name is a conflict" 5 'already exists' -- ctl create real --name alpha
check "stop alpha" 0 '' -- ctl stop real alpha --wait --timeout 60
check "alpha is stopped" 0 'stopped' -- state_of alpha
check "no link while stopped" 5 '' -- ctl open real alpha --print
check "update alpha's resources" 0 '' -- \
    ctl update real alpha --set cpu_request=1 --set memory_request=2Gi --set cpu_limit=2 --set memory_limit=4Gi
check "the new resources are read back" 0 '1–2 CPU · 2–4 GB' -- field_of alpha hardware.label
check "start (resume) alpha" 0 '' -- ctl start real alpha --wait --timeout 60
check "alpha is running again" 0 'running' -- state_of alpha
check "an unknown workspace is not found" 4 'was not found' -- ctl stop real nope
check "an update with a bad quantity names its field" 2 '"field":"cpu_limit"' -- \
    ctl update real alpha --set cpu_limit=2cores
check "delete alpha" 0 'deleted' -- ctl delete real alpha --yes --wait --timeout 60
check "alpha is gone" 0 'absent' -- state_of alpha
check "account test still works with the kept token" 0 'ok' -- ctl account test real

jwt="$(curl -fsS -H "X-API-KEY: $api_key" -H 'Content-Type: application/json' \
    -d "{\"session\":{\"email\":\"$owner_email\",\"password\":\"$owner_password\"}}" \
    "$base/api/sessions?_http_error_codes=true" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["session"]["token"])')"
check "a pasted oauth_token (single sign-on) is accepted" 0 'added' -- \
    add_account sso "$base" "$(printf '{"api_key":"%s","oauth_token":"%s"}' "$api_key" "$jwt")"
check "the pasted-token account lists" 0 '^\[\]$' -- ctl ls --account sso
check "a garbage token is refused as invalid" 3 'OAuth token as invalid' -- \
    add_account garbage "$base" "$(printf '{"api_key":"%s","oauth_token":"0123456789abcdef0123456789abcdef"}' "$api_key")"
if [[ -z "$jwt" ]] || grep -qF -- "$jwt" <<<"$(ctl account ls; ls -R "$cfg"; cat "$cfg"/* 2>/dev/null)"; then
    bad "the token stays out of the config directory"
else
    ok "the token stays out of the config directory"
fi

echo "mage-real: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
