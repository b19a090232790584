"""Celery tasks for stages: they only call services."""

from celery import shared_task


@shared_task(name="stages.verify_nomination", acks_late=True)
def verify_nomination(nomination_id: int) -> str:
    from stages.services.nominations import nomination_verify

    return nomination_verify(nomination_id=nomination_id).status


@shared_task(name="stages.freeze_due_stages")
def freeze_due_stages() -> list[str]:
    """Beat: freeze every stage whose nomination deadline has passed."""
    from stages.services.nominations import nominations_freeze_due

    return nominations_freeze_due()


@shared_task(name="stages.resend_unverified_nominations")
def resend_unverified_nominations() -> list[int]:
    """Beat: a frozen stage's nominations are all verified even if a message was lost."""
    from stages.services.nominations import nominations_resend_unverified

    return nominations_resend_unverified()


@shared_task(name="stages.remind_nomination_deadlines")
def remind_nomination_deadlines() -> list[str]:
    """Beat: each team's leads hear once that a stage's nomination deadline is a day away."""
    from stages.services.notices import nomination_deadline_reminders_send

    return nomination_deadline_reminders_send()


@shared_task(name="stages.open_originality_gate", acks_late=True)
def open_originality_gate(checkpoint_id: int) -> int:
    """Sent by the originality app after a verdict (by name: it imports nothing of stages)."""
    from stages.services.gate import gate_items_open

    return len(gate_items_open(checkpoint_id=checkpoint_id))
