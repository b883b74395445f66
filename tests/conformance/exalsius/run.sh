#!/usr/bin/env bash
# exalsius conformance: the official exalsius API client (pinned) and then hangarctl run the same
# workspace scenario against the exalsius demo cloud and its sign-in stand-in of `hangarctl demo serve`.
#
#   bash tests/conformance/exalsius/run.sh
#
# Prints `exalsius-conformance: N passed, M failed` last and exits non-zero on any failure.
# HANGARCTL=<path> skips the cargo build. Needs python3, dbus-run-session, gnome-keyring.
set -euo pipefail

CLIENT_VERSION=1.46.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

fail_line() {
    echo "$1" >&2
    echo "exalsius-conformance: 0 passed, 1 failed"
    exit 1
}

if [[ "${1:-}" != "--inside-session" ]]; then
    cd "$root"
    venv="$root/tests/.venv-exalsius"
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" || fail_line "could not create $venv"
    fi
    # Keep the venv out of git whatever the repository's .gitignore says (venv does this from 3.13).
    [[ -e "$venv/.gitignore" ]] || echo '*' >"$venv/.gitignore"
    if [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("exalsius-api-client"))' 2>/dev/null)" != "$CLIENT_VERSION" ]]; then
        "$venv/bin/pip" install --quiet "exalsius-api-client==$CLIENT_VERSION" || fail_line "could not install exalsius-api-client==$CLIENT_VERSION"
    fi
    if [[ -z "${HANGARCTL:-}" ]]; then
        cargo build --quiet -p hangarctl || fail_line "could not build hangarctl"
        HANGARCTL="$root/target/debug/hangarctl"
    fi
    command -v dbus-run-session >/dev/null || fail_line "dbus-run-session is missing (apt-get install dbus)"
    command -v gnome-keyring-daemon >/dev/null || fail_line "gnome-keyring-daemon is missing (apt-get install gnome-keyring)"
    export HANGARCTL VENV_PYTHON="$venv/bin/python"
    # hangarctl keeps credentials only in the OS keyring: give it a private, unlocked one.
    exec dbus-run-session -- bash "$here/run.sh" --inside-session
fi

work="$(mktemp -d)"
demo_pid=""
cleanup() {
    if [[ -n "$demo_pid" ]]; then
        kill "$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_DATA_HOME"
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null

"$HANGARCTL" demo serve --json >"$work/demo.json" 2>"$work/demo.err" &
demo_pid=$!
for _ in $(seq 1 100); do
    [[ -s "$work/demo.json" ]] && break
    sleep 0.1
done
[[ -s "$work/demo.json" ]] || fail_line "hangarctl demo serve printed nothing: $(head -c 400 "$work/demo.err")"

cloud_json="$("$VENV_PYTHON" - "$work/demo.json" <<'EOF'
import json, sys
clouds = json.load(open(sys.argv[1]))["clouds"]
print(json.dumps(next(c for c in clouds if c["provider"] == "exalsius")))
EOF
)" || fail_line "no exalsius cloud in the demo's output"

# A loopback sign-in must not go through a proxy.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export EXALSIUS_CLOUD="$cloud_json"
export HOME="$work/home"
mkdir -p "$HOME" "$work/bin"
# The "system browser" for hangarctl's browser sign-in: fetches the URL and follows the
# redirect to hangarctl's loopback callback, as a browser would once the user signed in.
cat >"$work/bin/xdg-open" <<EOF
#!/bin/sh
exec "$VENV_PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()' "\$1"
EOF
chmod +x "$work/bin/xdg-open"
export PATH="$work/bin:$PATH"

rc=0
"$VENV_PYTHON" "$here/conformance.py" || rc=$?
exit "$rc"
