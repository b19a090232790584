"""Data registry timings for docs/performance.md: the split, recording a purchase, the pages
(queries per page stay fixed as purchases grow) and the compliance check for many checkpoints.

Run: make bench-data   (uses BENCH_DATABASE_URL; creates and drops its own test database)
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from report import Target, emit, table  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

PAGES = [
    "/data/",
    "/data/purchases/",
    "/data/spending/",
    "/data/entitlements/lg-ai-research/",
    "/api/data-purchases/",
    "/data/purchases/export.csv",
]
REPEAT = 20
METHOD = f"""Medians of {REPEAT} requests through Django's test client as a programme admin, queries counted on
one request. The data: the seeded 2025 structure (13 purchases) plus 200, then 600, more joint
purchases by the five teams, each recorded through `purchase_create`."""
NOTES = """Queries per page stay fixed as purchases triple (pinned in `tests/datasets_registry/test_pages.py`
and `test_api.py`; the compliance check's 4 queries in `test_compliance.py`). The catalogue,
purchase list and API are paginated (50 / 50 / 100 rows). What grows is what is not paginated:
the export (one row per share) and a team's entitlement page (one row per purchase it shares in;
a real team holds a few dozen)."""


def timed(fn, repeat=REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def queries(fn) -> int:
    executed = []
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        fn()
    return len(executed)


def bench_split() -> list[list[str]]:
    from datasets_registry.split import ShareSpec, split_total

    lines = []
    for n in (5, 100, 1000):
        specs = [
            ShareSpec(f"team:{i:04d}", percent=Decimal(100) / n if 100 % n == 0 else None, fixed_krw=None)
            for i in range(n)
        ]
        if 100 % n:  # n that does not divide 100: 4-decimal percentages, the last one takes the rest
            each = (Decimal(100) / n).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
            specs = [ShareSpec(f"team:{i:04d}", percent=each) for i in range(n - 1)]
            specs.append(ShareSpec(f"team:{n - 1:04d}", percent=Decimal(100) - each * (n - 1)))
        ms = timed(lambda specs=specs: split_total(4_830_000_001, specs), repeat=200)
        lines.append(
            [
                f"split KRW 4,830,000,001 among {n} payers (`split_total`, exact fractions)",
                f"{ms * 1000:.0f} µs" if ms < 1 else f"{ms:.2f} ms",
            ]
        )
    return lines


def grow(purchases: int, start: int = 0) -> None:
    """`purchases` more joint purchases of one dataset by the five teams, through the service."""
    from consortium.models import Team
    from datasets_registry import services
    from datasets_registry.models import Dataset, Provider

    teams = list(Team.objects.order_by("id"))
    provider = Provider.objects.get(slug="kipo")
    for n in range(start, start + purchases):
        dataset = services.dataset_create(
            actor=None,
            slug=f"bench-{n}",
            provider=provider,
            licence=Dataset.objects.first().licence,
            name_ko=f"자료{n}",
            name_en=f"Data {n}",
            modality="text",
        )
        services.purchase_create(
            actor=None,
            kind="joint",
            title=f"bench {n}",
            provider=provider,
            datasets=[dataset],
            contract_number=f"BENCH-{n}",
            contract_date=datetime.date(2025, 1 + n % 12, 1),
            price_krw=1_000_000_007 + n,
            vat_krw=100_000_000,
            access_from=datetime.date(2025, 1, 1),
            access_until=datetime.date(2026, 12, 31),
            shares=[{"team": t, "percent": Decimal(20)} for t in teams],
        )


def bench_pages(client) -> dict:
    return {url: (timed(lambda url=url: client.get(url)), queries(lambda url=url: client.get(url))) for url in PAGES}


def bench_compliance(count: int) -> tuple[float, int]:
    from consortium.models import Team
    from datasets_registry import services
    from datasets_registry.models import Dataset
    from datasets_registry.selectors import compliance_for_checkpoints
    from evaluation.models import Checkpoint

    teams = list(Team.objects.order_by("id"))
    datasets = list(Dataset.objects.order_by("id")[:4])
    ids = []
    for n in range(count):
        checkpoint = Checkpoint.objects.create(team=teams[n % len(teams)], name=f"bench-{count}-{n}", source="x")
        services.training_declaration_set(
            actor=None,
            checkpoint=checkpoint,
            releases_openly=n % 2 == 0,
            items=[
                {"dataset": d, "trained_from": datetime.date(2025, 10, 1), "trained_until": datetime.date(2025, 12, 1)}
                for d in datasets
            ],
        )
        ids.append(checkpoint.pk)
    return timed(lambda: compliance_for_checkpoints(ids)), queries(lambda: compliance_for_checkpoints(ids))


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from accounts.services import role_groups_ensure
        from core.roles import PROGRAMME_ADMIN_GROUP
        from tests.support.factories import UserFactory

        call_command("seed_programme", verbosity=0)
        call_command("seed_data_registry", verbosity=0)
        admin = UserFactory(username="bench-admin", is_staff=True)
        admin.groups.add(role_groups_ensure()[PROGRAMME_ADMIN_GROUP])
        client = Client()
        client.force_login(admin)

        operations = bench_split()
        start = time.perf_counter()
        grow(200)
        per_purchase = (time.perf_counter() - start) * 1000 / 200
        operations.append(
            [
                "`purchase_create`: 5 payers, 1 dataset (split, 5 shares, 5 entitlements, 6 audit rows)",
                f"{per_purchase:.1f} ms",
            ]
        )
        small = bench_pages(client)
        grow(400, start=200)
        large = bench_pages(client)
        pages = [
            [f"`{url}`", f"{small[url][0]:.1f}", small[url][1], f"{large[url][0]:.1f}", large[url][1]] for url in PAGES
        ]
        compliance = []
        for count in (10, 500):
            ms, n = bench_compliance(count)
            compliance.append([f"{count} checkpoints", f"{ms:.1f}", n])
        body = "\n\n".join(
            [
                METHOD,
                table(["operation", "median"], operations),
                table(["page (as admin)", "213 purchases: ms", "queries", "613 purchases: ms", "queries"], pages),
                table(["`compliance_for_checkpoints` (4 declared datasets each)", "ms", "queries"], compliance),
                NOTES,
            ]
        )
        fixed = all(small[url][1] == large[url][1] for url in PAGES) and compliance[0][2] == compliance[1][2]
        emit(
            key="data",
            title="Data registry",
            command="make bench-data",
            body=body,
            targets=[
                Target(
                    "queries per page and per compliance check as the data grows",
                    "same" if fixed else "grew",
                    "fixed",
                    fixed,
                    "A query count grew with the data.",
                )
            ],
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
