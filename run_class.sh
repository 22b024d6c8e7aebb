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

. scripts/setup.sh  # apt_install, setup_venv

setup_venv requirements.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || apt_install haproxy

exec .venv/bin/python -m deploy.class_server "$@"
