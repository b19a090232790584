#!/usr/bin/env bash
# The browser journeys (tests/browser/) drive Debian's Chromium through Playwright: Playwright's
# own browser download cannot be reached from here. Install Chromium where it is missing.
# `--fonts` (make screenshots) also installs a Korean font, so the screenshots show Hangul, not boxes.
set -uo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PACKAGES="chromium chromium-driver"
if [ "${1:-}" = "--fonts" ] && ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  PACKAGES="$PACKAGES fonts-nanum"
elif [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "Chromium is needed at $CHROMIUM for tests/browser/ (or set CHROMIUM=/path/to/chromium)."
scripts/apt_install.sh $PACKAGES || exit 1
if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium could not be installed at $CHROMIUM: install it by hand (apt-get install chromium chromium-driver)."
  exit 1
fi
"$CHROMIUM" --version 2>/dev/null
