#!/usr/bin/env bash
# Installs KaTeX (pinned in tests/katex/package-lock.json: the version Streamlit 1.67 draws st.latex with)
# from the npm registry into tests/katex/node_modules (never committed); tests/test_export.py renders the
# LaTeX a page exports with it. Idempotent: does nothing while tests/katex/node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=tests/katex/node_modules/.lock-sha256
want=$(sha256sum tests/katex/package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
. scripts/setup.sh
ensure_npm
npm ci --prefix tests/katex --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "KaTeX installed in tests/katex/node_modules/ (for tests/test_export.py)"
