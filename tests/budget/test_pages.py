"""Budget pages: who sees what, a fixed number of queries, exports, import progress."""

import datetime
import io

import pytest
from django.urls import reverse

from budget.models import ImportStatus, ReallocationRequest, UsageImport
from budget.services.allocations import allocation_grant
from budget.services.charging import Charger
from tests.budget.test_charging import line

from .conftest import sacct_file, sacct_line


@pytest.fixture
def picture(people, catalogue, envelope, team_a, team_b):
    for team in (team_a, team_b):
        allocation_grant(actor=people["admin"], envelope=envelope, team=team, amount_krw=10**9, reason="x")
    Charger().charge(
        [line(catalogue, team_a, key=f"a{i}", start=datetime.datetime(2025, 8 + i, 3)) for i in range(4)]
        + [line(catalogue, team_b, key=f"b{i}") for i in range(3)]
    )
    return envelope


def _login(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])


@pytest.mark.parametrize(
    "role,sees_a,sees_b,sees_envelope",
    [
        ("member_a", True, False, False),
        ("member_b", False, True, False),
        ("reviewer", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_the_dashboard_shows_each_role_its_own(
    client, people, picture, team_a, team_b, role, sees_a, sees_b, sees_envelope, django_assert_max_num_queries
):
    _login(client, people, role)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("budget-dashboard"))
    text = page.content.decode()
    assert page.status_code == 200
    assert (team_a.name in text, team_b.name in text) == (sees_a, sees_b)
    assert ("burn-down-data" in text) and ("plotly" in text)
    assert ("1,000억원" in text) is sees_envelope  # the whole envelope: staff only


def test_anonymous_is_sent_to_log_in(client, picture):
    assert client.get(reverse("budget-dashboard")).status_code == 302


def test_the_team_page_is_private(client, people, picture, team_a):
    _login(client, people, "member_b")
    assert client.get(reverse("budget-team", args=[team_a.slug])).status_code == 403
    client.force_login(people["member_a"])
    page = client.get(reverse("budget-team", args=[team_a.slug]))
    assert page.status_code == 200 and "split-amount_krw" in page.content.decode()


def test_the_lead_asks_and_an_admin_approves(client, people, picture, team_a):
    client.force_login(people["member_a"])
    page = client.post(
        reverse("budget-team", args=[team_a.slug]),
        {"request-amount_krw": 5_000, "request-reason": "longer pretraining"},
    )
    assert page.status_code == 302
    request = ReallocationRequest.objects.get()
    client.force_login(people["reviewer"])
    assert client.post(reverse("budget-request-decide", args=[request.pk]), {"decision": "approve"}).status_code == 403
    client.force_login(people["admin"])
    client.post(reverse("budget-request-decide", args=[request.pk]), {"decision": "approve", "note": "ok"})
    request.refresh_from_db()
    assert request.status == "approved"
    from budget.models import Allocation
    from budget.selectors import node_totals

    node = Allocation.objects.get(team=team_a, organisation__isnull=True)
    assert node_totals(allocation_ids=[node.pk])[node.pk].allocated_krw == 10**9 + 5_000


def test_usage_table_filters_and_exports(client, people, picture, team_a, team_b, django_assert_max_num_queries):
    client.force_login(people["member_a"])
    with django_assert_max_num_queries(10):
        page = client.get(reverse("budget-usage"))
    assert page.content.decode().count("<tr>") == 1 + 4  # header + team A's four charges
    csv = b"".join(client.get(reverse("budget-usage") + "?export=csv").streaming_content).decode()
    assert csv.count("\n") == 1 + 4 and team_b.slug not in csv
    client.force_login(people["admin"])
    csv = b"".join(client.get(reverse("budget-usage") + f"?team={team_b.pk}&export=csv").streaming_content).decode()
    assert csv.count("\n") == 1 + 3
    xlsx = client.get(reverse("budget-usage") + "?export=xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 7 and rows[1][9] == 28_800


def test_import_page_uploads_and_shows_progress(client, people, picture, accounts, tmp_path, settings):
    settings.BUDGET_IMPORT_DIR = tmp_path / "imports"
    client.force_login(people["member_a"])
    assert client.get(reverse("budget-import-new")).status_code == 404  # not a provider
    client.force_login(people["admin"])
    path = sacct_file(tmp_path / "jobs.txt", [sacct_line("900"), sacct_line("901")])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks, open(path, "rb") as upload:
        response = client.post(
            reverse("budget-import-new"), {"provider": accounts["acct-a"].provider_id, "file": upload}
        )
    assert response.status_code == 302 and len(callbacks) == 1
    usage_import = UsageImport.objects.get()
    from budget.services.imports import usage_import_run

    usage_import_run(import_id=usage_import.pk)  # what the worker does
    status = client.get(reverse("budget-import-status", args=[usage_import.pk])).json()
    assert status["status"] == ImportStatus.DONE and status["percent"] == 100
    page = client.get(reverse("budget-import", args=[usage_import.pk])).content.decode()
    assert "<progress" in page


def test_the_burn_down_note_tells_slow_spending_from_no_spending(client, people, catalogue, envelope, team_a):
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=10**9, reason="x")
    client.force_login(people["admin"])
    client.cookies["django_language"] = "en"

    def note() -> str:
        return client.get(reverse("budget-dashboard")).content.decode()

    assert "No usage yet" in note()
    Charger().charge([line(catalogue, team_a, key="slow", start=datetime.datetime(2025, 12, 3))])
    slow = note()  # 57,600 won a month of a 100-billion envelope: spent, but no date worth projecting
    assert "No usage yet" not in slow and "more than ten years" in slow
    Charger().charge(
        [line(catalogue, team_a, key="fast", gpu_count=1000, seconds=3600 * 3000, start=datetime.datetime(2025, 12, 4))]
    )
    assert "the money runs out around" in note()
