#!/usr/bin/env bash
# Start Attention Lab on http://localhost:8501.
# The first run creates .venv and installs the pinned requirements; later runs reuse them
# (pip returns quickly when everything is already satisfied). Extra arguments go to `streamlit run`,
# e.g. ./run_app.sh --server.port 8600
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    # Debian ships venv/ensurepip separately (python3.11-venv); we are root on a fresh machine.
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y python3-venv || { apt-get update && apt-get install -y python3-venv; }
  fi
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app

exec .venv/bin/python -m streamlit run streamlit_app.py --server.port 8501 "$@"
