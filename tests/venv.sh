#!/usr/bin/env bash
# tests/venv.sh DIR REQUIREMENTS: a Python virtual environment at DIR with
# REQUIREMENTS installed, so nothing is installed into the system's or the
# user's site-packages (GitHub's runners are not root: a plain `pip install`
# there goes to ~/.local, where nothing looks for it). Idempotent.
set -euo pipefail
dir=$1 requirements=$2
if [ ! -x "$dir/bin/python" ]; then
  if ! python3 -m venv "$dir" 2>/dev/null; then
    # Debian and Ubuntu ship venv's pip bootstrap in a package of its own.
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv
    rm -rf "$dir"
    python3 -m venv "$dir"
  fi
fi
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
