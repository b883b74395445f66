#!/usr/bin/env bash
# The built app under Xvfb, driven by tauri-driver + WebKitWebDriver, in a private D-Bus
# session with an unlocked gnome-keyring and a notification server that records every call.
# Usage: dbus-run-session -- tests/e2e/run.sh   (tests/run.sh does this)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${E2E_OUT:-$ROOT/tests/out/e2e}
mkdir -p "$OUT"
export E2E_DIR=$(mktemp -d /tmp/hangar-e2e.XXXXXX)
export E2E_OUT=$OUT
export HOME=$E2E_DIR/home XDG_DATA_HOME=$E2E_DIR/data XDG_CONFIG_HOME=$E2E_DIR/config XDG_CACHE_HOME=$E2E_DIR/cache XDG_RUNTIME_DIR=$E2E_DIR/run
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$E2E_DIR/bin"; mkdir -m 700 "$XDG_RUNTIME_DIR"

# The OS opener, replaced: it records the URL instead of starting a browser.
# A sign-in page is "visited" as a browser would: follow its redirect to the app's loopback callback.
cat > "$E2E_DIR/bin/xdg-open" <<SH
#!/bin/sh
printf '%s\n' "\$1" >> "$E2E_DIR/opened.log"
case "\$1" in */authorize\?*) curl -s -L -o /dev/null "\$1" & ;; esac
SH
chmod +x "$E2E_DIR/bin/xdg-open"
export PATH="$E2E_DIR/bin:$HOME/.cargo/bin:/root/.cargo/bin:$PATH"

DISP=$((90 + RANDOM % 9))
Xvfb :$DISP -screen 0 1280x800x24 -nolisten tcp >"$E2E_DIR/xvfb.log" 2>&1 & XPID=$!
export DISPLAY=:$DISP
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$DISP ] && break; sleep 0.1; done
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
/usr/bin/python3 "$ROOT/tests/lib/fake_notifyd.py" "$E2E_DIR/notify.jsonl" & NPID=$!
for _ in $(seq 100); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.Notifications 2>/dev/null | grep -q true && break
  sleep 0.1
done
# Demo clouds outside the app, to sign in to as a real account would (kept out of the scanned dirs).
export E2E_DEMO_JSON=$(mktemp /tmp/hangar-e2e-demo.XXXXXX)
"$ROOT/target/debug/hangarctl" demo serve --json > "$E2E_DEMO_JSON" 2>/dev/null & DPID=$!
for _ in $(seq 100); do [ -s "$E2E_DEMO_JSON" ] && break; sleep 0.1; done
# Free ports rather than the fixed 4444/4445, so two runs on one machine do not meet.
read -r DRIVER_PORT NATIVE_PORT < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
# The debug build's policy minute (reminders, "Keep running", the stop policy) lasts 200 ms here
# (exported before tauri-driver starts: the app it launches inherits its environment).
export HANGAR_DEBUG_POLICY_MINUTE_MS=200
export TAURI_DRIVER_URL=http://127.0.0.1:$DRIVER_PORT
tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$E2E_DIR/tauri-driver.log" 2>&1 & TPID=$!
for _ in $(seq 150); do curl -sf "$TAURI_DRIVER_URL/status" | grep -q '"ready":true' && break; sleep 0.2; done

HANGAR_APP="$ROOT/target/debug/hangar" "$ROOT/tests/.venv/bin/python" "$ROOT/tests/e2e/test_app.py"
RC=$?
# Port forwarding to an sshd behind the demo cloud, in a second app session (it quits from its tray).
HANGAR_APP="$ROOT/target/debug/hangar" "$ROOT/tests/.venv/bin/python" "$ROOT/tests/e2e/test_forward.py" || RC=1
kill $TPID $NPID $DPID 2>/dev/null; kill $XPID 2>/dev/null; rm -f "$E2E_DEMO_JSON"
# The app this run started (tauri-driver may leave it behind): only processes carrying this
# run's E2E_DIR, never another run's app or a hangarctl someone else is running.
for pid in $(pgrep -f "$ROOT/target/debug/hangar"); do
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "E2E_DIR=$E2E_DIR" && kill "$pid" 2>/dev/null
done
# Logs and the app's own files stay for the leak scan.
echo "$E2E_DIR" > "$OUT/dir"
exit $RC
