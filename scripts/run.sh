#!/usr/bin/env bash
# `make run`: migrate, seed the real programme and demo users, then start the
# web server and a Celery worker together. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

$PY manage.py migrate --noinput -v0
$PY manage.py seed_programme
$PY manage.py load_suites
echo "Demo users (one per role):"
$PY manage.py create_demo_users
echo "Demo checkpoints (built once, then kept under var/checkpoints/):"
$PY manage.py make_demo_checkpoints
$PY manage.py submit_demo_checkpoints
echo "Demo private benchmark (the ministry's own, labelled as demo data):"
$PY manage.py seed_demo_private_benchmark
echo "Demo leaderboard and first-stage evaluation:"
$PY manage.py seed_demo_governance --conflict  # before the demo stage's scores
$PY manage.py seed_demo_stage
$PY manage.py seed_data_registry
$PY manage.py seed_budget_demo

pids=()
demo_pid=
arena_pid=
objection_pid=
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web server and worker..."
  kill "${pids[@]}" $demo_pid $arena_pid $objection_pid 2>/dev/null || true
  wait "${pids[@]}" $demo_pid $arena_pid $objection_pid 2>/dev/null || true
}
trap stop INT TERM EXIT

# One worker for everything, with the reaper's schedule (-B) built in.
.venv/bin/celery -A config worker -Q default,eval-cpu --pool solo -B --schedule var/celerybeat-schedule \
  --loglevel WARNING &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
# Once the demo checkpoints are evaluated: nominate them, freeze nominations, publish the leaderboard.
# (Not in pids: it ends by itself, and `wait -n` below must only end with a server.)
$PY manage.py seed_demo_stage --nominate-when-ready --wait 900 &
demo_pid=$!
# The demo user evaluation: once nominations are frozen, the nominated checkpoints answer the demo prompts
# on the worker and a seeded panel judges (it waits for each step by itself).
$PY manage.py seed_demo_arena --wait 900 &
arena_pid=$!
# Once the demo admin finalises the demo stage: a team lead objects (open, for the reviewer to answer).
$PY manage.py seed_demo_governance --wait 86400 &
objection_pid=$!

database=${DATABASE_URL:+PostgreSQL}; database=${database:-SQLite in var/}
broker=${REDIS_URL:+Redis}; broker=${broker:-files in var/celery/}
echo
echo "Platform running at http://$HOST:$PORT/   (database: $database; Celery broker: $broker)"
echo "Evaluations: http://$HOST:$PORT/evaluation/ (the demo checkpoints are evaluated on ko-smoke in the first minute)"
echo "Leaderboard: http://$HOST:$PORT/leaderboards/ · first-stage evaluation: http://$HOST:$PORT/stages/"
echo "User evaluation (blind pairwise judging): http://$HOST:$PORT/arena/ (as admin, reviewer, or the panel user)"
echo "API docs at http://$HOST:$PORT/api/docs/ — press Ctrl-C to stop."
wait -n "${pids[@]}"
