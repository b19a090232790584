"""The Celery app: JSON only, late acks, and the three queues declared up front.

`default` carries platform chores; `eval-cpu` and `eval-gpu` carry evaluation
runs to the workers that have the matching hardware.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "eval-cpu", "eval-gpu")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    # A task is acknowledged only once it has finished, and a task whose
    # worker died is handed back to the broker instead of being lost.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    task_create_missing_queues=False,
    broker_connection_retry_on_startup=True,
    result_expires=60 * 60 * 24,
)
app.autodiscover_tasks()
