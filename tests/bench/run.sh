#!/usr/bin/env bash
# Hangar's benchmark figures beside the floor (an empty Tauri 2 app, tests/bench/floor/),
# measured in the same run on demo clouds (127.0.0.1 only). Writes tests/bench/results.md and
# tests/bench/results.json. Usage: bash tests/bench/run.sh   (about 15 minutes after the builds)
# Knobs: BENCH_RUNS (3), BENCH_IDLE_SECS (20), BENCH_SETTLE_SECS (15), BENCH_SETTLED_SECS (65),
# BENCH_SKIP_BUILD=1 (use the release binaries already in target/release),
# BENCH_SKIP_DIAGNOSTIC=1 (skip the runs without GPU compositing, about 2 minutes).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:/root/.cargo/bin:$PATH"
PY=/usr/bin/python3

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd ui && npx vite build >/dev/null)
  cargo build --release -p hangar -p hangarctl
  # The floor is its own workspace; the shared target dir reuses the app's release dependencies.
  (cd tests/bench/floor && CARGO_TARGET_DIR="$ROOT/target" cargo build --release)
  # The Rust benches (ignored tests), compiled now so compiling is not timed.
  cargo test --release -p hangar-core --test bench_refresh --no-run
fi

# The window figures need a display and a session bus; hangarctl needs an unlocked keyring.
DIR=$(mktemp -d /tmp/hangar-bench-run.XXXXXX)
export XDG_RUNTIME_DIR=$DIR/run XDG_DATA_HOME=$DIR/data
mkdir -m 700 "$XDG_RUNTIME_DIR"; mkdir -p "$XDG_DATA_HOME"
DISP=$((80 + RANDOM % 9))
Xvfb :$DISP -screen 0 1280x800x24 -nolisten tcp >"$DIR/xvfb.log" 2>&1 & XPID=$!
trap 'kill $XPID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$DISP ] && break; sleep 0.1; done
export DISPLAY=:$DISP

dbus-run-session -- bash -c '
  echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  '"$PY"' "'"$ROOT"'/tests/bench/bench.py"; RC=$?
  # The keyring daemon this session started (found by its control dir under our runtime dir).
  for p in $(pgrep -u "$(id -u)" -x gnome-keyring-d); do
    tr "\0" "\n" < /proc/$p/environ 2>/dev/null | grep -q "^XDG_RUNTIME_DIR='"$XDG_RUNTIME_DIR"'$" && kill "$p"
  done
  exit $RC
'
