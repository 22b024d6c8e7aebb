#!/usr/bin/env bash
# Installs the OpenID Connect provider the single sign-on tests start (panva's oidc-provider, pinned in
# tests/oidc/package-lock.json) from the npm registry into tests/oidc/node_modules (never committed).
# Idempotent: does nothing while tests/oidc/node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=tests/oidc/node_modules/.lock-sha256
want=$(sha256sum tests/oidc/package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
. scripts/setup.sh
ensure_npm
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then  # Debian 12's own nodejs is 18; this machine kind ships Node.js 20
  echo "oidc-provider needs Node.js 20 or newer (this one is $(node --version)): the single sign-on tests will fail" >&2
fi
npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "oidc-provider installed in tests/oidc/node_modules/ (for the single sign-on tests)"
