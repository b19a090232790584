#!/usr/bin/env bash
# `make fuzz`: the schemathesis command line against a live server (gunicorn, DEBUG off, PostgreSQL,
# Redis, rate limits off) on a freshly seeded database of its own: every operation of /api/schema/
# plus HEAD and OPTIONS on every path (scripts/fuzz_schema.py), as anonymous, a member firm (the LG
# team's lead), a reviewer and an admin; FUZZ_EXAMPLES per operation (200), examples, coverage,
# fuzzing and stateful phases, every check. The seed changes each run (FUZZ_SEED fixes it) and is
# printed first; scripts/fuzz_report.py adds the run to docs/fuzzing.md. Exit 1 on a server error
# or a schema violation.
#   FUZZ_ROLES="anonymous member reviewer admin"   FUZZ_MAX_TIME=<seconds per role, default none>
#   FUZZ_WORKERS=2   FUZZ_PORT=8623   FUZZ_DATABASE_URL, FUZZ_REDIS_URL (a database and Redis db of its own)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=.venv/bin/python
PORT=${FUZZ_PORT:-8623}
EXAMPLES=${FUZZ_EXAMPLES:-200}
ROLES=${FUZZ_ROLES:-anonymous member reviewer admin}
WORKERS=${FUZZ_WORKERS:-2}
SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "Fuzz seed: $SEED (FUZZ_SEED=$SEED reruns it)"

export DATABASE_URL=${FUZZ_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sovereign_ai_fuzz}
export REDIS_URL=${FUZZ_REDIS_URL:-redis://127.0.0.1:6379/12}
export VAR_DIR=$PWD/var/fuzz DEBUG=False SECRET_KEY=fuzz-only-not-a-secret SECURE_SSL_REDIRECT=False \
  ALLOWED_HOSTS=127.0.0.1 API_THROTTLE_ANON=off API_THROTTLE_USER=off LOGIN_MAX_FAILURES=1000000000 \
  LOG_LEVEL=WARNING PUBLIC_MICROCACHE_SECONDS=0
OUT=$PWD/var/fuzz/seed-$SEED
rm -rf "$OUT"; mkdir -p "$OUT"

scripts/ensure_services.sh "$DATABASE_URL" "$REDIS_URL"
echo "Seeding a fresh database..."
$PY - "$DATABASE_URL" <<'PY'
import sys
import psycopg
from urllib.parse import urlparse
url = urlparse(sys.argv[1]); name = url.path.lstrip("/")
with psycopg.connect(sys.argv[1].replace(url.path, "/postgres"), autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PY
$PY manage.py migrate --noinput -v0
for command in seed_programme load_suites create_demo_users seed_demo_stage seed_data_registry seed_budget_demo; do
  $PY manage.py $command >/dev/null
done
# One token per signed-in role: a member firm (the LG team's lead organisation), a reviewer, an admin.
$PY manage.py shell -v0 -c "
from accounts.models import User
from accounts.services.tokens import token_create
for role, username in (('member', 'lg-lead'), ('reviewer', 'reviewer'), ('admin', 'admin')):
    print(role, token_create(actor=None, user=User.objects.get(username=username), name='fuzz', days=1)[1])
" > "$OUT/tokens"

.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --error-logfile "$OUT/server.log" --capture-output &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
$PY scripts/fuzz_schema.py "http://127.0.0.1:$PORT" "$OUT/schema.json"

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for role in $ROLES; do
  auth=()
  if [ "$role" != anonymous ]; then
    auth=(-H "Authorization: Token $(awk -v r="$role" '$1 == r {print $2}' "$OUT/tokens")")
  fi
  # Signed in, every request carries the role's token (-H), so ignored_auth's "without credentials"
  # requests still hold valid ones: that check runs for anonymous only (the route matrix in
  # tests/security/test_route_matrix.py pins every route's answer per role).
  [ "$role" = anonymous ] && skip=() || skip=(--exclude-checks ignored_auth)
  limit=()
  [ -n "${FUZZ_MAX_TIME:-}" ] && limit=(--max-time "$FUZZ_MAX_TIME")
  echo "== $role: $EXAMPLES examples per operation, seed $SEED ($(date -u +%H:%M:%S))"
  (cd "$OUT" && "$ROOT/.venv/bin/schemathesis" run schema.json --url "http://127.0.0.1:$PORT" "${auth[@]}" \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers "$WORKERS" "${limit[@]}" \
    --phases examples,coverage,fuzzing,stateful --checks all "${skip[@]}" --continue-on-failure --no-shrink \
    --suppress-health-check all --request-timeout 30 \
    --report ndjson --report-ndjson-path "$role.ndjson" > "$role.txt" 2>&1) || true
  sed -n '/= SUMMARY =/,$p' "$OUT/$role.txt" | grep -E "Tested|❌|Test cases|generated|Seed|=====" || true
done

$PY scripts/fuzz_report.py --seed "$SEED" --examples "$EXAMPLES" --started "$started" \
  --max-time "${FUZZ_MAX_TIME:-}" --server-log "$OUT/server.log" --doc docs/fuzzing.md $(for role in $ROLES; do echo "$role=$OUT/$role.ndjson"; done)
