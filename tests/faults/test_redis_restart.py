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
from evaluation.models import EvaluationRun, RunShard, RunStatus, TaskResult
from evaluation.services.runs import QUEUED_RESEND_AFTER
from evaluation.tasks import reap_stale_runs
from tests.support.brokers import broker
from tests.support.workers import require_real_services, start_worker, stop_worker, wait_for

from .conftest import TERMINAL, PrivateRedis

pytestmark = pytest.mark.slow


def test_runs_queued_across_a_redis_restart_without_persistence_finish_once(
    transactional_db, settings, tmp_path, people, team_a, ko_smoke, ready_checkpoint, api_client
):
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
            worker = start_worker(
                "survivor", checkpoint_root=settings.CHECKPOINT_ROOT, runs_dir=settings.EVAL_RUNS_DIR, log=log
            )
            busy = submit(checkpoints[0])
            wait_for(
                lambda: EvaluationRun.objects.filter(pk=busy, status="running", progress_done__gte=1).exists(),
                timeout=240,
                what="the first run to be under way",
                log=log,
            )
            waiting = submit(checkpoints[1])
            # Its message is in the broker, waiting, with the busy run's shards not yet taken.
            assert int(redis.cli("LLEN", "eval-cpu")) >= 1

            redis.kill()
            during = submit(checkpoints[2])  # submitted while the broker is down
            redis.start()  # same port, empty
            assert redis.cli("LLEN", "eval-cpu") == "0"  # the queued message is gone

            # The worker survives the broker's restart: it finishes the shard it holds and stays;
            # the busy run's other shards lost their messages with the broker.
            wait_for(
                lambda: not RunShard.objects.filter(run_id=busy, status="running").exists(),
                timeout=240,
                what="the busy run's shard",
                log=log,
            )
            assert worker.poll() is None
            lost = EvaluationRun.objects.filter(pk__in=[waiting, during])
            assert set(lost.values_list("status", flat=True)) == {RunStatus.QUEUED}
            stranded = sorted(RunShard.objects.filter(run_id=busy, status="queued").values_list("pk", flat=True))

            # Once they have waited QUEUED_RESEND_AFTER, the beat task sends them again.
            quiet = QUEUED_RESEND_AFTER + datetime.timedelta(seconds=1)
            lost.update(created_at=F("created_at") - quiet)
            EvaluationRun.objects.filter(pk=busy).update(heartbeat_at=F("heartbeat_at") - quiet)
            RunShard.objects.filter(run_id=busy).update(heartbeat_at=F("heartbeat_at") - quiet)
            reaped = reap_stale_runs()
            assert sorted(reaped["resent"]) == sorted([waiting, during])
            assert sorted(reaped["shards_resent"]) == stranded
            again = reap_stale_runs()
            assert again["resent"] == [] and again["shards_resent"] == []  # and not again at the next tick
            wait_for(
                lambda: (
                    not EvaluationRun.objects.filter(pk__in=[busy, waiting, during])
                    .exclude(status__in=TERMINAL)
                    .exists()
                ),
                timeout=300,
                what="the resent runs and shards",
                log=log,
            )

            for run in EvaluationRun.objects.filter(pk__in=[busy, waiting, during]):
                assert run.status == RunStatus.SUCCEEDED, run.error
                assert run.attempts == 2  # one planning, one merge
                assert set(run.shards.values_list("attempts", flat=True)) == {1}
                assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
                assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run.pk)).count() == 1
            assert worker.poll() is None
    finally:
        if worker:
            stop_worker(worker)
        redis.kill()
