"""The budget API: scoped reads, writes through the services, 400 with field errors."""

import pytest

from budget.models import EntryKind, LedgerEntry, ReallocationRequest
from budget.services.allocations import allocation_grant
from consortium.models import TeamStatus
from consortium.services import team_change_status
from tests.support.factories import UserFactory


@pytest.fixture
def granted(people, envelope, team_a, team_b):
    for team in (team_a, team_b):
        allocation_grant(actor=people["admin"], envelope=envelope, team=team, amount_krw=10**9, reason="x")
    return envelope


def test_summary_is_scoped(api_client, people, granted, team_a, extra_member, django_assert_max_num_queries):
    from budget.services.allocations import allocation_split

    member = extra_member(team_a).organisation
    allocation_split(
        actor=people["member_a"], envelope=granted, team=team_a, organisation=member, amount_krw=4 * 10**8, reason="x"
    )
    api_client.force_authenticate(people["member_a"])
    with django_assert_max_num_queries(10):
        data = api_client.get("/api/budget/summary/").json()
    assert [t["team"] for t in data["teams"]] == [team_a.slug] and data["figures"] is None
    [team] = data["teams"]
    assert team["totals"]["allocated_krw"] == 10**9
    assert [(m["organisation"], m["totals"]["allocated_krw"]) for m in team["members"]] == [(member.slug, 4 * 10**8)]
    api_client.force_authenticate(people["reviewer"])
    data = api_client.get("/api/budget/summary/").json()
    assert len(data["teams"]) == 2 and data["figures"]["total_krw"] == 100 * 10**9


def test_grant_through_the_api(api_client, people, granted, team_a, catalogue):
    api_client.force_authenticate(people["admin"])
    bad = api_client.post(
        "/api/budget/allocations/",
        {"envelope": granted.pk, "team": team_a.slug, "amount_krw": 10**12, "reason": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "amount_krw" in bad.json()
    reserved = api_client.post(
        "/api/budget/allocations/",
        {
            "envelope": granted.pk,
            "team": team_a.slug,
            "reason": "GPUs",
            "reservation": {
                "gpu_type": "h100",
                "provider": "cloud-x",
                "gpu_count": 8,
                "start": "2025-09-01",
                "end": "2025-09-01",
            },
        },
        format="json",
    )
    assert reserved.status_code == 201
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE, amount_krw=8 * 24 * 3600).count() == 1
    api_client.force_authenticate(people["member_a"])
    refused = api_client.post(
        "/api/budget/allocations/",
        {"envelope": granted.pk, "team": team_a.slug, "amount_krw": 1, "reason": "x"},
        format="json",
    )
    assert refused.status_code == 403


def test_a_provider_reports_usage_once(api_client, people, granted, accounts, catalogue, team_a):
    provider_user = UserFactory(organisation=catalogue["provider"].organisation)
    body = {
        "provider": "cloud-x",
        "lines": [
            {
                "job_id": "77",
                "account": "acct-a",
                "gpu_type": "h100",
                "gpu_count": 8,
                "started_at": "2025-09-01T10:00:00+09:00",
                "ended_at": "2025-09-01T11:00:00+09:00",
            },
            {
                "job_id": "78",
                "account": "ghost",
                "gpu_type": "h100",
                "gpu_count": 1,
                "started_at": "2025-09-01T10:00:00+09:00",
                "ended_at": "2025-09-01T11:00:00+09:00",
            },
        ],
    }
    api_client.force_authenticate(people["member_a"])
    assert api_client.post("/api/budget/usage/", body, format="json").status_code == 403
    api_client.force_authenticate(provider_user)
    first = api_client.post("/api/budget/usage/", body, format="json").json()
    assert (first["imported"], first["unmapped_accounts"]) == (1, ["ghost"])
    again = api_client.post("/api/budget/usage/", body, format="json").json()
    assert (again["imported"], again["duplicates_skipped"]) == (0, 1)
    bad = api_client.post(
        "/api/budget/usage/",
        {"provider": "cloud-x", "lines": [{**body["lines"][0], "job_id": "79", "gpu_type": "tpu"}]},
        format="json",
    )
    assert bad.status_code == 400 and "lines" in bad.json()
    api_client.force_authenticate(people["member_b"])
    assert api_client.get("/api/budget/usage/").json()["count"] == 0
    api_client.force_authenticate(people["member_a"])
    rows = api_client.get("/api/budget/usage/").json()["results"]
    assert [(r["job_id"], r["amount_krw"]) for r in rows] == [("77", -28_800)]


def test_requests_and_release_through_the_api(api_client, people, granted, team_a):
    api_client.force_authenticate(people["member_b"])
    assert (
        api_client.post(
            "/api/budget/requests/", {"envelope": granted.pk, "team": team_a.slug, "amount_krw": 10, "reason": "x"}
        ).status_code
        == 403
    )
    api_client.force_authenticate(people["member_a"])
    created = api_client.post(
        "/api/budget/requests/", {"envelope": granted.pk, "team": team_a.slug, "amount_krw": 10, "reason": "more"}
    )
    assert created.status_code == 201
    api_client.force_authenticate(people["admin"])
    refused = api_client.post(f"/api/budget/requests/{created.json()['id']}/refuse/", {"note": ""})
    assert refused.status_code == 400  # a refusal says why
    refused = api_client.post(f"/api/budget/requests/{created.json()['id']}/refuse/", {"note": "no money"})
    assert refused.json()["status"] == "refused"
    assert ReallocationRequest.objects.get().decided_by == people["admin"]
    team_change_status(actor=people["admin"], team=team_a, to=TeamStatus.ELIMINATED, reason="cut")
    released = api_client.post("/api/budget/allocations/release-unspent/", {"team": team_a.slug, "reason": "cut"})
    assert released.json() == {"released_krw": 10**9}


def test_rates_are_listed(api_client, catalogue):
    rows = api_client.get("/api/budget/rates/").json()["results"]
    assert {(r["gpu_type"], r["effective_from"], r["krw_per_gpu_hour"]) for r in rows} >= {("h100", "2025-10-01", 7200)}


def test_usage_filters_are_checked(api_client, people, granted):
    api_client.force_authenticate(people["admin"])
    assert api_client.get("/api/budget/usage/?team=abc").status_code == 400
    assert api_client.get("/api/budget/usage/?since=2025-13-01").status_code == 400
    assert api_client.get("/api/budget/usage/?since=2025-01-01&team=1").status_code == 200
