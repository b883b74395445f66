#!/usr/bin/env bash
# The Debian package as a user gets it: built, installed with apt, checked (hangarctl on the
# PATH, a valid desktop entry, the icon set), then the installed app started under Xvfb:
# one window, a second launch focuses it instead of opening another, and a hangar:// link
# handed to a second launch focuses the named card. Prints 'package: N passed, M failed'.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok - $1"; else fail=$((fail+1)); echo "FAIL - $1"; fi; }
finish() { echo "package: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }

DEB=$(bash tests/package/build-deb.sh) || { fail=$((fail+1)); echo "FAIL - the .deb builds"; finish; }
check "the .deb builds ($(basename "$DEB"), $(du -h "$DEB" | cut -f1))" "[ -f '$DEB' ]"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$(realpath "$DEB")" >/tmp/hangar-apt.log 2>&1
check "apt installs it with its dependencies" "[ $? -eq 0 ]"
check "hangarctl runs from the PATH" "command -v hangarctl >/dev/null && hangarctl --version | grep -q '^hangarctl '"
DESKTOP=$(dpkg -L hangar | grep '/usr/share/applications/.*\.desktop$' | head -1)
check "the desktop entry validates ($DESKTOP)" "[ -n '$DESKTOP' ] && desktop-file-validate '$DESKTOP'"
check "the desktop entry registers hangar:// and names its window class" \
  "grep -q '^MimeType=x-scheme-handler/hangar;' '$DESKTOP' && grep -q '^StartupWMClass=' '$DESKTOP'"
for size in 16x16 32x32 48x48 128x128 256x256 512x512; do
  check "icon $size installed" "dpkg -L hangar | grep -q 'icons/hicolor/$size/apps/hangar.png'"
done
check "runtime dependencies declared" "dpkg -s hangar | grep -q '^Depends:.*libwebkit2gtk-4.1' && dpkg -s hangar | grep -q '^Depends:.*libdbus-1-3' && dpkg -s hangar | grep -q '^Depends:.*libayatana-appindicator3-1'"

OUT=$ROOT/tests/out/package; mkdir -p "$OUT"
dbus-run-session -- bash -c '
  export W=$(mktemp -d) && export HOME=$W/home XDG_CONFIG_HOME=$W/config XDG_CACHE_HOME=$W/cache XDG_DATA_HOME=$W/data
  mkdir -p $HOME
  DISP=$((80 + RANDOM % 9)); Xvfb :$DISP -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XPID=$!
  export DISPLAY=:$DISP; for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$DISP ] && break; sleep 0.1; done
  echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export PATH=$HOME/.cargo/bin:/root/.cargo/bin:$PATH
  tauri-driver >$W/tauri-driver.log 2>&1 & TPID=$!
  for _ in $(seq 150); do curl -sf http://127.0.0.1:4444/status | grep -q "\"ready\":true" && break; sleep 0.2; done
  HANGAR_APP=$(command -v hangar) PKG_OUT='"$OUT"' '"$ROOT"'/tests/.venv/bin/python '"$ROOT"'/tests/package/test_installed.py
  RC=$?; kill $TPID; kill $XPID; exit $RC' > "$OUT/installed.log" 2>&1
cat "$OUT/installed.log" | grep -E "^(ok|FAIL)" || true
read -r p f < <(sed -n 's/^installed: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$OUT/installed.log")
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
finish
