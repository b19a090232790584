"""This app's Celery tasks, sent by name after commit (core.dispatch)."""

from core.dispatch import send_after_commit


def send_check_checkpoint(checkpoint_id: int) -> None:
    send_after_commit("originality.check_checkpoint", checkpoint_id)


# Handled by the stages app (it sits above this one): the stages that nominate the checkpoint open
# an originality gate item for a "derived" or "component reuse" verdict. Sent by name, so this app
# imports nothing of stages.
VERDICT_REACHED_TASK = "stages.open_originality_gate"


def send_verdict_reached(checkpoint_id: int) -> None:
    send_after_commit(VERDICT_REACHED_TASK, checkpoint_id)
