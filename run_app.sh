#!/usr/bin/env bash
# Start Attention Lab on http://localhost:8501.
# The first run creates .venv and installs the pinned requirements; later runs reuse them
# (pip returns quickly when everything is already satisfied). Extra arguments go to `streamlit run`,
# e.g. ./run_app.sh --server.port 8600
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

. scripts/setup.sh  # apt_install, setup_venv
setup_venv requirements.txt
./scripts/install_assets.sh  # bertviz's require.js, d3, jquery from npm, served by the app

exec .venv/bin/python -m streamlit run streamlit_app.py --server.port 8501 "$@"
