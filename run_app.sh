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

# With ATTENTION_LAB_LTI_PLATFORMS set, lti_app.py: the same pages plus the LTI 1.3 routes (st.App).
entry=streamlit_app.py
[ -n "${ATTENTION_LAB_LTI_PLATFORMS:-}" ] && entry=lti_app.py
exec .venv/bin/python -m streamlit run "$entry" --server.port 8501 "$@"
