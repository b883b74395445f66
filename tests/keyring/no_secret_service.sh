#!/usr/bin/env bash
# With no Secret Service (a session bus that cannot start one, or no session bus at all),
# hangarctl must exit 8 with a message that says how to fix it, and write no secret anywhere.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CTL=$ROOT/target/debug/hangarctl
TOKEN=hangar-test-secret-no-keyring-5d1c
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok - $1"; else fail=$((fail+1)); echo "FAIL - $1"; fi; }

run_case() { # $1 = label, rest = command prefix
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  local out
  out=$(echo "$TOKEN" | "$@" env HOME="$dir/home" XDG_DATA_HOME="$dir/data" "$CTL" --config-dir "$dir/config" \
        account add aether --name nokeyring --base-url http://127.0.0.1:9 --no-verify 2>&1)
  local rc=$?
  check "$label: exit code 8 (got $rc)" "[ $rc -eq 8 ]"
  check "$label: message says how to fix it" "grep -q 'Secret Service' <<<\"\$out\""
  check "$label: message has no secret" "! grep -q '$TOKEN' <<<\"\$out\""
  check "$label: no file anywhere holds the token" "! grep -rq '$TOKEN' '$dir' 2>/dev/null"
  check "$label: no account was recorded" "! grep -q nokeyring '$dir/config/accounts.json' 2>/dev/null"
  rm -rf "$dir"
}

run_case "bus without a Secret Service" dbus-run-session --config-file="$ROOT/tests/keyring/session-noactivation.conf" --
run_case "no session bus" env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY
run_case "locked keyring (no way to prompt)" dbus-run-session --

echo "keyring-absent: $pass passed, $fail failed"
[ $fail -eq 0 ]
