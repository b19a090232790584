"""Through a real Celery worker (Redis, PostgreSQL): registering a reference re-checks the ready
checkpoints on the `default` queue, and the stored verdict is the comparison's."""

import pytest

from originality.models import OriginalityReport, ReportStatus, Verdict
from originality.services import reference_register
from tests.support.workers import purge_queues, require_real_services, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.slow


def test_a_new_reference_is_checked_against_ready_checkpoints_by_the_worker(
    transactional_db, people, family, ready_checkpoint, tmp_path
):
    require_real_services()
    purge_queues()
    derived, original = ready_checkpoint(family["B"], "b"), ready_checkpoint(family["C_sharded"], "c")
    log = tmp_path / "worker.log"
    worker = start_worker("originality", checkpoint_root=tmp_path, runs_dir=tmp_path, log=log)
    try:
        reference_register(actor=people["admin"], name="Ref-A", path=family["A"])

        def checked():
            reports = OriginalityReport.objects.filter(checkpoint__in=[derived, original])
            return reports.count() == 2 and all(r.status == ReportStatus.DONE for r in reports)

        wait_for(checked, timeout=120, what="both originality checks", log=log)
    finally:
        stop_worker(worker)
    assert OriginalityReport.objects.get(checkpoint=derived).verdict == Verdict.DERIVED
    assert OriginalityReport.objects.get(checkpoint=original).verdict == Verdict.ORIGINAL
