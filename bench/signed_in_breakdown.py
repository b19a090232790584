"""Where a signed-in leaderboard request's time goes, in one process (no HTTP, no load): the data
set of bench/leaderboard_load.py, then each step of the signed-in fast path timed alone, and the
whole WSGI handler for public, fast-path and ordinary requests. Prints a markdown table.

Run: BENCH_DATABASE_URL=... python bench/signed_in_breakdown.py   (creates and drops its database)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_LEADERBOARD_DB", "sovereign_ai_lbbreakdown")
import leaderboard_load as lb  # noqa: E402

N = int(os.environ.get("BREAKDOWN_REPEATS", "400"))
LOAD_BEFORE = os.getloadavg()[0]


def timed(fn, n=N) -> tuple[float, float]:
    """(median wall ms, mean CPU ms of this process) of fn() over n calls (after 20 warm-up calls).
    On a loaded machine the wall time holds waits for a core; the CPU time does not."""
    for _ in range(20):
        fn()
    samples = []
    cpu_started = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), (time.process_time() - cpu_started) * 1000 / n


def main():
    lb.recreate_database()
    lb.manage("migrate", "--noinput", "-v0")
    lb.manage("seed_programme")
    seeded = lb.seed()
    try:
        measure(seeded)
    finally:
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(lb.ADMIN_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {lb.DB_NAME} WITH (FORCE)")


def measure(seeded):
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    from accounts.selectors import user_from_rights_row
    from accounts.sessions import SessionStore
    from leaderboards import fast_path

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    handler = WSGIHandler()
    factory = RequestFactory()
    session_key = seeded["cookies"]["member"].split("=", 1)[1]
    rows = []

    def environ(path, cookie="", token=""):
        request = factory.get(path, HTTP_COOKIE=cookie, **({"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}))
        return request.environ

    def call(env):
        def run():
            body = b"".join(handler(dict(env), lambda status, headers, exc_info=None: None))
            assert body

        return run

    params = {"slug": "bench", "session_key": session_key}
    row = fast_path._read(fast_path.SESSION_SQL, dict(params))
    user = user_from_rights_row(row)
    rows.append(
        [
            "the one statement (session, rights, leaderboard, fingerprint): client wall time",
            timed(lambda: fast_path._read(fast_path.SESSION_SQL, dict(params))),
        ]
    )
    with connection.cursor() as cursor:
        from django.utils import timezone

        now = timezone.now()
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + fast_path.SESSION_SQL,
            params | {"now": now, "day": timezone.localdate(now), "succeeded": "succeeded"},
        )
        plan = cursor.fetchone()[0][0]
    rows.append(["  PostgreSQL planning, unprepared (EXPLAIN ANALYZE)", (plan["Planning Time"], None)])
    rows.append(["  PostgreSQL execution (EXPLAIN ANALYZE)", (plan["Execution Time"], None)])
    rows.append(["session decode (signed data)", timed(lambda: SessionStore().decode(row["session_data"]))])
    rows.append(["session hash check (HMAC of the password hash)", timed(lambda: user.get_session_auth_hash())])
    rows.append(["person with rights from the row", timed(lambda: user_from_rights_row(row))])
    for label, path, cookie, token in (
        ("public page, microcache hit", "/leaderboards/bench/", "", ""),
        ("member page, fast path hit", "/leaderboards/bench/", seeded["cookies"]["member"], ""),
        ("member API, fast path hit", "/api/leaderboards/bench/", seeded["cookies"]["member"], ""),
        ("member API by token, fast path hit", "/api/leaderboards/bench/", "", seeded["token"]),
    ):
        rows.append([f"whole request in the WSGI handler: {label}", timed(call(environ(path, cookie, token)))])
    settings.SIGNED_IN_FAST_PATH = False
    for label, path in (
        ("member page, ordinary path (table cached)", "/leaderboards/bench/"),
        ("member API, ordinary path (table cached)", "/api/leaderboards/bench/"),
    ):
        rows.append(
            [
                f"whole request in the WSGI handler: {label}",
                timed(call(environ(path, seeded["cookies"]["member"])), n=N // 4),
            ]
        )
    lines = ["| step (one process) | wall ms (median) | this process's CPU ms |", "|---|---:|---:|"]
    lines += [f"| {label} | {wall:.2f} | {'' if cpu is None else f'{cpu:.2f}'} |" for label, (wall, cpu) in rows]
    note = "\n".join(
        [
            "## Signed-in request, step by step — `python bench/signed_in_breakdown.py` (not re-run by `make bench`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} in one process on the `make bench-leaderboard` data set, {N} repeats "
            f"each; load average {LOAD_BEFORE:.2f} when it started (other work on this 2-core machine: wall times hold "
            "waits for a core, the CPU column does not). PostgreSQL's own time is from EXPLAIN ANALYZE of the same "
            "statement; its planning is saved by the prepared statement.",
            "",
            *lines,
        ]
    )
    print(note)
    (Path(__file__).resolve().parent / "notes" / "signed_in_breakdown.md").write_text(note + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
