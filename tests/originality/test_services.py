"""Registering references, checking checkpoints, and the trigger from validation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from evaluation.models import CheckpointStatus
from originality.models import OriginalityReport, ReferenceModel, ReportStatus, TensorFingerprint, Verdict
from originality.services import originality_check, reference_register

pytestmark = pytest.mark.slow  # uses the session's real models


@pytest.fixture
def reference_a(people, family):
    return reference_register(actor=people["admin"], name="Ref-A", path=family["A"], family="Tiny")


def test_an_admin_registers_a_reference_as_fingerprints_only(people, family, reference_a):
    assert reference_a.tensor_count == TensorFingerprint.objects.filter(reference=reference_a).count() == 20
    assert reference_a.parameter_count > 0
    assert AuditEvent.objects.filter(action="originality.reference_register", target_id=str(reference_a.pk)).exists()


@pytest.mark.parametrize("role", ["member_a", "reviewer", "anonymous"])
def test_only_admins_register_references(people, family, role):
    with pytest.raises(PermissionDenied):
        reference_register(actor=people[role], name="Ref-A", path=family["A"])
    assert not ReferenceModel.objects.exists()


def test_bad_registrations_are_refused_and_write_nothing(people, family, reference_a, tmp_path):
    with pytest.raises(ValidationError, match="exists already"):
        reference_register(actor=people["admin"], name="Ref-A", path=family["B"])
    with pytest.raises(ValidationError, match="Folder not found"):
        reference_register(actor=people["admin"], name="Other", path=tmp_path / "nowhere")
    with pytest.raises(ValidationError, match="no .safetensors"):
        reference_register(actor=people["admin"], name="Other", path=tmp_path)
    assert ReferenceModel.objects.count() == 1


def test_a_check_stores_the_verdict_components_and_per_tensor_matches(reference_a, family, ready_checkpoint):
    checkpoint = ready_checkpoint(family["D"])
    report = originality_check(checkpoint_id=checkpoint.pk)
    assert report.status == ReportStatus.DONE and report.verdict == Verdict.COMPONENT_REUSE
    assert report.best_reference == reference_a
    assert [(c["prefix"], c["tensors"], c["reference"]) for c in report.components] == [
        ("model.embed_tokens.*", ["model.embed_tokens.weight"], "Ref-A")
    ]
    matched = [m for m in report.matches.all() if m.matched]
    assert [(m.tensor, m.reference_tensor, m.exact) for m in matched] == [
        ("model.embed_tokens.weight", "model.embed_tokens.weight", True)
    ]
    assert report.matches.count() == 15  # every weight matrix, with its best candidate
    assert report.evidence["similarity_threshold"] == 0.5 and report.evidence["matched_tensors"] == 1
    assert AuditEvent.objects.filter(action="originality.checked", target_id=str(report.pk)).exists()
    # The checkpoint's own fingerprints are kept: a second check reads no weights.
    assert TensorFingerprint.objects.filter(checkpoint=checkpoint).count() == 20


def test_checks_give_derived_and_original(reference_a, family, ready_checkpoint):
    derived = originality_check(checkpoint_id=ready_checkpoint(family["B"], "b").pk)
    original = originality_check(checkpoint_id=ready_checkpoint(family["C_sharded"], "c").pk)
    assert (derived.verdict, derived.matched_share) == (Verdict.DERIVED, pytest.approx(1.0))
    assert original.verdict == Verdict.ORIGINAL and original.components == []
    assert original.max_similarity < 0.5


def test_a_failed_check_ends_failed_with_a_reason(reference_a, ready_checkpoint, tmp_path):
    report = originality_check(checkpoint_id=ready_checkpoint(tmp_path / "vanished").pk)
    assert report.status == ReportStatus.FAILED
    assert "no .safetensors" in report.error


def test_only_ready_checkpoints_are_checked(reference_a, family, ready_checkpoint):
    checkpoint = ready_checkpoint(family["B"])
    checkpoint.status = CheckpointStatus.REJECTED
    checkpoint.save()
    assert originality_check(checkpoint_id=checkpoint.pk) is None


def test_registering_a_reference_rechecks_every_ready_checkpoint(
    people, family, ready_checkpoint, django_capture_on_commit_callbacks
):
    checkpoint = ready_checkpoint(family["B"])
    originality_check(checkpoint_id=checkpoint.pk)
    assert OriginalityReport.objects.get(checkpoint=checkpoint).verdict == Verdict.ORIGINAL  # no reference yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reference_register(actor=people["admin"], name="Ref-A", path=family["A"])
    assert callbacks  # the recheck was queued after the commit
    assert OriginalityReport.objects.get(checkpoint=checkpoint).status == ReportStatus.PENDING
    assert originality_check(checkpoint_id=checkpoint.pk).verdict == Verdict.DERIVED


def test_a_validated_checkpoint_asks_for_its_check_and_a_lost_request_is_sent_again(
    people, team_a, settings, tmp_path, family, django_capture_on_commit_callbacks
):
    """The evaluation app asks by task name (it sits below originality); the request marks the
    report pending. With the broker down the request is lost: the beat finds the ready checkpoint
    without a report and asks again."""
    import datetime
    import shutil

    from django.utils import timezone

    from evaluation.models import Checkpoint
    from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
    from originality.services import originality_resend_stale
    from originality.tasks import request_check
    from tests.support.brokers import broker_down

    settings.CHECKPOINT_ROOT = tmp_path / "checkpoints"
    shutil.copytree(family["C"], settings.CHECKPOINT_ROOT / team_a.slug / "c")
    checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name="c", source="c")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        checkpoint_validate(checkpoint_id=checkpoint.pk)
    assert not OriginalityReport.objects.filter(checkpoint=checkpoint).exists()  # the request was lost

    assert checkpoint.pk not in originality_resend_stale()  # just validated: the request may still arrive
    Checkpoint.objects.filter(pk=checkpoint.pk).update(validated_at=timezone.now() - datetime.timedelta(hours=1))
    assert originality_resend_stale() == [checkpoint.pk]
    assert OriginalityReport.objects.get(checkpoint=checkpoint).status == ReportStatus.PENDING

    OriginalityReport.objects.filter(checkpoint=checkpoint).delete()
    request_check(checkpoint.pk)  # what the sent message runs on a worker
    assert OriginalityReport.objects.get(checkpoint=checkpoint).status == ReportStatus.PENDING


def test_the_command_registers_as_an_admin(people, family):
    with pytest.raises(CommandError, match="not a programme admin"):
        call_command("register_reference", str(family["A"]), name="Ref-A", as_user="member-a")
    call_command("register_reference", str(family["A"]), name="Ref-A", family="Tiny", as_user="admin")
    assert ReferenceModel.objects.get().family == "Tiny"


def test_checks_left_pending_are_sent_again(ready_checkpoint, family):
    import datetime

    from django.utils import timezone

    from originality.services import originality_resend_stale

    fresh, stale = ready_checkpoint(family["C"], "fresh"), ready_checkpoint(family["C"], "stale")
    OriginalityReport.objects.create(checkpoint=fresh, requested_at=timezone.now())
    OriginalityReport.objects.create(checkpoint=stale, requested_at=timezone.now() - datetime.timedelta(hours=1))
    assert originality_resend_stale() == [stale.pk]
    assert OriginalityReport.objects.get(checkpoint=stale).requested_at > timezone.now() - datetime.timedelta(minutes=1)
