"""Sending Celery tasks by name once the transaction that asked commits: the one idiom every
app's `dispatch.py` uses, so services never import `tasks.py` (which imports services).

`robust=True`: with the broker down the request still commits and answers; each app's beat
task sends again what is still waiting. Outside a transaction the task is sent at once."""

from celery import current_app
from django.db import transaction


def send_after_commit(name: str, *args, queue: str | None = None) -> None:
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: current_app.send_task(name, args=list(args), **options), robust=True)
