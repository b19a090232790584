"""Leaderboard under load: 5 teams × 400 checkpoints × 30 tasks on PostgreSQL, served by gunicorn,
20 concurrent clients on the leaderboard page and its API. Reports p50/p95 latency and requests/s
per scenario, and the SQL queries per request.

Run: make bench-leaderboard   (creates and drops its own database, sovereign_ai_lbbench)
The load generator runs on the same machine as the server (threads with keep-alive connections),
so its own CPU use is part of what is measured.
"""
import datetime
import http.client
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sovereign_ai_bench")
DB_NAME = "sovereign_ai_lbbench"
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
TEAMS, CHECKPOINTS, TASKS = 5, 400, 30
CLIENTS, PORT, WORKERS = 20, 8911, int(os.environ.get("BENCH_WORKERS", "4"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
ENV = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "false", "SECRET_KEY": "bench-only-not-secret",
       "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
       "CONN_MAX_AGE": "60", "DJANGO_SETTINGS_MODULE": "config.settings",  # connections kept, as in docker-compose.yml
       "API_THROTTLE_ANON": "off", "API_THROTTLE_USER": "off"}  # 20 clients from one address measure speed, not limits


def recreate_database():
    import psycopg

    with psycopg.connect(ADMIN_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DB_NAME}")


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def seed() -> dict:
    """Runs inside Django (this process, with ENV applied): the data set and the clients' cookies."""
    os.environ.update(ENV)
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_create
    from consortium.models import Team
    from evaluation.models import (
        Checkpoint,
        CheckpointStatus,
        EvaluationRun,
        RunStatus,
        Suite,
        SuiteTask,
        SuiteVersion,
        TaskResult,
    )
    from evaluation.scoring import normalised_score
    from leaderboards.models import RowRule
    from leaderboards.services import leaderboard_create, reference_model_save, snapshot_publish

    rng = random.Random(7)
    suite = Suite.objects.create(slug="bench", name_ko="벤치", name_en="Bench")
    version = SuiteVersion.objects.create(suite=suite, number=1, digest="0" * 64)
    categories = ["nia"] * 8 + ["global_common"] * 16 + ["team_chosen"] * 6
    tasks = SuiteTask.objects.bulk_create(
        SuiteTask(suite_version=version, position=i, task=f"task_{i:02d}", metric="acc,none", category=categories[i],
                  random_baseline=0.25 if i % 3 else 0.0, weight=1) for i in range(TASKS))
    teams = list(Team.objects.order_by("slug"))[:TEAMS]
    now = timezone.now()
    for t, team in enumerate(teams):
        checkpoints = Checkpoint.objects.bulk_create(
            Checkpoint(team=team, name=f"{team.slug}-{n}", source=f"c{n}", status=CheckpointStatus.READY,
                       manifest_digest=f"{t:02d}{n:062d}", declared_target_model="Frontier") for n in range(CHECKPOINTS))
        runs, results = [], []
        for n, checkpoint in enumerate(checkpoints):
            skill = 0.3 + 0.1 * t + 0.3 * n / CHECKPOINTS
            values = [min(1.0, max(0.0, skill + rng.uniform(-0.1, 0.1))) for _ in tasks]
            norms = [normalised_score(v, task.random_baseline) for v, task in zip(values, tasks)]
            runs.append(EvaluationRun(checkpoint=checkpoint, suite_version=version, status=RunStatus.SUCCEEDED,
                                      results={"results": {}}, finished_at=now - datetime.timedelta(hours=6 * (CHECKPOINTS - n)),
                                      overall_score=sum(norms) / len(norms), progress_total=TASKS, progress_done=TASKS))
            results.append(list(zip(tasks, values)))
        runs = EvaluationRun.objects.bulk_create(runs)
        TaskResult.objects.bulk_create(
            (TaskResult(run=run, task=task.task, metric="acc,none", value=value, stderr=0.02,
                        normalised_score=normalised_score(value, task.random_baseline))
             for run, pairs in zip(runs, results) for task, value in pairs), batch_size=5000)
    reference_model_save(actor=None, suite_version=version, name="Frontier", scores={t.task: 0.85 for t in tasks})
    leaderboard = leaderboard_create(actor=None, slug="bench", name_ko="벤치", name_en="Bench",
                                     suite_version=version, rule=RowRule.BEST)
    admin = user_create(actor=None, username="bench-admin", password=None, role=Role.ADMIN)
    reviewer = user_create(actor=None, username="bench-reviewer", password=None, role=Role.REVIEWER)
    member = user_create(actor=None, username="bench-member", password=None, organisation=teams[0].lead_organisation)
    snapshot_publish(actor=admin, leaderboard=leaderboard)
    from django.db import connection as db

    with db.cursor() as cursor:  # fresh statistics, as autovacuum would keep them
        cursor.execute("ANALYZE")

    def cookie(user: User) -> str:
        session = SessionStore()
        session["_auth_user_id"], session["_auth_user_backend"] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return f"sessionid={session.session_key}"

    from django.db import connection
    from django.test import Client

    counts = {}
    for label, user in (("public", None), ("member", member), ("reviewer", reviewer)):
        client = Client()
        if user:
            client.force_login(user)
        for path in ("/leaderboards/bench/", "/api/leaderboards/bench/"):
            executed = []
            with connection.execute_wrapper(lambda run, sql, *a: executed.append(sql) or run(sql, *a)):
                assert client.get(path).status_code == 200
            counts[(label, path)] = len(executed)
    return {"cookies": {"public": "", "member": cookie(member), "reviewer": cookie(reviewer)}, "queries": counts,
            "rows": TaskResult.objects.count()}


def load(path: str, cookie: str) -> dict:
    latencies, errors, stop = [], [], time.monotonic() + SECONDS
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Accept-Language": "ko"}
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
            except (OSError, http.client.HTTPException) as error:
                errors.append(str(error))
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    if not latencies:
        return {"requests": 0, "errors": len(errors), "rps": 0.0, "p50": float("nan"), "p95": float("nan")}
    return {"requests": len(latencies), "errors": len(errors), "rps": len(latencies) / elapsed,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}


def wait_for_server():
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main():
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("seed_programme")
    manage("collectstatic", "--noinput", "-v0")
    seeded = seed()
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}",
                               "--log-level", "warning"], cwd=ROOT, env=ENV)
    try:
        wait_for_server()
        print(f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
              f"{TEAMS} teams × {CHECKPOINTS} checkpoints × {TASKS} tasks ({seeded['rows']} task results) · "
              f"gunicorn {WORKERS} sync workers · {CLIENTS} concurrent clients × {SECONDS} s each")
        print(f"{'scenario':<34} {'queries':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
        for label in ("public", "member", "reviewer"):
            for path in ("/leaderboards/bench/", "/api/leaderboards/bench/"):
                load(path, seeded["cookies"][label])  # warm every worker
                figures = load(path, seeded["cookies"][label])
                print(f"{label + ' ' + path:<34} {seeded['queries'][(label, path)]:>7} {figures['requests']:>8} "
                      f"{figures['rps']:>7.1f} {figures['p50']:>7.1f} {figures['p95']:>7.1f} {figures['errors']:>6}")
    finally:
        server.terminate()
        server.wait()
        if os.environ.get("BENCH_KEEP_DATABASE"):
            return
        import psycopg

        with psycopg.connect(ADMIN_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
