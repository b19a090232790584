"""core.idempotency: a key is written with the write it guards, a concurrent twin waits for it (or
gets 409), keys expire and are purged, and the schema documents the header where it is honoured."""

import datetime
import threading

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from core.idempotency import KeyInFlight, KeyReused, Replay, guard, purge_expired
from core.models import IdempotencyKey
from evaluation.models import Checkpoint
from tests.support.idempotency import race_api_posts

IDEMPOTENT_OPERATIONS = {
    "/api/budget/allocations/",
    "/api/budget/allocations/split/",
    "/api/budget/allocations/{id}/return/",
    "/api/budget/allocations/release-unspent/",
    "/api/budget/requests/",
    "/api/budget/requests/{id}/approve/",
    "/api/budget/requests/{id}/refuse/",
    "/api/budget/usage/",
    "/api/budget/imports/",
    "/api/data-purchases/",
    "/api/checkpoints/",
    "/api/runs/",
    "/api/stages/{slug}/nominations/",
    "/api/stages/{slug}/finalise/",
    "/api/stages/{slug}/official-runs/",
    "/api/arena/campaigns/{slug}/judge/",
    "/api/arena/campaigns/{slug}/close/",
    "/api/benchmark-data/",
    "/api/private-benchmarks/",
    "/api/private-benchmarks/{slug}/publish/",
    "/api/objections/",
    "/api/objections/{id}/answer/",
    "/api/conflicts/",
}


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkpoint_submissions_with_one_key_submit_once(people, team_a):
    events = AuditEvent.objects.count()
    body = {"team": team_a.slug, "name": "ko-7b-step-1000", "source": "ko-7b-step-1000"}
    answers = race_api_posts(people["member_a"], "/api/checkpoints/", body, key="submit-ko-7b-1000", n=50)
    assert len(answers) == 50 and {status for status, _ in answers} == {201}, answers
    assert len(set(answers)) == 1
    assert Checkpoint.objects.count() == 1
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="checkpoint.submit").count() == 1


def _record(user, key, *, body="first", fingerprint="f1", run=None):
    return guard(
        user=user,
        key=key,
        fingerprint=fingerprint,
        method="POST",
        path="/api/x/",
        run=run or (lambda: body),
        keep=lambda result: (201, result),
    )


def test_guard_runs_once_and_replays(people):
    calls = []
    assert _record(people["admin"], "k", run=lambda: calls.append(1) or "first") == "first"
    assert _record(people["admin"], "k", run=lambda: calls.append(1) or "second") == Replay(201, "first")
    assert calls == [1]
    with pytest.raises(KeyReused):
        _record(people["admin"], "k", fingerprint="f2")
    assert _record(people["member_a"], "k", body="theirs") == "theirs"  # keys are per user


def test_a_write_that_keeps_nothing_rolls_back_with_its_key(people, team_a):
    from consortium.models import Team

    def rename():
        Team.objects.filter(pk=team_a.pk).update(name_en="renamed")
        return "refused"

    guard(
        user=people["admin"], key="k", fingerprint="f", method="POST", path="/x/", run=rename, keep=lambda result: None
    )
    team_a.refresh_from_db()
    assert team_a.name_en == "Team A" and not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_twin_waits_for_the_first_then_gets_409_or_the_replay(people, settings):
    """While the first request under a key is still running, a second one waits on the key's row;
    past IDEMPOTENCY_WAIT_S it is answered 409 (nothing written), and once the first has committed
    it gets the first answer."""
    settings.IDEMPOTENCY_WAIT_S = 0.5
    admin = people["admin"]
    started, release, first = threading.Event(), threading.Event(), []

    def slow_first():
        def run():
            started.set()
            release.wait(10)
            return "first"

        try:
            first.append(_record(admin, "k", run=run))
        finally:
            connection.close()

    thread = threading.Thread(target=slow_first)
    thread.start()
    assert started.wait(10)
    ran = []
    with pytest.raises(KeyInFlight):
        _record(admin, "k", run=lambda: ran.append(1) or "second")
    release.set()
    thread.join()
    assert first == ["first"] and ran == []
    assert _record(admin, "k", run=lambda: ran.append(1) or "second") == Replay(201, "first") and ran == []


def test_a_409_answer_is_json(api_client, people, monkeypatch):
    import core.idempotency as idempotency

    api_client.force_authenticate(people["member_a"])

    def in_flight(**kwargs):
        raise KeyInFlight("k")

    monkeypatch.setattr(idempotency, "guard", in_flight)
    response = api_client.post(
        "/api/checkpoints/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409 and "still being processed" in response.json()["detail"]


def test_expired_keys_count_as_new_and_are_purged(people):
    admin = people["admin"]
    assert _record(admin, "old", body="a") == "a"
    assert _record(admin, "fresh", body="b") == "b"
    later = timezone.now() + datetime.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_S + 1)
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _record(admin, "old", body="again", fingerprint="other") == "again"  # expired: a new request
    assert IdempotencyKey.objects.get(key="fresh").expires_at <= later
    assert purge_expired() == 0
    assert purge_expired(now=later) == 2 and not IdempotencyKey.objects.exists()


def test_the_purge_is_a_beat_task():
    from config.celery_app import app

    app.loader.import_default_modules()
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.purge_idempotency_keys" in entries and "core.purge_idempotency_keys" in app.tasks
    assert settings.IDEMPOTENCY_KEY_TTL_S == 24 * 60 * 60


def test_the_schema_documents_the_header_and_its_answers_where_it_is_honoured(api_client, db):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    documented = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            header = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
            if header:
                assert method == "post" and header[0]["in"] == "header" and not header[0].get("required")
                assert {"409", "422"} <= set(operation["responses"]), path
                documented.add(path)
            else:
                assert "422" not in operation["responses"], path
    assert documented == IDEMPOTENT_OPERATIONS


def test_a_read_ignores_the_header(api_client, people, db):
    """/api/stages/<slug>/nominations/ reads with GET and nominates with POST: only the POST is guarded."""
    from stages.models import Stage

    api_client.force_authenticate(people["admin"])
    response = api_client.get("/api/stages/no-such-stage/nominations/", HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 404 and not Stage.objects.exists() and not IdempotencyKey.objects.exists()
