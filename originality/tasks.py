"""Celery tasks (the `default` queue): each only calls a service."""

from celery import shared_task


@shared_task(name="originality.check_checkpoint")
def check_originality(checkpoint_id: int) -> str:
    from .services import originality_check

    report = originality_check(checkpoint_id=checkpoint_id)
    return report.verdict or report.status if report else "skipped"


@shared_task(name="originality.request_check")
def request_check(checkpoint_id: int) -> None:
    """Sent by the evaluation app when a checkpoint becomes ready."""
    from .services import originality_request

    originality_request(checkpoint_id=checkpoint_id)


@shared_task(name="originality.resend_stale_checks")
def resend_stale_checks() -> list[int]:
    """Nothing stays pending: checks whose message or worker was lost are queued again."""
    from .services import originality_resend_stale

    return originality_resend_stale()
