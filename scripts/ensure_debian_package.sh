#!/usr/bin/env bash
# Installs a Debian package when its program is missing: ensure_debian_package.sh <program> <package>...
# (apt-get as root, or through sudo; says clearly what to do where neither works).
set -uo pipefail
program=$1; shift
command -v "$program" >/dev/null && exit 0
echo "Installing $* (for $program)..."
if [ "$(id -u)" = 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null; then apt=(sudo apt-get); else apt=(); fi
if [ ${#apt[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "$@" >/dev/null \
    || { "${apt[@]}" update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "$@" >/dev/null; }
fi
command -v "$program" >/dev/null && exit 0
echo "$program is needed and could not be installed here. Install the Debian package(s) $* (apt-get install $*)." >&2
exit 1
