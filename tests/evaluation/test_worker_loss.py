"""Fault: the worker is killed (SIGKILL) in the middle of a run. Its evaluation process
dies with it, the reaper re-queues the run, and a new worker completes it exactly once."""
import datetime
import os
import signal
import time
from pathlib import Path

import pytest

from audit.models import AuditEvent
from evaluation.models import EvaluationRun, RunStatus, TaskResult
from evaluation.services.runs import run_requeue_stale

from .workers import copy_checkpoint, purge_queues, require_real_services, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.slow


def _processes_named(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_killed_worker_run_completes_once_on_a_new_worker(transactional_db, settings, tmp_path, people, team_a,
                                                          ko_smoke, tiny_checkpoint, api_client):
    require_real_services()
    purge_queues()
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = tmp_path / "checkpoints", tmp_path / "runs"
    settings.EVAL_BATCH_SIZE = 1  # slow enough to be killed mid-run
    log = tmp_path / "workers.log"
    dirs = {"checkpoint_root": settings.CHECKPOINT_ROOT, "runs_dir": settings.EVAL_RUNS_DIR, "log": log}
    first = start_worker("doomed", **dirs)
    second = None
    try:
        copy_checkpoint(tiny_checkpoint, settings.CHECKPOINT_ROOT, team_a.slug, "v1")
        api_client.force_authenticate(people["member_a"])
        checkpoint = api_client.post("/api/checkpoints/", {"team": team_a.slug, "name": "v1", "source": "v1"},
                                     format="json").json()
        wait_for(lambda: api_client.get(f"/api/checkpoints/{checkpoint['id']}/").json()["status"] == "ready",
                 timeout=180, what="validation", log=log)
        run_id = api_client.post("/api/runs/", {"checkpoint": checkpoint["id"], "suite": "ko-smoke"},
                                 format="json").json()["id"]
        wait_for(lambda: EvaluationRun.objects.filter(pk=run_id, status="running", progress_done__gte=1).exists(),
                 timeout=120, what="the run to be under way", log=log)

        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        # The evaluation process dies with its worker (it shares the worker's command line).
        wait_for(lambda: not _processes_named(f"doomed-{os.getpid()}"), timeout=10, what="the orphan to die")
        assert EvaluationRun.objects.get(pk=run_id).status == RunStatus.RUNNING  # nobody knows yet

        second = start_worker("rescuer", **dirs)
        time.sleep(2.5)
        assert run_requeue_stale(stale_after=datetime.timedelta(seconds=2)) == [run_id]
        run = wait_for(lambda: EvaluationRun.objects.filter(pk=run_id, status__in=["succeeded", "failed"]).first(),
                       timeout=180, what="the re-queued run", log=log)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.attempts == 2
        assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
        assert AuditEvent.objects.filter(action="run.requeue", target_id=str(run_id)).count() == 1
        assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run_id)).count() == 1
    finally:
        stop_worker(first)
        if second:
            stop_worker(second)
