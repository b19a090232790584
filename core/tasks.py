import socket

from celery import shared_task
from django.db import connection

from consortium.models import Team


@shared_task(name="core.ping")
def ping() -> dict:
    """A health check that crosses the broker, a worker and the database."""
    return {"worker": socket.gethostname(), "database": connection.vendor, "teams": Team.objects.count()}


@shared_task(name="core.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Idempotency keys are kept IDEMPOTENCY_KEY_TTL_S; then a retry counts as a new request."""
    from core.idempotency import purge_expired

    return purge_expired()
