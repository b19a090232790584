"""Leaderboard under load: 5 teams × 400 checkpoints × 30 tasks on PostgreSQL, served by gunicorn,
20 concurrent clients on the leaderboard page and its API. Reports p50/p95 latency and requests/s
per scenario, and the SQL queries per request.

Run: make bench-leaderboard   (creates and drops its own database, sovereign_ai_lbbench)
The load generator (wrk, installed from Debian by make) runs on the same machine as the server,
so its own CPU use is part of what is measured.
"""

import datetime
import http.client
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from report import Target, emit, table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sovereign_ai_bench")
DB_NAME = os.environ.get("BENCH_LEADERBOARD_DB", "sovereign_ai_lbbench")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
TEAMS, CHECKPOINTS, TASKS = 5, 400, 30
CLIENTS, PORT, WORKERS = 20, int(os.environ.get("BENCH_PORT", "8911")), int(os.environ.get("BENCH_WORKERS", "4"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
METHOD = """5 teams × 400 checkpoints × 30 tasks (2,000 succeeded runs, {rows:,} task results) on PostgreSQL, one
published snapshot, served by gunicorn ({workers} sync workers, `DEBUG=False`, `CONN_MAX_AGE=60` as in
docker-compose) on the same machine as the load: wrk keeps {clients} connections busy (each sends its
next request when the last is answered) for {seconds} s per scenario, after a warm-up of the same
length. "public" requests carry no cookie; "member" (team 1) and "reviewer" carry a session; "member
token" sends the member's personal API token instead. "queries" counts the SQL statements of a
request whose table is not cached yet (pinned for every role by
`tests/leaderboards/test_snapshots_and_queries.py`, the same for a small and a grown data set),
"repeat" those of the next, identical request (pinned by `tests/leaderboards/test_signed_in_fast_path.py`).
"load" is the machine's 1-minute load average as the scenario ended: the benchmark itself (4 workers,
wrk, PostgreSQL) keeps it at about 4–6 on these 2 cores; more means other work was competing."""
NOTES = """What the figures rest on: the table is computed once per set of inputs and cached under the
viewer's scope and a one-statement fingerprint of its inputs (`leaderboards/caching.py`; nothing to
invalidate); the chosen run per team and the history come from one pass over the runs; database
connections are kept. Anonymous requests are answered for 5 s from each worker's microcache (`core/microcache.py`:
no session, no query, no rendering; only requests without credentials, only responses that set no
cookie), so a published snapshot reaches the public within 5 s.

Signed-in repeats (#18) take the fast path (`leaderboards/fast_path.py`): ONE statement, kept
prepared by PostgreSQL, reads the session row (or the token by its hash), the person's groups, teams
and team roles, the leaderboard and its inputs' fingerprint; the session is checked as
`django.contrib.auth` does; the answer comes from a cache whose key holds all of that (the API table
per scope, the page per person and rights, its CSRF token put in per answer). Nothing is cached by
time, so a logout, a revoked token, an ended membership or role misses on the very next request
(`tests/leaderboards/test_next_request.py`). Where a request's time goes, step by step:
`bench/signed_in_breakdown.py` (its last figures below, in "Signed-in request, step by step").

History: 2026-11-30, before #18, signed-in p95 was 218–271 ms (90–105 req/s; 4 queries and a
render per request, Django's session and sign-in alone 7.6 ms). 2026-12-02, with the fast path, two
runs on this shared machine (other agents' test suites running at times): 549–608 req/s signed in,
p95 42.6–53.9 ms (member page 42.6, member API 45.6, reviewer page 50.0, reviewer API 51.9, member
token 53.9), then the run above, 433–564 req/s, p95 47.2–66.8 ms. Public (microcache) at the same
times: 1995–3096 req/s. The target is met or missed by a few milliseconds depending on the machine's
other work."""
MISS_REASON = (
    "With every client always waiting, latency is throughput-bound (p50 ≈ clients ÷ req/s): p95 ≤ 50 ms "
    "needs about 500 req/s, i.e. about 4 ms of the machine's CPU per request all told (Django, PostgreSQL "
    "and the load generator); this scenario ran at {rps:.0f} req/s, {cpu_ms:.1f} ms per request. Measured "
    "alone (bench/signed_in_breakdown.py), a fast-path repeat costs 0.5–1.2 ms of Python (the page's more "
    "than the API's) and about 0.5 ms of PostgreSQL execution, against 0.1–0.2 ms for a public microcache "
    "hit; the rest is gunicorn, the HTTP round trip and wrk, the same as for the public path, and, on this "
    "shared machine, waiting for a core: see the load column."
)
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-not-secret",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "CONN_MAX_AGE": "60",
    "DJANGO_SETTINGS_MODULE": "config.settings",  # connections kept, as in docker-compose.yml
    "API_THROTTLE_ANON": "off",
    "API_THROTTLE_USER": "off",
}  # 20 clients from one address measure speed, not limits


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
    from django.utils import timezone

    from accounts.services import user_create
    from consortium.models import Team
    from core.roles import Role
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
        SuiteTask(
            suite_version=version,
            position=i,
            task=f"task_{i:02d}",
            metric="acc,none",
            category=categories[i],
            random_baseline=0.25 if i % 3 else 0.0,
            weight=1,
        )
        for i in range(TASKS)
    )
    teams = list(Team.objects.order_by("slug"))[:TEAMS]
    now = timezone.now()
    for t, team in enumerate(teams):
        checkpoints = Checkpoint.objects.bulk_create(
            Checkpoint(
                team=team,
                name=f"{team.slug}-{n}",
                source=f"c{n}",
                status=CheckpointStatus.READY,
                manifest_digest=f"{t:02d}{n:062d}",
                declared_target_model="Frontier",
            )
            for n in range(CHECKPOINTS)
        )
        runs, results = [], []
        for n, checkpoint in enumerate(checkpoints):
            skill = 0.3 + 0.1 * t + 0.3 * n / CHECKPOINTS
            values = [min(1.0, max(0.0, skill + rng.uniform(-0.1, 0.1))) for _ in tasks]
            norms = [normalised_score(v, task.random_baseline) for v, task in zip(values, tasks)]
            runs.append(
                EvaluationRun(
                    checkpoint=checkpoint,
                    suite_version=version,
                    status=RunStatus.SUCCEEDED,
                    results={"results": {}},
                    finished_at=now - datetime.timedelta(hours=6 * (CHECKPOINTS - n)),
                    overall_score=sum(norms) / len(norms),
                    progress_total=TASKS,
                    progress_done=TASKS,
                )
            )
            results.append(list(zip(tasks, values)))
        runs = EvaluationRun.objects.bulk_create(runs)
        TaskResult.objects.bulk_create(
            (
                TaskResult(
                    run=run,
                    task=task.task,
                    metric="acc,none",
                    value=value,
                    stderr=0.02,
                    normalised_score=normalised_score(value, task.random_baseline),
                )
                for run, pairs in zip(runs, results)
                for task, value in pairs
            ),
            batch_size=5000,
        )
    reference_model_save(actor=None, suite_version=version, name="Frontier", scores={t.task: 0.85 for t in tasks})
    leaderboard = leaderboard_create(
        actor=None, slug="bench", name_ko="벤치", name_en="Bench", suite_version=version, rule=RowRule.BEST
    )
    admin = user_create(actor=None, username="bench-admin", password=None, role=Role.ADMIN)
    reviewer = user_create(actor=None, username="bench-reviewer", password=None, role=Role.REVIEWER)
    member = user_create(actor=None, username="bench-member", password=None, organisation=teams[0].lead_organisation)
    snapshot_publish(actor=admin, leaderboard=leaderboard)
    from django.db import connection as db

    with db.cursor() as cursor:  # fresh statistics, as autovacuum would keep them
        cursor.execute("ANALYZE")

    from django.db import connection
    from django.test import Client

    from accounts.services.tokens import token_create

    counts, repeats, cookies = {}, {}, {}
    token_key = token_create(actor=None, user=member, name="bench", days=1)[1]
    for label, user in (("public", None), ("member", member), ("reviewer", reviewer), ("member token", None)):
        client = Client()
        if user:
            client.force_login(user)  # through the configured backend, or the session names no user
        cookies[label] = f"sessionid={client.cookies['sessionid'].value}" if user else ""
        extra = {"HTTP_AUTHORIZATION": f"Token {token_key}"} if label == "member token" else {}
        for path in ("/leaderboards/bench/", "/api/leaderboards/bench/"):
            if label == "member token" and not path.startswith("/api/"):
                continue
            for into in (counts, repeats):
                executed = []
                with connection.execute_wrapper(lambda run, sql, *a: executed.append(sql) or run(sql, *a)):
                    assert client.get(path, **extra).status_code == 200
                into[(label, path)] = len(executed)
    return {
        "cookies": cookies,
        "queries": counts,
        "repeats": repeats,
        "token": token_key,
        "rows": TaskResult.objects.count(),
    }


