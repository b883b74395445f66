#!/usr/bin/env bash
# Builds the Debian package: release binaries of the app and hangarctl, the UI, the icon set
# and the desktop entry. Prints the path of the .deb (under target/release/bundle/deb/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
(cd ui && npx vite build --logLevel warn)
cargo build --release --locked -p hangarctl
ui/node_modules/.bin/tauri build --ci --bundles deb >&2
ls -t target/release/bundle/deb/*.deb | head -1
