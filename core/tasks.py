import socket

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection


@shared_task(name="core.ping")
def ping() -> dict:
    """A health check that crosses the broker, a worker and the database."""
    return {"worker": socket.gethostname(), "database": connection.vendor, "users": get_user_model().objects.count()}


@shared_task(name="core.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Idempotency keys are kept IDEMPOTENCY_KEY_TTL_S; then a retry counts as a new request."""
    from core.idempotency import purge_expired

    return purge_expired()
