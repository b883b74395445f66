#!/usr/bin/env bash
# Anyscale conformance: Anyscale's own Python SDK (pinned) and then hangarctl run the same
# workspace scenario against the Anyscale demo cloud of `hangarctl demo serve`.
#
#   bash tests/conformance/anyscale/run.sh
#
# Prints `anyscale-conformance: N passed, M failed` last and exits non-zero on any failure.
# HANGARCTL=<path> skips the cargo build. Needs python3, dbus-run-session, gnome-keyring.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/conformance.sh"
conformance_begin anyscale anyscale 0.26.112 "$@"

conformance_demo anyscale
read -r base_url token < <("$VENV_PYTHON" -c 'import json, sys; c = json.loads(sys.argv[1]); print(c["base_url"], c["credentials"])' "$CONFORMANCE_CLOUD")
# The SDK reads these at import time.
unset ANYSCALE_EXPERIMENTAL_WORKSPACE_ID ANYSCALE_SESSION_ID
export ANYSCALE_HOST="$base_url" ANYSCALE_CLI_TOKEN="$token"
conformance_end
