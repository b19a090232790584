#!/usr/bin/env bash
# Installs Debian packages the project's own targets need (Chromium for the browser journeys,
# wrk for the load benchmark): apt-get as root or through passwordless sudo, waiting for another
# apt run instead of failing, refreshing the package lists once if the install fails.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..."; exit 2; }
if ! command -v apt-get >/dev/null; then
  echo "No apt-get here: install $* with your package manager."
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Run as root, or install once yourself: sudo apt-get install -y $*"
    exit 1
  fi
fi
echo "Installing: apt-get install $* ..."
LOCK_WAIT="-o DPkg::Lock::Timeout=600"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get $LOCK_WAIT install -y --no-install-recommends "$@"; then
  echo "apt-get install failed; refreshing the package lists and trying once more..."
  $SUDO apt-get $LOCK_WAIT update -qq
  $SUDO apt-get $LOCK_WAIT install -y --no-install-recommends "$@"
fi
