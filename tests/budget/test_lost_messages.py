"""An sacct file uploaded while the broker is down is kept and imported later: the beat re-sends
imports still queued, and a second message for the same file imports nothing twice. An import
whose worker was lost mid-file is failed with a reason, not left "writing" for ever."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from budget.models import ImportStatus, LedgerEntry, UsageImport
from budget.services.imports import (
    usage_import_create,
    usage_import_run,
    usage_imports_fail_stalled,
    usage_imports_resend_waiting,
)
from budget.services.sacct import Progress
from tests.support.brokers import broker_down

from .conftest import HEADER, sacct_line


def test_an_upload_while_the_broker_is_down_is_kept_resent_and_imported_once(
    people, catalogue, envelope, accounts, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BUDGET_IMPORT_DIR = tmp_path / "imports"
    upload = SimpleUploadedFile("jobs.txt", "\n".join([HEADER, sacct_line("1001"), sacct_line("1002")]).encode())
    with broker_down(), django_capture_on_commit_callbacks(execute=True) as sent:
        usage_import = usage_import_create(actor=people["admin"], provider=catalogue["provider"], uploaded_file=upload)
    assert len(sent) == 1  # the send was tried, failed, and the upload still stands
    assert UsageImport.objects.get(pk=usage_import.pk).status == ImportStatus.QUEUED

    assert usage_imports_resend_waiting() == []  # just uploaded: its message may still be on its way
    UsageImport.objects.filter(pk=usage_import.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert usage_imports_resend_waiting() == [usage_import.pk]

    assert usage_import_run(import_id=usage_import.pk).status == ImportStatus.DONE
    charged = LedgerEntry.objects.count()
    assert usage_import_run(import_id=usage_import.pk).status == ImportStatus.DONE  # the other message
    assert LedgerEntry.objects.count() == charged > 0
    assert usage_imports_resend_waiting() == []


@pytest.mark.django_db(transaction=True)  # the progress is written on a connection of its own
def test_an_import_whose_progress_stopped_is_failed_and_one_still_writing_is_left_alone(catalogue):
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    lost, alive = (
        UsageImport.objects.create(
            provider=catalogue["provider"],
            file_path="/nowhere",
            original_name=name,
            status=ImportStatus.WRITING,
            heartbeat_at=an_hour_ago,
        )
        for name in ("lost.txt", "alive.txt")
    )
    progress = Progress(alive)
    progress(lines_done=5000)  # what the writer does after each batch
    progress.close()

    with translation.override("en"):
        assert usage_imports_fail_stalled() == [lost.pk]
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == ImportStatus.FAILED and lost.finished_at is not None
    assert "upload it again" in lost.errors[0]["error"]
    assert (alive.status, alive.lines_done) == (ImportStatus.WRITING, 5000)
    assert usage_imports_fail_stalled() == []
