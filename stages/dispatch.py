"""This app's Celery tasks, sent by name after commit (core.dispatch)."""

from core.dispatch import send_after_commit


def send_verify_nomination(nomination_id: int) -> None:
    send_after_commit("stages.verify_nomination", nomination_id)
