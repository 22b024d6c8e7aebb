#!/usr/bin/env bash
# Installs axe-core, the accessibility rules engine the browser tests inject into every page (Deque's npm
# package, pinned in tests/axe/package-lock.json), from the npm registry into tests/axe/node_modules (never
# committed). Idempotent: does nothing while tests/axe/node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=tests/axe/node_modules/.lock-sha256
want=$(sha256sum tests/axe/package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
. scripts/setup.sh
ensure_npm
npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "axe-core installed in tests/axe/node_modules/ (for the accessibility browser tests)"
