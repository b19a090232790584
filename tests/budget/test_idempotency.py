"""Idempotency keys on the budget's money moves (core.idempotency): a retried grant moves the money
once, whether the retries arrive together or later, through the API or an HTML form."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from budget.models import EntryKind, LedgerEntry, ReallocationRequest
from budget.services.nodes import pool_balance
from core.models import IdempotencyKey
from tests.support.idempotency import race_api_posts, race_form_posts

from .conftest import BILLION

GRANT = "/api/budget/allocations/"


def _grant_body(envelope, team, amount=10**8):
    return {"envelope": envelope.pk, "team": team.slug, "amount_krw": amount, "reason": "retry storm"}


def _allocations():
    return LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE, amount_krw__gt=0)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_grants_with_one_key_move_the_money_once(people, envelope, team_a):
    events = AuditEvent.objects.count()
    answers = race_api_posts(people["admin"], GRANT, _grant_body(envelope, team_a), key="grant-7f3a", n=50)
    assert len(answers) == 50 and {status for status, _ in answers} == {201}, answers
    assert len(set(answers)) == 1  # 50 identical answers: status and body
    assert _allocations().count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE).values("movement").distinct().count() == 1
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="budget.allocation.grant").count() == 1
    assert pool_balance(envelope) == 100 * BILLION - 10**8


def test_a_later_retry_replays_the_first_answer_and_writes_nothing(api_client, people, envelope, team_a):
    api_client.force_authenticate(people["admin"])
    first = api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    events = AuditEvent.objects.count()
    again = api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, first.content) == (again.status_code, again.content) == (201, first.content)
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert _allocations().count() == 1 and AuditEvent.objects.count() == events
    # Another key is another request; so is the same key for another user.
    assert (
        api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code
        == 201
    )
    assert _allocations().count() == 2


def test_the_same_key_with_another_body_is_a_422_that_writes_nothing(api_client, people, envelope, team_a):
    api_client.force_authenticate(people["admin"])
    assert (
        api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code
        == 201
    )
    events = AuditEvent.objects.count()
    changed = api_client.post(
        GRANT,
        _grant_body(envelope, team_a, amount=2 * 10**8),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert changed.status_code == 422 and changed["Content-Type"] == "application/json"
    assert "already used for a different request" in changed.json()["detail"]
    elsewhere = api_client.post("/api/budget/allocations/split/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert "다른 요청" in elsewhere.json()["detail"]  # Korean unless asked otherwise
    assert elsewhere.status_code == 422 and GRANT in elsewhere.json()["detail"]
    assert _allocations().count() == 1 and AuditEvent.objects.count() == events


def test_the_same_json_in_another_key_order_is_the_same_request(api_client, people, envelope, team_a):
    api_client.force_authenticate(people["admin"])
    body = _grant_body(envelope, team_a)
    assert api_client.post(GRANT, body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    again = api_client.post(GRANT, dict(reversed(list(body.items()))), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert _allocations().count() == 1


def test_a_failed_write_keeps_no_key_so_the_corrected_retry_goes_through(api_client, people, envelope, team_a):
    api_client.force_authenticate(people["admin"])
    too_much = api_client.post(
        GRANT, _grant_body(envelope, team_a, amount=1000 * BILLION), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert too_much.status_code == 400 and not IdempotencyKey.objects.exists()
    fixed = api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert fixed.status_code == 201 and _allocations().count() == 1


def test_keys_belong_to_their_user(api_client, people, envelope, team_a):
    api_client.force_authenticate(people["member_a"])
    refused = api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert refused.status_code == 403
    api_client.force_authenticate(people["admin"])
    assert (
        api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code
        == 201
    )


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_a_malformed_key_is_a_400_that_writes_nothing(api_client, people, envelope, team_a, key):
    api_client.force_authenticate(people["admin"])
    response = api_client.post(GRANT, _grant_body(envelope, team_a), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not _allocations().exists()


def test_reallocation_decisions_replay(api_client, people, envelope, team_a):
    from budget.services.allocations import allocation_grant

    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="x")
    api_client.force_authenticate(people["member_a"])
    body = {"envelope": envelope.pk, "team": team_a.slug, "amount_krw": 10**8, "reason": "more"}
    asked = [
        api_client.post("/api/budget/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="ask") for _ in range(3)
    ]
    assert {r.status_code for r in asked} == {201} and ReallocationRequest.objects.count() == 1
    pk = asked[0].json()["id"]
    api_client.force_authenticate(people["admin"])
    moved = _allocations().count()
    approved = [
        api_client.post(
            f"/api/budget/requests/{pk}/approve/", {"note": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY="decide"
        )
        for _ in range(3)
    ]
    assert {r.status_code for r in approved} == {200} and len({r.content for r in approved}) == 1
    assert _allocations().count() == moved + 1


# --- HTML forms: a hidden one-time token -------------------------------------------------------


def _token(page) -> str:
    return re.search(r'name="once_token" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def test_a_double_submitted_grant_form_moves_the_money_once(client, people, envelope, team_a):
    client.force_login(people["admin"])
    url = reverse("budget-allocation-grant")
    form = {"team": team_a.pk, "amount_krw": 3 * BILLION, "reason": "q1", "once_token": _token(client.get(url))}
    first, second = client.post(url, form), client.post(url, form, follow=True)
    assert first.status_code == 302 and second.redirect_chain[-1][0] == reverse("budget-dashboard")
    with translation.override("ko"):  # the pages speak Korean first
        said = gettext("This form was already sent; it was done once.")
    assert said != "This form was already sent; it was done once." and said in second.content.decode()
    assert _allocations().count() == 1 and pool_balance(envelope) == 97 * BILLION
    # The same token with changed figures (the back button) is refused on the form, and moves nothing.
    changed = client.post(url, {**form, "amount_krw": BILLION})
    with translation.override("ko"):
        refused = gettext("This form was already sent. Reload the page to send it again.")
    assert changed.status_code == 200 and refused in changed.content.decode() and _allocations().count() == 1
    # A fresh page gives a fresh token.
    assert client.post(url, {**form, "once_token": _token(client.get(url))}).status_code == 302
    assert _allocations().count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_form_clicked_ten_times_at_once_moves_the_money_once(people, envelope, team_a):
    from django.test import Client

    client = Client()
    client.force_login(people["admin"])
    url = reverse("budget-allocation-grant")
    form = {"team": team_a.pk, "amount_krw": 3 * BILLION, "reason": "q1", "once_token": _token(client.get(url))}
    statuses = race_form_posts(people["admin"], url, form, n=10)
    assert statuses == [302] * 10, statuses
    assert _allocations().count() == 1 and pool_balance(envelope) == 97 * BILLION
    assert AuditEvent.objects.filter(action="budget.allocation.grant").count() == 1


def test_double_submitted_split_request_and_decision_forms_act_once(client, people, envelope, team_a, extra_member):
    from budget.services.allocations import allocation_grant

    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="x")
    member = extra_member(team_a).organisation
    client.force_login(people["member_a"])
    url = reverse("budget-team", kwargs={"slug": team_a.slug})
    token = _token(client.get(url))
    split = {"split-organisation": member.pk, "split-amount_krw": 10**8, "split-reason": "x", "once_token": token}
    assert [client.post(url, split).status_code for _ in range(2)] == [302, 302]
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE, allocation__organisation=member).count() == 1
    ask = {"request-amount_krw": 10**8, "request-reason": "more", "once_token": _token(client.get(url))}
    assert [client.post(url, ask).status_code for _ in range(2)] == [302, 302]
    assert ReallocationRequest.objects.count() == 1
    client.force_login(people["admin"])
    decide = reverse("budget-request-decide", kwargs={"pk": ReallocationRequest.objects.get().pk})
    token = _token(client.get(reverse("budget-dashboard")))
    moved = _allocations().count()
    for _ in range(2):
        client.post(decide, {"decision": "approve", "note": "ok", "once_token": token})
    assert _allocations().count() == moved + 1
    assert ReallocationRequest.objects.get().status == "approved"


def test_returns_and_releases_replay(api_client, people, envelope, team_a):
    from budget.services.allocations import allocation_grant
    from consortium.models import TeamStatus
    from consortium.services import team_change_status

    node = allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="x")
    api_client.force_authenticate(people["admin"])
    returned = [
        api_client.post(
            f"/api/budget/allocations/{node.pk}/return/",
            {"amount_krw": 10**8, "reason": "r"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="give-back",
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in returned] == [200] * 3
    assert LedgerEntry.objects.filter(kind=EntryKind.RELEASE, amount_krw__gt=0).count() == 1
    team_change_status(actor=people["admin"], team=team_a, to=TeamStatus.ELIMINATED, reason="cut")
    released = [
        api_client.post(
            "/api/budget/allocations/release-unspent/",
            {"team": team_a.slug, "reason": "cut"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="release",
        )
        for _ in range(3)
    ]
    assert [r.json() for r in released] == [{"released_krw": 9 * 10**8}] * 3  # not 9e8, then 0, then 0
    assert pool_balance(envelope) == 100 * BILLION


def test_an_uploaded_usage_file_is_imported_once_per_key(api_client, people, catalogue, tmp_path, settings):
    from budget.models import UsageImport

    settings.BUDGET_IMPORT_DIR = tmp_path
    api_client.force_authenticate(people["admin"])

    def upload(text, key="sacct-2025-09"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return api_client.post(
            "/api/budget/imports/",
            {"provider": "cloud-x", "file": SimpleUploadedFile("sacct.txt", text.encode())},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    first, again = upload("JobID|...\n1|x\n"), upload("JobID|...\n1|x\n")
    assert first.status_code == again.status_code == 202 and first.content == again.content
    assert UsageImport.objects.count() == 1
    assert upload("JobID|...\n2|y\n").status_code == 422  # the same key for another file
    assert UsageImport.objects.count() == 1
