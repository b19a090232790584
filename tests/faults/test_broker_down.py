"""With the broker unreachable, submitting a checkpoint or a run still records it and answers;
the message is sent later by the beat task (run_resend_waiting, checkpoint_revalidate_stale)."""

import datetime

from django.utils import timezone

from evaluation.models import Checkpoint, CheckpointStatus, EvaluationRun, RunStatus
from evaluation.services import runs
from evaluation.services.checkpoints import checkpoint_revalidate_stale, checkpoint_submit, checkpoint_validate
from tests.evaluation.conftest import suite_version  # noqa: F401 (a fixture)
from tests.evaluation.test_checkpoint_files import make_checkpoint
from tests.support.brokers import broker_down


def test_submissions_while_the_broker_is_down_are_kept_and_sent_later(
    people, team_a, suite_version, settings, tmp_path, django_capture_on_commit_callbacks
):  # noqa: F811
    settings.CHECKPOINT_ROOT = tmp_path / "checkpoints"
    make_checkpoint(settings.CHECKPOINT_ROOT / team_a.slug / "v1")
    with broker_down():
        with django_capture_on_commit_callbacks(execute=True) as sent:
            checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1")
        assert len(sent) == 1 and Checkpoint.objects.get(pk=checkpoint.pk).status == CheckpointStatus.RECEIVED
        checkpoint = checkpoint_validate(checkpoint_id=checkpoint.pk)
        with django_capture_on_commit_callbacks(execute=True) as sent:
            run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version)
        assert len(sent) == 1 and EvaluationRun.objects.get(pk=run.pk).status == RunStatus.QUEUED

    later = timezone.now() - datetime.timedelta(hours=1)
    EvaluationRun.objects.filter(pk=run.pk).update(created_at=later)
    assert runs.run_resend_waiting() == [run.pk]
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        status=CheckpointStatus.RECEIVED, submitted_at=later, validation_heartbeat_at=None
    )
    assert checkpoint_revalidate_stale() == [checkpoint.pk]
