#!/usr/bin/env bash
# Start a class server: K app processes (default: one per CPU) behind HAProxy on http://localhost:8501,
# sharing one PostgreSQL gradebook. DATABASE_URL is required:
#   DATABASE_URL=postgresql://lab:PASSWORD@127.0.0.1/lab ./run_class.sh [--processes K] [--port 8501]
#       [--bind 127.0.0.1] [--database-url URL] [--logs DIR]
# Like ./run_app.sh it creates .venv and installs the pinned requirements on the first run, and it
# installs Debian's haproxy with apt-get when it is missing. It prints "ready: http://127.0.0.1:PORT"
# once HAProxy sees every process healthy; Ctrl-C (or SIGTERM) stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

apt_install() {  # apt_install PKG...: without `apt-get update` first when the package lists already have it
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y --no-install-recommends "$@" \
    || { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "$@"; }
}

PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || apt_install haproxy

exec .venv/bin/python -m deploy.class_server "$@"
