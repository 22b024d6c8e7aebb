#!/usr/bin/env bash
# Installs the JavaScript bertviz needs (require.js, d3, jquery; pinned in assets/package.json) from the
# npm registry and copies it to static/vendor/, which the app serves itself, so the bertviz views work
# with no internet. Idempotent: does nothing while static/vendor matches assets/package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=static/vendor/.lock-sha256
want=$(sha256sum assets/package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
. scripts/setup.sh
ensure_npm
npm ci --prefix assets --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp assets/node_modules/requirejs/require.js static/vendor/require.js
cp assets/node_modules/d3/dist/d3.min.js static/vendor/d3.min.js
cp assets/node_modules/jquery/dist/jquery.min.js static/vendor/jquery.min.js
echo "$want" > "$stamp"
echo "bertviz assets installed in static/vendor/"
