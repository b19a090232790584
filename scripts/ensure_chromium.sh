#!/usr/bin/env bash
# The browser journeys (tests/browser/) drive Debian's Chromium through Playwright: Playwright's
# own browser download cannot be reached from here. Install Chromium where it is missing.
# `--fonts` (make screenshots) also installs a Korean font, so the screenshots show Hangul, not boxes.
set -uo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PACKAGES="chromium chromium-driver"
if [ "${1:-}" = "--fonts" ] && ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  PACKAGES="$PACKAGES fonts-nanum"
elif [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "Chromium is needed at $CHROMIUM for tests/browser/ and there is no apt-get here:"
  echo "  install Chromium with your package manager (or set CHROMIUM=/path/to/chromium)."
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Chromium is needed at $CHROMIUM for tests/browser/: run as root, or install it once yourself:"
    echo "  sudo apt-get install -y $PACKAGES"
    exit 1
  fi
fi
echo "Installing for the browser journeys: apt-get install $PACKAGES ..."
# Wait for another apt run (other worktrees may be installing at the same time) instead of failing.
LOCK_WAIT="-o DPkg::Lock::Timeout=600"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get $LOCK_WAIT install -y --no-install-recommends $PACKAGES; then
  echo "apt-get install failed; refreshing the package lists and trying once more..."
  $SUDO apt-get $LOCK_WAIT update -qq
  $SUDO apt-get $LOCK_WAIT install -y --no-install-recommends $PACKAGES
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium could not be installed at $CHROMIUM: install it by hand (apt-get install chromium chromium-driver)."
  exit 1
fi
"$CHROMIUM" --version 2>/dev/null
