"""Celery tasks of the budget: they only call services."""
from celery import shared_task

from .services.imports import usage_import_run, usage_imports_resend_waiting


@shared_task(name="budget.import_usage_file")
def import_usage_file(import_id: int) -> None:
    usage_import_run(import_id=import_id)


@shared_task(name="budget.resend_waiting_imports")
def resend_waiting_imports() -> list[int]:
    """Beat: nothing uploaded stays queued for ever because its message was lost."""
    return usage_imports_resend_waiting()
