"""Fault: Redis (the Celery broker) restarts while runs are queued, and comes back EMPTY.

Production Redis (docker-compose.yml) keeps /data on a volume with the image's default RDB
snapshots (no AOF): a crash loses whatever was queued since the last snapshot. The worst case
is tested here, a private redis-server with no persistence at all, killed with SIGKILL. What
the platform guarantees: a run stays `queued` in PostgreSQL, which is the truth; the beat
task's resender (run_resend_waiting) sends again a run that has waited longer than
QUEUED_RESEND_AFTER, and only one claim of a run can ever succeed, so a message that was not
lost after all does not run it twice. A run submitted while Redis is down is recorded and
answered as usual, and sent the same way."""
import datetime

import pytest
from django.db.models import F

from audit.models import AuditEvent
from evaluation.models import EvaluationRun, RunStatus, TaskResult
from evaluation.services.runs import QUEUED_RESEND_AFTER
from evaluation.tasks import reap_stale_runs
from tests.brokers import broker
from tests.evaluation.workers import require_real_services, start_worker, stop_worker, wait_for

from .conftest import TERMINAL, PrivateRedis

pytestmark = pytest.mark.slow


def test_runs_queued_across_a_redis_restart_without_persistence_finish_once(
        transactional_db, settings, tmp_path, people, team_a, ko_smoke, ready_checkpoint, api_client):
    require_real_services()
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = tmp_path / "checkpoints", tmp_path / "runs"
    settings.EVAL_BATCH_SIZE = 1  # the first run keeps the worker busy while the others wait
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    settings.REDIS_URL = redis.url  # the worker's broker and result store (start_worker passes it on)
    log = tmp_path / "worker.log"
    worker = None
    api_client.force_authenticate(people["member_a"])

    def submit(checkpoint) -> int:
        response = api_client.post("/api/runs/", {"checkpoint": checkpoint.pk, "suite": "ko-smoke"}, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    try:
        with broker(redis.url):
            checkpoints = [ready_checkpoint(name) for name in ("a", "b", "c")]
            worker = start_worker("survivor", checkpoint_root=settings.CHECKPOINT_ROOT,
                                  runs_dir=settings.EVAL_RUNS_DIR, log=log)
            busy = submit(checkpoints[0])
            wait_for(lambda: EvaluationRun.objects.filter(pk=busy, status="running", progress_done__gte=1).exists(),
                     timeout=240, what="the first run to be under way", log=log)
            waiting = submit(checkpoints[1])
            assert redis.cli("LLEN", "eval-cpu") == "1"  # its message is in the broker, waiting

            redis.kill()
            during = submit(checkpoints[2])  # submitted while the broker is down
            redis.start()  # same port, empty
            assert redis.cli("LLEN", "eval-cpu") == "0"  # the queued message is gone

            # The worker survives the broker's restart: it finishes its run and stays.
            run = wait_for(lambda: EvaluationRun.objects.filter(pk=busy, status__in=TERMINAL).first(),
                           timeout=240, what="the busy run", log=log)
            assert run.status == RunStatus.SUCCEEDED, run.error
            lost = EvaluationRun.objects.filter(pk__in=[waiting, during])
            assert set(lost.values_list("status", flat=True)) == {RunStatus.QUEUED}

            # Once they have waited QUEUED_RESEND_AFTER, the beat task sends them again.
            lost.update(created_at=F("created_at") - QUEUED_RESEND_AFTER - datetime.timedelta(seconds=1))
            assert sorted(reap_stale_runs()["resent"]) == sorted([waiting, during])
            assert reap_stale_runs()["resent"] == []  # and not again at the next tick
            wait_for(lambda: not EvaluationRun.objects.filter(pk__in=[waiting, during]).exclude(
                status__in=TERMINAL).exists(), timeout=240, what="the resent runs", log=log)

            for run in EvaluationRun.objects.filter(pk__in=[busy, waiting, during]):
                assert run.status == RunStatus.SUCCEEDED, run.error
                assert run.attempts == 1
                assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
                assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run.pk)).count() == 1
            assert worker.poll() is None
    finally:
        if worker:
            stop_worker(worker)
        redis.kill()
