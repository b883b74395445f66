#!/usr/bin/env bash
# exalsius conformance: the official exalsius API client (pinned) and then hangarctl run the same
# workspace scenario against the exalsius demo cloud and its sign-in stand-in of `hangarctl demo serve`.
#
#   bash tests/conformance/exalsius/run.sh
#
# Prints `exalsius-conformance: N passed, M failed` last and exits non-zero on any failure.
# HANGARCTL=<path> skips the cargo build. Needs python3, dbus-run-session, gnome-keyring.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/conformance.sh"
conformance_begin exalsius exalsius-api-client 1.46.0 "$@"

conformance_demo exalsius
export EXALSIUS_CLOUD="$CONFORMANCE_CLOUD"
# The "system browser" for hangarctl's browser sign-in: fetches the URL and follows the
# redirect to hangarctl's loopback callback, as a browser would once the user signed in.
mkdir -p "$CONFORMANCE_WORK/bin"
cat >"$CONFORMANCE_WORK/bin/xdg-open" <<EOS
#!/bin/sh
exec "$VENV_PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()' "\$1"
EOS
chmod +x "$CONFORMANCE_WORK/bin/xdg-open"
export PATH="$CONFORMANCE_WORK/bin:$PATH"
conformance_end
