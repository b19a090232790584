#!/usr/bin/env bash
# Coding suites run the code a model writes inside bubblewrap (evaluation/sandbox/), and the
# tests of that sandbox need it. Install Debian's bubblewrap where it is missing, then check
# that it can make a sandbox here (unprivileged user namespaces must be allowed).
set -uo pipefail
cd "$(dirname "$0")/.."
BWRAP=${EVAL_SANDBOX_TOOL:-bwrap}
if ! command -v "$BWRAP" >/dev/null; then
  echo "bubblewrap is needed for the coding suites' sandbox (evaluation/sandbox/)."
  scripts/apt_install.sh bubblewrap || exit 1
fi
if ! "$BWRAP" --unshare-all --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
    --symlink usr/lib64 /lib64 --proc /proc --dev /dev /bin/true 2>/tmp/ensure_sandbox.$$; then
  echo "bubblewrap is installed but cannot make a sandbox here: $(cat /tmp/ensure_sandbox.$$)"
  echo "Unprivileged user namespaces must be allowed (sysctl user.max_user_namespaces > 0;"
  echo "in a container, a seccomp profile that permits them). Workers refuse coding suites until then."
  rm -f /tmp/ensure_sandbox.$$
  exit 1
fi
rm -f /tmp/ensure_sandbox.$$
"$BWRAP" --version
