#!/usr/bin/env bash
# After the suite: no test token may appear in any file the app, hangarctl or the tests'
# captured output left behind (config, cache and data dirs, WebKit storage, logs).
# Usage: tests/leak_scan.sh DIR...
set -u
# Distinctive test tokens, and the demo clouds' generated ones (`<vendor>_demo_` + 24 chars).
PATTERN='hangar-test-secret-[a-z0-9-]+|[a-z]+_demo_[a-z0-9]{24}'
scanned=0; leaks=0
for dir in "$@"; do
  [ -e "$dir" ] || continue
  while IFS= read -r -d '' f; do
    scanned=$((scanned+1))
    if grep -aEq "$PATTERN" "$f"; then
      leaks=$((leaks+1)); echo "LEAK: $f: $(grep -aEo "$PATTERN" "$f" | head -1 | cut -c1-24)…"
    fi
  done < <(find "$dir" -type f -print0)
done
echo "files scanned: $scanned, files with a token: $leaks"
echo "leak-scan: $((scanned-leaks)) passed, $leaks failed"
[ "$leaks" -eq 0 ] && [ "$scanned" -gt 0 ]
