"""Celery tasks for stages: they only call services."""
import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="stages.verify_nomination", acks_late=True)
def verify_nomination(nomination_id: int) -> str:
    from stages.services.nominations import nomination_verify

    return nomination_verify(nomination_id=nomination_id).status


@shared_task(name="stages.freeze_due_stages")
def freeze_due_stages() -> list[str]:
    """Beat: freeze every stage whose nomination deadline has passed."""
    from stages.models import Stage, StageStatus
    from stages.services.nominations import nominations_freeze

    frozen = []
    for stage in Stage.objects.filter(status=StageStatus.NOMINATING, nomination_deadline__lte=timezone.now()):
        try:
            nominations_freeze(actor=None, stage=stage)
            frozen.append(stage.slug)
        except ValidationError:
            logger.info("stage %s was frozen meanwhile", stage.slug)
    return frozen


@shared_task(name="stages.resend_unverified_nominations")
def resend_unverified_nominations() -> list[int]:
    """Beat: a frozen stage's nominations are all verified even if a message was lost."""
    from stages.services.nominations import nominations_resend_unverified

    return nominations_resend_unverified()


@shared_task(name="stages.open_originality_gate", acks_late=True)
def open_originality_gate(checkpoint_id: int) -> int:
    """Sent by the originality app after a verdict (by name: it imports nothing of stages)."""
    from stages.services.gate import gate_items_open

    return len(gate_items_open(checkpoint_id=checkpoint_id))
