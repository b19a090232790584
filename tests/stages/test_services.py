"""Stage services against PostgreSQL: rubric, nominations, scores, the gate, finalising."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from consortium.models import TeamStatus
from evaluation.checkpoint_files import build_manifest
from evaluation.models import CheckpointStatus
from stages.inputs import stage_inputs
from stages.models import (
    ExpertScore,
    Nomination,
    NominationStatus,
    RubricPart,
    Stage,
    StageResult,
    StageStatus,
    UserScore,
)
from stages.scoring import compute_outcome
from stages.services.nominations import nomination_submit, nomination_verify, nominations_freeze
from stages.services.scores import expert_scores_save, user_scores_import
from stages.services.stages import stage_finalise, team_exclude
from tests.support.results_builder import make_checkpoint


def test_default_rubric_is_100_points_40_35_25(stage):
    tops = {p.key: p.points for p in RubricPart.objects.filter(stage=stage, parent=None)}
    assert tops == {"benchmarks": 40, "expert": 35, "user": 25}
    children = {p.key: p.points for p in RubricPart.objects.filter(stage=stage, parent__key="benchmarks")}
    assert children == {"nia": 10, "global_common": 20, "team_chosen": 10}


def test_a_rubric_whose_parts_do_not_add_up_is_refused(people, suite_version, team_a, team_b):
    from stages.services.stages import stage_create
    from tests.support.factories import ProgrammeFactory

    bad = [
        ("benchmarks", None, "group", "", 40, "b", "b", []),
        ("nia", "benchmarks", "benchmark", "nia", 30, "n", "n", []),
    ]
    with pytest.raises(ValidationError, match="add up"):
        stage_create(
            actor=people["admin"],
            programme=ProgrammeFactory(),
            slug="bad",
            name_ko="x",
            name_en="x",
            advancing_count=1,
            suite_version=suite_version,
            teams=[team_a, team_b],
            nomination_deadline=timezone.now(),
            rubric=bad,
        )
    assert not Stage.objects.filter(slug="bad").exists()


def test_only_the_team_lead_nominates_a_ready_checkpoint_before_the_deadline(stage, people, team_a):
    checkpoint = make_checkpoint(team_a)
    with pytest.raises(PermissionDenied):
        nomination_submit(actor=people["member_b"], stage=stage, checkpoint=checkpoint)
    with pytest.raises(PermissionDenied):
        nomination_submit(actor=people["admin"], stage=stage, checkpoint=checkpoint)
    nomination = nomination_submit(actor=people["member_a"], stage=stage, checkpoint=checkpoint)
    assert nomination.manifest_digest == checkpoint.manifest_digest
    other = make_checkpoint(team_a)
    assert nomination_submit(actor=people["member_a"], stage=stage, checkpoint=other).pk == nomination.pk  # replaced
    assert Nomination.objects.filter(stage=stage).count() == 1
    pending = make_checkpoint(team_a)
    pending.status = CheckpointStatus.VALIDATING
    pending.save()
    with pytest.raises(ValidationError, match="ready"):
        nomination_submit(actor=people["member_a"], stage=stage, checkpoint=pending)
    Stage.objects.filter(pk=stage.pk).update(nomination_deadline=timezone.now() - datetime.timedelta(seconds=1))
    stage.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        nomination_submit(actor=people["member_a"], stage=stage, checkpoint=other)


def _checkpoint_with_files(settings, tmp_path, team, name="nominee"):
    settings.CHECKPOINT_ROOT = tmp_path
    folder = tmp_path / team.slug / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}')
    (folder / "model.safetensors").write_bytes(b"weights-v1")
    _manifest, digest, _size = build_manifest(folder, team_root=tmp_path / team.slug)
    checkpoint = make_checkpoint(team, digest=digest)
    checkpoint.source = name
    checkpoint.save()
    return checkpoint, folder


def test_freeze_then_a_changed_manifest_is_rejected(
    stage, people, team_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    checkpoint, folder = _checkpoint_with_files(settings, tmp_path, team_a)
    nomination = nomination_submit(actor=people["member_a"], stage=stage, checkpoint=checkpoint)
    (folder / "model.safetensors").write_bytes(b"weights-v2")  # swapped after nomination
    with pytest.raises(PermissionDenied):
        nominations_freeze(actor=people["member_a"], stage=stage)
    with django_capture_on_commit_callbacks() as callbacks:
        assert nominations_freeze(actor=people["admin"], stage=stage) == [nomination.pk]
    assert len(callbacks) == 1  # the verification is queued for a worker
    nomination = nomination_verify(nomination_id=nomination.pk)
    assert nomination.status == NominationStatus.REJECTED
    assert "changed after nomination" in nomination.rejection_reason
    assert nomination.official_run is None


def test_an_unchanged_nomination_gets_its_official_run(stage, people, team_a, settings, tmp_path):
    checkpoint, _folder = _checkpoint_with_files(settings, tmp_path, team_a)
    nomination = nomination_submit(actor=people["member_a"], stage=stage, checkpoint=checkpoint)
    nominations_freeze(actor=people["admin"], stage=stage)
    nomination = nomination_verify(nomination_id=nomination.pk)
    assert nomination.status == NominationStatus.ACCEPTED
    run = nomination.official_run
    assert run.suite_version_id == stage.suite_version_id and not run.counts_against_quota
    assert nomination_verify(nomination_id=nomination.pk).official_run_id == run.pk  # redelivery: no second run


def test_expert_scores_final_once_submitted(official_results, people, team_a, team_b, team_c):
    stage = official_results
    scores = {(t.pk, c): 8 for t in (team_a, team_b) for c in ("technology", "report", "sovereignty")}
    expert_scores_save(actor=people["reviewer"], stage=stage, scores=scores)
    with pytest.raises(ValidationError, match="every team"):
        expert_scores_save(actor=people["reviewer"], stage=stage, scores={}, submit=True)
    with pytest.raises(ValidationError):
        expert_scores_save(actor=people["reviewer"], stage=stage, scores={(team_c.pk, "technology"): 11})  # max 10
    with pytest.raises(PermissionDenied):
        expert_scores_save(actor=people["admin"], stage=stage, scores=scores)
    rest = {(team_c.pk, c): 7 for c in ("technology", "report", "sovereignty")}
    expert_scores_save(actor=people["reviewer"], stage=stage, scores=rest, submit=True)
    with pytest.raises(ValidationError, match="final"):
        expert_scores_save(actor=people["reviewer"], stage=stage, scores=rest)
    assert ExpertScore.objects.filter(stage=stage).count() == 9


def test_user_scores_csv_all_or_nothing(official_results, people):
    stage = official_results
    bad = (
        "evaluator,team,criterion,score\n"
        "u1,team-a,usefulness,4\n"
        "u1,team-z,usefulness,4\n"  # unknown team
        "u2,team-a,accuracy,9\n"  # above the maximum (5)
        "u1,team-a,usefulness,3\n"
    )  # duplicate
    with pytest.raises(ValidationError) as error:
        user_scores_import(actor=people["admin"], stage=stage, text=bad)
    messages = error.value.message_dict["file"]
    assert [m.split(":")[0] for m in messages] == ["line 3", "line 4", "line 5"]
    assert UserScore.objects.count() == 0
    good = "evaluator,team,criterion,score\nu1,team-a,usefulness,4\nu2,team-a,usefulness,5\n"
    assert user_scores_import(actor=people["admin"], stage=stage, text=good) == 2
    with pytest.raises(ValidationError, match="already exists"):
        user_scores_import(actor=people["admin"], stage=stage, text=good)
    with pytest.raises(PermissionDenied):
        user_scores_import(actor=people["reviewer"], stage=stage, text=good)


def test_the_originality_gate_needs_a_reason_and_is_audited(official_results, people, team_a):
    stage = official_results
    with pytest.raises(ValidationError, match="reason"):
        team_exclude(actor=people["admin"], stage=stage, team=team_a, reason="  ")
    with pytest.raises(PermissionDenied):
        team_exclude(actor=people["reviewer"], stage=stage, team=team_a, reason="x")
    team_exclude(actor=people["admin"], stage=stage, team=team_a, reason="Foreign vision encoder weights reused.")
    event = AuditEvent.objects.filter(action="stage.exclude").get()
    assert event.after["excluded_reason"] == "Foreign vision encoder weights reused."
    outcome = compute_outcome(stage_inputs(stage))
    rows = {r["slug"]: r for r in outcome["rows"]}
    assert rows["team-a"]["rank"] == 1 and not rows["team-a"]["advances"]
    assert rows["team-b"]["advances"] and rows["team-c"]["advances"]


def test_finalise_freezes_everything_and_recomputes_identically(official_results, people, team_a, team_b, team_c):
    stage = official_results
    for reviewer_scores in ({team_a: 9, team_b: 6, team_c: 5},):
        expert_scores_save(
            actor=people["reviewer"],
            stage=stage,
            submit=True,
            scores={(t.pk, c): s for t, s in reviewer_scores.items() for c in ("technology", "report", "sovereignty")},
        )
    result = stage_finalise(actor=people["admin"], stage=stage)
    stage.refresh_from_db()
    assert stage.status == StageStatus.FINALISED
    advancing = [r["slug"] for r in result.outcome["rows"] if r["advances"]]
    assert advancing == ["team-a", "team-b"]
    team_c.refresh_from_db()
    assert team_c.status == TeamStatus.ELIMINATED
    assert compute_outcome(result.inputs) == result.outcome  # reproducible from the stored inputs
    assert (
        result.inputs_digest
        == hashlib.sha256(
            __import__("json").dumps(result.inputs, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
    )
    assert AuditEvent.objects.filter(action="stage.finalise").exists()
    # Nothing changes afterwards: services refuse, and the database refuses too.
    with pytest.raises(ValidationError, match="finalised"):
        team_exclude(actor=people["admin"], stage=stage, team=team_a, reason="late")
    with pytest.raises(ValidationError, match="finalised"):
        stage_finalise(actor=people["admin"], stage=stage)
    with pytest.raises(DatabaseError), transaction.atomic():
        Stage.objects.filter(pk=stage.pk).update(advancing_count=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        StageResult.objects.filter(pk=result.pk).update(outcome={})
    with pytest.raises(DatabaseError), transaction.atomic():
        StageResult.objects.filter(pk=result.pk).delete()


def test_finalise_waits_for_the_official_runs(stage, people):
    with pytest.raises(ValidationError, match="frozen"):
        stage_finalise(actor=people["admin"], stage=stage)


def test_finalising_applies_the_data_licences_to_eliminated_teams(official_results, people, team_c):
    """An eliminated team loses entitlements whose licence ends access on termination, keeps the others."""
    import datetime as dt
    from decimal import Decimal

    from datasets_registry import services as data
    from datasets_registry.models import Entitlement
    from tests.datasets_registry.conftest import licence_terms

    provider = data.provider_create(actor=None, slug="kbs", name_ko="KBS", name_en="KBS", kind="public_body")
    datasets = []
    for term in ("end_access", "retain"):
        licence = data.licence_create(actor=None, slug=f"l-{term}", **licence_terms(post_termination=term))
        datasets.append(
            data.dataset_create(
                actor=None,
                slug=f"d-{term}",
                provider=provider,
                licence=licence,
                name_ko=term,
                name_en=term,
                modality="video",
                size_records=1,
                description=term,
            )
        )
    today = dt.date.today()
    data.purchase_create(
        actor=None,
        kind="individual",
        title="방송",
        provider=provider,
        intermediary=None,
        datasets=datasets,
        contract_number="C-1",
        contract_date=today - dt.timedelta(days=30),
        price_krw=1_000,
        vat_krw=100,
        access_from=today - dt.timedelta(days=30),
        access_until=today + dt.timedelta(days=365),
        shares=[{"team": team_c, "percent": Decimal(100)}],
    )
    stage_finalise(actor=people["admin"], stage=official_results)
    held = {e.dataset.slug: e.revoked_on for e in Entitlement.objects.filter(team=team_c).select_related("dataset")}
    assert held["d-end_access"] is not None and held["d-retain"] is None
