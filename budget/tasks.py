"""Celery tasks of the budget: they only call services."""

from celery import shared_task

from .services.imports import usage_import_run, usage_imports_fail_stalled, usage_imports_resend_waiting


@shared_task(name="budget.import_usage_file")
def import_usage_file(import_id: int) -> None:
    usage_import_run(import_id=import_id)


@shared_task(name="budget.tend_imports")
def tend_imports() -> dict:
    """Beat: no import waits for ever, queued (its message was lost) or writing (its worker was)."""
    return {"resent": usage_imports_resend_waiting(), "failed": usage_imports_fail_stalled()}
