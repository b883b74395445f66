#!/usr/bin/env bash
# Every test layer, in order, each with its own pass/fail counts; exits non-zero if any fails.
# Needs what `bash tests/setup.sh test` installs. Output of each layer: tests/out/logs/.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
OUT=$ROOT/tests/out
rm -rf "$OUT"; mkdir -p "$OUT/logs" "$OUT/state"
export NO_COLOR=1 HANGAR_TEST_ROOT=$OUT/state HANGAR_SCREENSHOTS=$OUT/screenshots
TOTAL_PASS=0; TOTAL_FAIL=0; SUMMARY=()

# counts LOG: sums the pass/fail counts of every runner format a layer prints.
counts() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
    /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } ; next }
    /^# pass [0-9]+$/ { p += $3; next }
    /^# fail [0-9]+$/ { f += $3; next }
    /^ *Tests +/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } ; next }
    /^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4 }
    END { print p + 0, f + 0 }'
}

# layer NAME COMMAND...: runs it, reads "N passed, M failed" (or cargo's/node's counts) from its log.
layer() {
  local name=$1; shift
  local log=$OUT/logs/$name.log start=$SECONDS
  echo "== $name"
  "$@" >"$log" 2>&1
  local rc=$? pass fail
  read -r pass fail < <(counts "$log")
  pass=${pass:-0}; fail=${fail:-0}
  if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  TOTAL_PASS=$((TOTAL_PASS+pass)); TOTAL_FAIL=$((TOTAL_FAIL+fail))
  local line; line=$(printf '%-16s %4d passed, %3d failed  (%ds)' "$name" "$pass" "$fail" $((SECONDS-start)))
  SUMMARY+=("$line"); echo "$line"
  if [ $rc -ne 0 ]; then echo "---- last lines of $log"; tail -40 "$log"; fi
}

in_keyring_session() { # a private session bus with an unlocked gnome-keyring
  dbus-run-session -- bash -c 'export XDG_DATA_HOME=$(mktemp -d); echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "$@"' _ "$@"
}

lint() ( # a subshell: `set -e` must end this layer, not the whole run
  set -e
  cargo fmt --all -- --check
  cargo clippy --workspace --all-targets --locked -- -D warnings
  (cd ui && npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings)
  echo "lint: 3 passed, 0 failed"
)

bindings_fresh() { # cargo test regenerated ui/src/lib/bindings: it must match what is checked in
  if git diff --quiet -- ui/src/lib/bindings && [ -z "$(git ls-files --others --exclude-standard ui/src/lib/bindings)" ]; then
    echo "bindings: 1 passed, 0 failed"
  else
    git status --short ui/src/lib/bindings; echo "bindings: 0 passed, 1 failed"; return 1
  fi
}

build() (
  set -e
  (cd ui && npx vite build --logLevel warn)
  cargo build --workspace --locked
  echo "build: 1 passed, 0 failed"
)

layer build        build
layer lint         lint
layer rust         in_keyring_session cargo test --workspace --locked -- --skip every_provider_against_every_fault
layer fault-matrix cargo test -p hangar-core --locked --test fault_matrix -- --nocapture
layer bindings     bindings_fresh
layer keyring      bash tests/keyring/no_secret_service.sh
layer ui-unit      bash -c 'cd ui && npx vitest run'
layer ui-browser   bash -c 'cd ui && node --test tests/'
layer e2e          dbus-run-session -- bash tests/e2e/run.sh
for conformance in tests/conformance/*/run.sh; do
  [ -e "$conformance" ] && layer "$(basename "$(dirname "$conformance")")" bash "$conformance"
done
layer package      bash tests/package/run.sh
E2E_DIR=$(cat "$OUT/e2e/dir" 2>/dev/null || true)
layer leak-scan    bash tests/leak_scan.sh "$OUT/state" "$OUT/logs" ${E2E_DIR:+"$E2E_DIR"}

echo
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "total: $TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
