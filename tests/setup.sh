#!/usr/bin/env bash
# Installs what Hangar needs on Debian 12, idempotently.
#   bash tests/setup.sh app    build tools, WebKitGTK, the UI's node modules, the built UI
#   bash tests/setup.sh test   all of the above plus the test tools (Xvfb, gnome-keyring,
#                              chromium, WebKitWebDriver, tauri-driver, a Python venv)
set -eu
MODE=${1:-test}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

APP_PKGS="libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config libdbus-1-dev gnome-keyring libsecret-tools"
TEST_PKGS="xvfb xauth dbus-x11 at-spi2-core webkit2gtk-driver imagemagick chromium python3-venv
  python3-dbus python3-gi desktop-file-utils x11-utils openssh-server openssh-client"
PKGS=$APP_PKGS; [ "$MODE" = test ] && PKGS="$APP_PKGS $TEST_PKGS"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  export PATH="$HOME/.cargo/bin:$PATH"
fi

node_ok() { command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends nodejs npm || true
  # Debian 12's own Node.js is 18; the UI's build tools need 20.19+. `n` fetches an LTS build.
  node_ok || { command -v npm >/dev/null && $SUDO npm install -g n >/dev/null 2>&1 && $SUDO n lts >/dev/null 2>&1 && hash -r; }
  node_ok || { echo "Hangar's UI build needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }
fi
# `npm install` (not `npm ci`): npm 11 leaves other platforms' optional binaries out of the lock file, which `npm ci` then rejects.
(cd ui && npm install --no-audit --no-fund --loglevel=error && npx vite build --logLevel warn)

if [ "$MODE" = test ]; then
  command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked --quiet
  if [ ! -x tests/.venv/bin/python ] || ! tests/.venv/bin/python -c 'import selenium' 2>/dev/null; then
    python3 -m venv tests/.venv
    tests/.venv/bin/pip install --quiet --disable-pip-version-check selenium==4.*
  fi
fi
echo "setup ($MODE): done"
