"""Accepting an sacct file: store it, record the import, and hand it to a worker."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import dispatch
from budget.models import ImportStatus, Provider, UsageImport
from core.permissions import Action, require
from core.uploads import upload_size_check

from .sacct import sacct_import


@transaction.atomic
def usage_import_create(*, actor, provider: Provider, uploaded_file) -> UsageImport:
    """Save the upload (streamed to disk in chunks) and queue its import after commit."""
    require(actor, Action.REPORT_USAGE, provider)
    if not uploaded_file or not uploaded_file.size:
        raise ValidationError({"file": _("The file is empty.")})
    upload_size_check(uploaded_file, limit=settings.BUDGET_USAGE_FILE_MAX_BYTES)
    folder = settings.BUDGET_IMPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.txt"
    with open(path, "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    usage_import = UsageImport.objects.create(
        provider=provider,
        file_path=str(path),
        created_by=actor,
        original_name=(uploaded_file.name or "sacct.txt")[:300],
    )
    dispatch.send_import_usage_file(usage_import.pk)  # broker down: re-sent by the beat
    return usage_import


RESEND_AFTER = datetime.timedelta(minutes=10)


def usage_imports_resend_waiting(*, waiting_for: datetime.timedelta = RESEND_AFTER) -> list[int]:
    """Imports still queued long after they were uploaded may have lost their message (the broker
    was down, or restarted empty): send them again. Harmless if the first message still arrives:
    only one worker claims an import."""
    waiting = list(
        UsageImport.objects.filter(status=ImportStatus.QUEUED, created_at__lt=timezone.now() - waiting_for).values_list(
            "pk", flat=True
        )
    )
    for pk in waiting:
        dispatch.send_import_usage_file(pk)
    return waiting


STALLED_AFTER = datetime.timedelta(minutes=10)


def usage_imports_fail_stalled(*, stalled_after: datetime.timedelta = STALLED_AFTER) -> list[int]:
    """An import being written whose progress stopped long ago lost its worker (killed, or the
    machine went down). Its transaction died with it, so nothing of the file was written: fail it
    with that reason, so that the provider knows to upload it again."""
    cutoff = timezone.now() - stalled_after
    stalled = list(
        UsageImport.objects.filter(status=ImportStatus.WRITING, heartbeat_at__lt=cutoff).values_list("pk", flat=True)
    )
    reason = _("The import stopped: its worker was lost. Nothing from the file was written; upload it again.")
    UsageImport.objects.filter(pk__in=stalled, status=ImportStatus.WRITING, heartbeat_at__lt=cutoff).update(
        status=ImportStatus.FAILED, finished_at=timezone.now(), errors=[{"line": None, "error": str(reason)}]
    )
    return stalled


def usage_import_run(*, import_id: int) -> UsageImport:
    """What the worker does: the import, or a FAILED status with the reason if it broke."""
    claimed = UsageImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.WRITING, heartbeat_at=timezone.now()
    )
    usage_import = UsageImport.objects.select_related("provider", "created_by").get(pk=import_id)
    if not claimed:
        return usage_import  # another message for the same file (redelivered or re-sent) got there first
    try:
        return sacct_import(usage_import=usage_import, actor=usage_import.created_by)
    except Exception as error:  # noqa: BLE001 — every failure ends in a terminal state with its reason
        UsageImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), errors=[{"line": None, "error": str(error)[:1000]}]
        )
        raise
