"""This app's Celery tasks, sent by name after commit (core.dispatch)."""

from core.dispatch import send_after_commit


def send_import_usage_file(import_id: int) -> None:
    send_after_commit("budget.import_usage_file", import_id)
