"""Freezing a stage while the broker is down still freezes it; the nominations' verifications are
sent again by the beat, at most once per interval, and a second message changes nothing."""

import datetime

from django.utils import timezone

from stages.models import Nomination, NominationStatus, Stage, StageStatus
from stages.services.nominations import (
    nomination_submit,
    nomination_verify,
    nominations_freeze,
    nominations_resend_unverified,
)
from tests.support.brokers import broker_down

from .test_services import _checkpoint_with_files


def test_a_freeze_while_the_broker_is_down_stands_and_its_verifications_are_resent(
    stage, people, team_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    checkpoint, _folder = _checkpoint_with_files(settings, tmp_path, team_a)
    nomination = nomination_submit(actor=people["member_a"], stage=stage, checkpoint=checkpoint)
    with broker_down(), django_capture_on_commit_callbacks(execute=True) as sent:
        assert nominations_freeze(actor=people["admin"], stage=stage) == [nomination.pk]
    assert len(sent) == 1 and Stage.objects.get(pk=stage.pk).status == StageStatus.SCORING

    assert nominations_resend_unverified() == []  # sent just now: it may still arrive
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Nomination.objects.filter(pk=nomination.pk).update(verification_sent_at=an_hour_ago)
    with django_capture_on_commit_callbacks() as sent:
        assert nominations_resend_unverified() == [nomination.pk]
    assert len(sent) == 1
    assert nominations_resend_unverified() == []  # once per interval, not on every beat

    accepted = nomination_verify(nomination_id=nomination.pk)
    assert accepted.status == NominationStatus.ACCEPTED and accepted.official_run_id is not None
    assert nomination_verify(nomination_id=nomination.pk).official_run_id == accepted.official_run_id
    Nomination.objects.filter(pk=nomination.pk).update(verification_sent_at=an_hour_ago)
    assert nominations_resend_unverified() == []  # verified: nothing left to send
