"""This app's Celery tasks, sent by name after commit (core.dispatch)."""
from core.dispatch import send_after_commit


def send_check_checkpoint(checkpoint_id: int) -> None:
    send_after_commit("originality.check_checkpoint", checkpoint_id)
