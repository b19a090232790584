"""Registry pages as the programme grows: milliseconds per request and queries per page,
for the real programme (5 teams) and for 200 teams x 20 members each.

Run: make bench-registry   (uses BENCH_DATABASE_URL, creates and drops its own test database)
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from report import Target, emit, table  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

PAGES = ["/", "/teams/lg-ai-research/", "/organisations/kaist/", "/api/teams/", "/api/memberships/"]
REPEAT = 30
METHOD = f"""Median of {REPEAT} requests through Django's test client in one process (no network, no gunicorn),
after one warm-up request; queries counted on the measured request. First the real programme
(5 teams), then with 200 more teams of 20 member organisations each."""
NOTES = """The query count per page stays the same as the data grows (pinned in `tests/consortium/test_pages.py`);
what grows is rendering: the overview lists every team and every timeline entry. The API lists are
paginated at 100 rows."""


def measure(client: Client, url: str) -> tuple[float, int]:
    client.get(url)  # warm
    executed = []
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        client.get(url)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(executed)


def grow(teams: int, members: int) -> None:
    from consortium.models import Membership, MembershipRoleAssignment, Organisation, Programme, Team

    programme = Programme.objects.get()
    day = datetime.date(2025, 8, 4)
    orgs = Organisation.objects.bulk_create(
        Organisation(slug=f"bench-org-{i}", name_ko=f"기관{i}", name_en=f"Org {i}", kind="company")
        for i in range(teams * members)
    )
    new_teams = Team.objects.bulk_create(
        Team(
            programme=programme,
            slug=f"bench-team-{i}",
            name_ko=f"팀{i}",
            name_en=f"Team {i}",
            lead_organisation=orgs[i * members],
            joined_on=day,
        )
        for i in range(teams)
    )
    memberships = Membership.objects.bulk_create(
        Membership(team=team, organisation=orgs[t * members + m], joined_on=day)
        for t, team in enumerate(new_teams)
        for m in range(members)
    )
    MembershipRoleAssignment.objects.bulk_create(
        MembershipRoleAssignment(membership=m, role="data") for m in memberships
    )


def main() -> None:
    setup_test_environment()  # allows the test client's host
    old = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_programme", verbosity=0)
        client = Client()
        small = {url: measure(client, url) for url in PAGES}
        grow(teams=200, members=20)
        large = {url: measure(client, url) for url in PAGES}
        rows = [
            [f"`{url}`", f"{small[url][0]:.1f}", small[url][1], f"{large[url][0]:.1f}", large[url][1]] for url in PAGES
        ]
        body = (
            METHOD
            + "\n\n"
            + table(["page", "5 teams: ms", "queries", "205 teams, 4,103 memberships: ms", "queries"], rows)
            + "\n\n"
            + NOTES
        )
        fixed = all(small[url][1] == large[url][1] for url in PAGES)
        emit(
            key="registry",
            title="Registry pages",
            command="make bench-registry",
            body=body,
            targets=[
                Target(
                    "queries per page as the programme grows 40-fold",
                    "same" if fixed else "grew",
                    "fixed",
                    fixed,
                    "A page's query count grew with the data.",
                )
            ],
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
