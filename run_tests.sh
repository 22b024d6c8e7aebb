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
export DEBIAN_FRONTEND=noninteractive

apt_install() {  # apt_install PKG...: without `apt-get update` first when the package lists already have it
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends "$@" \
    || { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "$@"; }
}

PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app
./scripts/install_test_oidc.sh  # oidc-provider from npm: the OpenID Connect provider the sign-on tests start

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
