"""What blocks finalisation is one list: the stage page shows it, finalise refuses with it. A failed
official run is requested again by an admin with a reason; an originality verdict opens a gate item
that an admin decides with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from audit.models import AuditEvent
from evaluation.models import EvaluationRun, RunStatus
from originality import compare
from originality.dispatch import VERDICT_REACHED_TASK
from originality.models import OriginalityReport, ReportStatus
from originality.services import _store_result
from stages.blockers import BlockerKind, stage_blockers
from stages.models import GateStatus, Nomination, OriginalityGateItem, StageResult
from stages.services.gate import gate_item_decide, gate_items_open
from stages.services.nominations import nomination_submit
from stages.services.official_runs import official_run_rerequest
from stages.services.stages import stage_finalise
from stages.tasks import open_originality_gate
from tests.support.results_builder import make_checkpoint


def _client(user):
    client = APIClient()
    client.force_login(user)
    client.cookies["django_language"] = "en"  # the messages are compared in English
    return client


def _fail_run(stage, team, status=RunStatus.FAILED) -> Nomination:
    nomination = Nomination.objects.select_related("official_run").get(stage=stage, team=team)
    run = nomination.official_run
    run.status, run.error = status, "worker lost"
    run.save()
    run.task_results.all().delete()
    return nomination


def _verdict(checkpoint, verdict="derived") -> OriginalityReport:
    """A verdict as the originality worker stores it (its comparison is tested in tests/originality)."""
    result = compare.Verdict(
        verdict=verdict,
        matched_share=0.9,
        best_reference=None,
        max_similarity=0.99,
        informative_parameters=1000,
        matches=[],
    )
    return _store_result(checkpoint, result, {}, threshold=0.95, derived_share=0.5)


def test_finalise_refuses_with_exactly_the_list_the_page_shows(official_results, people, team_a, team_b, team_c):
    stage = official_results
    _fail_run(stage, team_a)
    _fail_run(stage, team_b, status=RunStatus.RUNNING)
    _verdict(Nomination.objects.get(stage=stage, team=team_c).checkpoint)
    blockers = stage_blockers(stage)
    assert [(b.kind, b.team) for b in blockers] == [
        (BlockerKind.RUN_FAILED, team_a.pk),
        (BlockerKind.RUN_WAITING, team_b.pk),
        (BlockerKind.ORIGINALITY, team_c.pk),
    ]
    with pytest.raises(ValidationError) as refused:
        stage_finalise(actor=people["admin"], stage=stage)
    assert refused.value.messages[1:] == [b.message for b in blockers]
    page = _client(people["admin"]).get(f"/stages/{stage.slug}/").content.decode()
    assert all(escape(b.message) in page for b in blockers)
    api = _client(people["admin"]).get(f"/api/stages/{stage.slug}/blockers/").json()
    assert [b["message"] for b in api["blockers"]] == [b.message for b in blockers]
    assert _client(people["reviewer"]).get(f"/api/stages/{stage.slug}/blockers/").status_code == 403
    assert "What blocks finalisation" not in _client(people["reviewer"]).get(f"/stages/{stage.slug}/").content.decode()


def test_blockers_take_a_fixed_number_of_queries(
    official_results, team_a, team_b, team_c, django_assert_max_num_queries
):
    for team in (team_a, team_b, team_c):
        _verdict(Nomination.objects.get(stage=official_results, team=team).checkpoint, "component_reuse")
    with django_assert_max_num_queries(4):
        assert len(stage_blockers(official_results)) == 3


def test_a_failed_official_run_is_requested_again_with_a_reason(
    official_results, people, team_a, django_capture_on_commit_callbacks
):
    stage = official_results
    nomination = _fail_run(stage, team_a)
    failed = nomination.official_run
    for who in ("member_a", "reviewer"):  # member_a leads team A: not enough
        with pytest.raises(PermissionDenied):
            official_run_rerequest(actor=people[who], stage=stage, nomination=nomination, reason="retry")
    with pytest.raises(ValidationError, match="why"):
        official_run_rerequest(actor=people["admin"], stage=stage, nomination=nomination, reason="  ")
    with django_capture_on_commit_callbacks() as sent:
        again = official_run_rerequest(
            actor=people["admin"], stage=stage, nomination=nomination, reason="The GPU node was rebooted."
        )
    assert len(sent) == 1  # the new run goes to a worker, after commit
    run = EvaluationRun.objects.get(pk=again.official_run_id)
    assert run.pk != failed.pk and run.status == RunStatus.QUEUED and not run.counts_against_quota
    event = AuditEvent.objects.get(action="stage.official_run_rerequest")
    assert event.actor == people["admin"] and event.before["run"] == failed.pk
    assert event.after["run"] == run.pk and event.after["reason"] == "The GPU node was rebooted."
    assert [b.kind for b in stage_blockers(stage)] == [BlockerKind.RUN_WAITING]
    with pytest.raises(ValidationError, match="failed or was cancelled"):  # a queued run is not requested twice
        official_run_rerequest(actor=people["admin"], stage=stage, nomination=again, reason="again")


def test_a_cancelled_run_too_and_only_a_failed_one(official_results, people, team_a, team_b):
    with pytest.raises(ValidationError, match="failed or was cancelled"):
        official_run_rerequest(
            actor=people["admin"],
            stage=official_results,
            nomination=Nomination.objects.get(stage=official_results, team=team_b),
            reason="x",
        )
    nomination = _fail_run(official_results, team_a, status=RunStatus.CANCELLED)
    again = official_run_rerequest(actor=people["admin"], stage=official_results, nomination=nomination, reason="x")
    assert again.official_run_id != nomination.official_run_id


def test_the_page_and_api_request_a_failed_run_again(official_results, people, team_a):
    stage = official_results
    nomination = _fail_run(stage, team_a)
    page = _client(people["admin"]).get(f"/stages/{stage.slug}/").content.decode()
    assert "Request the official run again" in page
    response = _client(people["admin"]).post(
        f"/stages/{stage.slug}/official-run/", {"team": team_a.pk, "reason": "Node rebooted."}
    )
    assert response.status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).official_run_id != nomination.official_run_id
    _fail_run(stage, team_a)
    assert (
        _client(people["reviewer"])
        .post(f"/api/stages/{stage.slug}/official-runs/", {"team": team_a.slug, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        _client(people["admin"])
        .post(f"/api/stages/{stage.slug}/official-runs/", {"team": team_a.slug, "reason": ""}, format="json")
        .status_code
        == 400
    )
    ok = _client(people["admin"]).post(
        f"/api/stages/{stage.slug}/official-runs/", {"team": team_a.slug, "reason": "Again."}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["official_run"] != nomination.official_run_id


def test_a_verdict_on_a_nominated_checkpoint_opens_a_gate_item(
    stage, people, team_a, django_capture_on_commit_callbacks
):
    from config.celery_app import app

    app.loader.import_default_modules()
    assert VERDICT_REACHED_TASK in app.tasks  # the name the originality app sends is handled by stages
    checkpoint = make_checkpoint(team_a)
    nomination_submit(actor=people["member_a"], stage=stage, checkpoint=checkpoint)
    assert not OriginalityGateItem.objects.exists()
    with django_capture_on_commit_callbacks() as sent:
        report = _verdict(checkpoint)
    assert len(sent) == 1  # the verdict is announced after commit
    assert open_originality_gate(checkpoint.pk) == 1  # what the stages worker does with it
    item = OriginalityGateItem.objects.get()
    assert (item.stage, item.report, item.verdict, item.status) == (stage, report, "derived", GateStatus.OPEN)
    assert open_originality_gate(checkpoint.pk) == 0  # a redelivered message opens nothing more
    assert AuditEvent.objects.filter(action="stage.gate_open").count() == 1


def test_an_original_verdict_opens_nothing_and_a_nomination_of_a_flagged_checkpoint_opens_at_once(
    stage, people, team_a
):
    original, flagged = make_checkpoint(team_a), make_checkpoint(team_a)
    _verdict(original, "original")
    _verdict(flagged, "component_reuse")
    nomination_submit(actor=people["member_a"], stage=stage, checkpoint=original)
    assert gate_items_open(checkpoint_id=original.pk) == [] and not OriginalityGateItem.objects.exists()
    nomination_submit(actor=people["member_a"], stage=stage, checkpoint=flagged)
    assert OriginalityGateItem.objects.get().verdict == "component_reuse"
    nomination_submit(actor=people["member_a"], stage=stage, checkpoint=original)  # the flagged one withdrawn
    assert not OriginalityGateItem.objects.exists()


def test_the_gate_is_decided_with_a_reason_before_finalising(official_results, people, team_a, team_c):
    stage = official_results
    nomination = Nomination.objects.get(stage=stage, team=team_c)
    _verdict(nomination.checkpoint)
    with pytest.raises(ValidationError, match="finalised yet"):
        stage_finalise(actor=people["admin"], stage=stage)
    with pytest.raises(PermissionDenied):
        gate_item_decide(actor=people["reviewer"], stage=stage, nomination=nomination, decision="cleared", reason="ok")
    with pytest.raises(ValidationError):
        gate_item_decide(actor=people["admin"], stage=stage, nomination=nomination, decision="cleared", reason=" ")
    item = gate_item_decide(
        actor=people["admin"],
        stage=stage,
        nomination=nomination,
        decision="excluded",
        reason="Derived from Qwen without disclosure.",
    )
    assert (item.status, item.decided_by) == (GateStatus.EXCLUDED, people["admin"])
    assert stage.entries.get(team=team_c).excluded_reason == "Derived from Qwen without disclosure."
    with pytest.raises(ValidationError, match="already decided"):
        gate_item_decide(actor=people["admin"], stage=stage, nomination=nomination, decision="cleared", reason="x")
    assert AuditEvent.objects.filter(action="stage.gate_decide", actor=people["admin"]).count() == 1
    assert stage_blockers(stage) == []
    result = stage_finalise(actor=people["admin"], stage=stage)
    assert {r["slug"]: r["advances"] for r in result.outcome["rows"]}["team-c"] is False
    assert StageResult.objects.filter(stage=stage).exists()


def test_a_new_verdict_after_a_decision_needs_a_new_decision(official_results, people, team_a):
    stage = official_results
    nomination = Nomination.objects.get(stage=stage, team=team_a)
    _verdict(nomination.checkpoint, "component_reuse")
    gate_item_decide(
        actor=people["admin"],
        stage=stage,
        nomination=nomination,
        decision="cleared",
        reason="Only the tokenizer's embeddings, disclosed.",
    )
    assert stage_blockers(stage) == []
    report = _verdict(nomination.checkpoint, "derived")  # a re-check against a new reference
    assert [b.kind for b in stage_blockers(stage)] == [BlockerKind.ORIGINALITY]
    response = _client(people["admin"]).post(
        f"/api/stages/{stage.slug}/originality-gate/",
        {"team": team_a.slug, "decision": "cleared", "reason": "Licence allows derivation; declared."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["blockers"] == []
    assert OriginalityGateItem.objects.filter(nomination=nomination, report=report).count() == 2
    assert timezone.now() >= OriginalityGateItem.objects.get(verdict="derived").decided_at


def test_the_gate_is_decided_on_the_page(official_results, people, team_b):
    stage = official_results
    _verdict(Nomination.objects.get(stage=stage, team=team_b).checkpoint)
    page = _client(people["admin"]).get(f"/stages/{stage.slug}/").content.decode()
    assert 'action="/stages/stage-1/originality-gate/"' in page
    response = _client(people["admin"]).post(
        f"/stages/{stage.slug}/originality-gate/",
        {"team": team_b.pk, "decision": "cleared", "reason": "Reviewed the evidence."},
        follow=True,
    )
    assert 'gate-status">derived · Cleared: the team may advance</span>' in response.content.decode()
    assert OriginalityGateItem.objects.get().status == GateStatus.CLEARED
    assert ReportStatus.DONE == OriginalityReport.objects.get().status


def test_the_admins_stage_page_costs_the_same_queries_with_more_gate_items(
    official_results, people, team_a, team_b, team_c
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(people["admin"])
    stage = official_results

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/stages/{stage.slug}/").status_code == 200
        return len(queries)

    _verdict(Nomination.objects.get(stage=stage, team=team_a).checkpoint)
    gate_items_open(checkpoint_id=Nomination.objects.get(stage=stage, team=team_a).checkpoint_id)
    one = cost()
    for team in (team_b, team_c):
        checkpoint = Nomination.objects.get(stage=stage, team=team).checkpoint
        _verdict(checkpoint, "component_reuse")
        gate_items_open(checkpoint_id=checkpoint.pk)
    assert cost() == one  # blockers and gate items: fixed queries, whatever their number
