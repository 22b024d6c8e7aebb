#!/usr/bin/env bash
# Install what the tests need and run the whole suite: ./run_tests.sh [pytest args...]
# Creates or reuses .venv, installs requirements-dev.txt (pinned), installs Debian's chromium
# with apt-get when /usr/bin/chromium is missing (the browser tests drive it through Playwright;
# never `playwright install`, which downloads a browser), the npm package oidc-provider into tests/oidc
# (the single sign-on tests start it as their OpenID Connect provider), Debian's postgresql when no
# /usr/lib/postgresql/*/bin/initdb exists (the gradebook tests start a server of their own), and Debian's
# haproxy when it is missing (the class server's tests run it in front of 2 app processes), then runs pytest over tests/.
# Examples: ./run_tests.sh -m "not browser"    ./run_tests.sh tests/browser -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
. scripts/setup.sh  # apt_install, setup_venv, ensure_npm

setup_venv requirements-dev.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app
./scripts/install_test_oidc.sh  # oidc-provider from npm: the OpenID Connect provider the sign-on tests start
./scripts/install_test_katex.sh  # KaTeX from npm: tests/test_export.py renders the exported LaTeX with it
./scripts/install_test_axe.sh  # axe-core from npm: the accessibility rules the browser tests inject into every page

[ -x /usr/bin/chromium ] || apt_install chromium
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || apt_install haproxy

# pytest over tests/ unless the arguments name paths of their own.
for arg in "$@"; do
  if [[ "$arg" != -* && -e "${arg%%::*}" ]]; then
    exec .venv/bin/python -m pytest "$@"
  fi
done
exec .venv/bin/python -m pytest tests "$@"
