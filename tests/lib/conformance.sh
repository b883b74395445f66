# Shared harness for tests/conformance/<vendor>/run.sh (sourced, not run):
#   conformance_begin NAME PACKAGE VERSION "$@"   venv with the vendor's pinned client, hangarctl
#                                                  built, then re-runs the caller inside a private
#                                                  D-Bus session with an unlocked gnome-keyring
#   conformance_demo PROVIDER                      starts `hangarctl demo serve` (stopped on exit);
#                                                  sets CONFORMANCE_CLOUD to that provider's cloud
#                                                  as JSON (call it directly, not in $(...))
#   conformance_end                                runs the vendor's conformance.py, exits with it
# Every failure ends with the line `NAME-conformance: 0 passed, 1 failed`.

conformance_fail() {
    echo "$1" >&2
    echo "$CONFORMANCE_NAME-conformance: 0 passed, 1 failed"
    exit 1
}

conformance_begin() {
    CONFORMANCE_NAME=$1
    local package=$2 version=$3
    shift 3
    CONFORMANCE_HERE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
    local root
    root="$(cd "$CONFORMANCE_HERE/../../.." && pwd)"
    if [[ "${1:-}" == "--inside-session" ]]; then
        conformance_session
        return
    fi
    cd "$root"
    local venv="$root/tests/.venv-$CONFORMANCE_NAME"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" || conformance_fail "could not create $venv"
    # Keep the venv out of git whatever the repository's .gitignore says.
    [[ -e "$venv/.gitignore" ]] || echo '*' >"$venv/.gitignore"
    if [[ "$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$package'))" 2>/dev/null)" != "$version" ]]; then
        "$venv/bin/pip" install --quiet "$package==$version" || conformance_fail "could not install $package==$version"
    fi
    if [[ -z "${HANGARCTL:-}" ]]; then
        cargo build --quiet -p hangarctl || conformance_fail "could not build hangarctl"
        HANGARCTL="$root/target/debug/hangarctl"
    fi
    command -v dbus-run-session >/dev/null || conformance_fail "dbus-run-session is missing (apt-get install dbus)"
    command -v gnome-keyring-daemon >/dev/null || conformance_fail "gnome-keyring-daemon is missing (apt-get install gnome-keyring)"
    export HANGARCTL VENV_PYTHON="$venv/bin/python"
    # hangarctl keeps credentials only in the OS keyring: give it a private, unlocked one.
    exec dbus-run-session -- bash "$CONFORMANCE_HERE/run.sh" --inside-session
}

conformance_session() {
    CONFORMANCE_WORK="$(mktemp -d)"
    CONFORMANCE_DEMO_PID=""
    trap conformance_cleanup EXIT
    export XDG_DATA_HOME="$CONFORMANCE_WORK/data" HOME="$CONFORMANCE_WORK/home"
    mkdir -p "$XDG_DATA_HOME" "$HOME"
    echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # Loopback calls must not go through a proxy.
    unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
}

conformance_cleanup() {
    if [[ -n "$CONFORMANCE_DEMO_PID" ]]; then
        kill "$CONFORMANCE_DEMO_PID" 2>/dev/null || true
        wait "$CONFORMANCE_DEMO_PID" 2>/dev/null || true
    fi
    rm -rf "$CONFORMANCE_WORK"
}

conformance_demo() {
    local provider=$1 demo="$CONFORMANCE_WORK/demo.json"
    "$HANGARCTL" demo serve --json >"$demo" 2>"$CONFORMANCE_WORK/demo.err" &
    CONFORMANCE_DEMO_PID=$!
    for _ in $(seq 1 100); do
        [[ -s "$demo" ]] && break
        sleep 0.1
    done
    [[ -s "$demo" ]] || conformance_fail "hangarctl demo serve printed nothing: $(head -c 400 "$CONFORMANCE_WORK/demo.err")"
    CONFORMANCE_CLOUD="$("$VENV_PYTHON" -c 'import json, sys
print(json.dumps(next(c for c in json.load(open(sys.argv[1]))["clouds"] if c["provider"] == sys.argv[2])))' \
        "$demo" "$provider")" || conformance_fail "no $provider cloud in the demo's output"
}

conformance_end() {
    local rc=0
    "$VENV_PYTHON" "$CONFORMANCE_HERE/conformance.py" || rc=$?
    exit "$rc"
}
