"""Celery tasks of the audit log: they only call services."""

from celery import shared_task

from .services import audit_head_export


@shared_task(name="audit.export_head")
def export_head() -> dict:
    """Beat, daily: the chain's head digest to AUDIT_HEAD_EXPORT_DIR and the export table."""
    export = audit_head_export()
    return {"seq": export.seq, "hash": export.hash, "file": export.file_path}
