"""Celery tasks of the budget: they only call services."""
from celery import shared_task

from .services.imports import usage_import_run


@shared_task(name="budget.import_usage_file")
def import_usage_file(import_id: int) -> None:
    usage_import_run(import_id=import_id)
