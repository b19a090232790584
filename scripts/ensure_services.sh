#!/usr/bin/env bash
# `make test` needs a real PostgreSQL and Redis. Start them where they are
# installed but stopped; otherwise say exactly what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL=$1
REDIS_URL=$2
PY=.venv/bin/python

pg_up() { $PY scripts/service_check.py postgres "$DATABASE_URL" >/dev/null 2>&1; }
redis_up() { $PY scripts/service_check.py redis "$REDIS_URL" >/dev/null 2>&1; }

if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ "$(id -u)" = 0 ]; then
  echo "Starting PostgreSQL..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 20); do pg_up && break; sleep 0.5; done
fi
if ! redis_up && command -v redis-server >/dev/null; then
  echo "Starting Redis..."
  port=$(echo "$REDIS_URL" | sed -E 's#^redis://([^@/]*@)?[^:/]+:?([0-9]*).*#\2#')
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "${port:-6379}" --save "" --appendonly no || true
  for _ in $(seq 20); do redis_up && break; sleep 0.5; done
fi

ok=1
if ! $PY scripts/service_check.py postgres "$DATABASE_URL"; then
  ok=0
  cat <<MSG
PostgreSQL is not reachable at $DATABASE_URL.
  If it is installed but stopped, start it (as root: pg_ctlcluster <version> main start). Otherwise install it (Debian: apt-get install postgresql) and allow local trust or password
  auth, or point the tests elsewhere: make test TEST_DATABASE_URL=postgres://user:pass@host:5432/db
MSG
fi
if ! $PY scripts/service_check.py redis "$REDIS_URL"; then
  ok=0
  cat <<MSG
Redis is not reachable at $REDIS_URL.
  Install it (Debian: apt-get install redis-server), or point the tests elsewhere:
  make test TEST_REDIS_URL=redis://host:6379/15
MSG
fi
[ "$ok" = 1 ] || exit 1
