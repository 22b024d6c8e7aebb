# Sourced (not run) by run_app.sh, run_class.sh, run_tests.sh and scripts/install_*.sh, from the repository
# root: the set-up steps they share.
#   apt_install PKG...     Debian packages, with `apt-get update` only when the install fails without it
#   setup_venv REQFILE     .venv (python3.11, else python3), created once, then `pip install -r REQFILE`
#   ensure_npm             Debian's nodejs and npm when npm is missing

apt_install() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y --no-install-recommends "$@" \
    || { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "$@"; }
}

setup_venv() {
  local py
  py=$(command -v python3.11 || command -v python3)
  if [ ! -x .venv/bin/python ]; then
    "$py" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install --disable-pip-version-check -q -r "$1"
}

ensure_npm() {
  command -v npm >/dev/null || apt_install nodejs npm
}