def load(path: str, cookie: str, token: str = "") -> dict:
    """wrk (C, from Debian) keeps CLIENTS connections busy for SECONDS: each sends its next request
    as soon as the previous answer arrives."""
    headers = ["-H", "X-Forwarded-Proto: https"] + (["-H", f"Cookie: {cookie}"] if cookie else [])
    headers += ["-H", f"Authorization: Token {token}"] if token else []
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(CLIENTS),
            "-d",
            f"{SECONDS}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            *headers,
            f"http://127.0.0.1:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("WRK "))[4:])
    figures["load"] = os.getloadavg()[0]  # the machine is shared: the 1-minute load average as the scenario ended
    return figures | {"rps": figures["requests"] / figures["seconds"], "errors": figures["errors"] + figures["non2xx"]}


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


def check_signed_in(cookie: str, username: str):
    """The server must see the cookie's user: a cookie it does not accept would measure a visitor."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    connection.request("GET", "/leaderboards/bench/", headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
    if username not in connection.getresponse().read().decode():
        raise RuntimeError(f"the server does not see {username} signed in with its cookie")


def main():
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("seed_programme")
    manage("collectstatic", "--noinput", "-v0")
    seeded = seed()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        wait_for_server()
        for label in ("member", "reviewer"):
            check_signed_in(seeded["cookies"][label], f"bench-{label}")
        rows, worst, rates = [], {}, {}
        for label in ("public", "member", "reviewer", "member token"):
            for kind, path in (("page", "/leaderboards/bench/"), ("API", "/api/leaderboards/bench/")):
                if (label, path) not in seeded["queries"]:
                    continue
                token = seeded["token"] if label == "member token" else ""
                load(path, seeded["cookies"][label], token)  # warm every worker
                f = load(path, seeded["cookies"][label], token)
                rows.append(
                    [
                        f"{label} {kind} `{path}`",
                        seeded["queries"][(label, path)],
                        seeded["repeats"][(label, path)],
                        f"{f['requests']:,}",
                        f"{f['rps']:.0f}",
                        f"{f['p50']:.1f}",
                        f"**{f['p95']:.1f}**",
                        f"{f['p99']:.1f}",
                        f["errors"],
                        f"{f['load']:.1f}",
                    ]
                )
                worst[f"{label} {kind}"], rates[f"{label} {kind}"] = f["p95"], f["rps"]
        queries = max(seeded["queries"].values())
        body = "\n\n".join(
            [
                METHOD.format(rows=seeded["rows"], workers=WORKERS, clients=CLIENTS, seconds=SECONDS),
                table(
                    [
                        "scenario",
                        "queries",
                        "repeat",
                        "requests",
                        "req/s",
                        "p50 ms",
                        "p95 ms",
                        "p99 ms",
                        "errors",
                        "load",
                    ],
                    rows,
                ),
                NOTES,
            ]
        )
        targets = []
        for group, labels in (("public (anonymous)", ("public",)), ("signed in", ("member", "reviewer"))):
            # "member token" counts as "member" (its first word).
            mine = {k: v for k, v in worst.items() if k.split()[0] in labels}
            slowest = max(mine, key=mine.get)
            cpu_ms = (os.cpu_count() or 2) * 1000 / rates[slowest]
            targets.append(
                Target(
                    f"p95 latency, {group} page and API",
                    f"{mine[slowest]:.1f} ms ({slowest})",
                    "≤ 50 ms",
                    mine[slowest] <= 50,
                    MISS_REASON.format(rps=rates[slowest], cpu_ms=cpu_ms),
                )
            )
        targets.append(
            Target(
                "SQL queries per request",
                f"≤ {queries}, the same for any data size",
                "≤ 10, fixed",
                queries <= 10,
                "A request made more than 10 queries.",
            )
        )
        emit(
            key="leaderboard",
            title="Leaderboard under load",
            command="make bench-leaderboard",
            body=body,
            targets=targets,
        )
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
