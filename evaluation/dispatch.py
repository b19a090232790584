"""Sending this app's Celery tasks, by name, once the transaction that asked commits.

Services import this module, never `evaluation.tasks` (which imports the services): no import
circle, and one idiom for "send after commit". `robust=True`: with the broker down the request
still commits and answers; the reaper's beat task sends again whatever is still waiting."""
from django.db import transaction

from config.celery_app import app


def _send_after_commit(name: str, *args, queue: str | None = None) -> None:
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: app.send_task(name, args=list(args), **options), robust=True)


def send_validate_checkpoint(checkpoint_id: int) -> None:
    _send_after_commit("evaluation.validate_checkpoint", checkpoint_id)


def send_execute_run(run_id: int, *, queue: str) -> None:
    _send_after_commit("evaluation.execute_run", run_id, queue=queue)
