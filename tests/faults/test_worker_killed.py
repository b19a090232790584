"""Fault: a GPU worker is killed (SIGKILL) in the middle of a run. Its evaluation process dies
with it, the reaper (the beat task) re-queues the run, and another worker completes it exactly
once: one result set, one GPU charge in the budget ledger."""
import datetime
import os
import signal
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone

from audit.models import AuditEvent
from budget.models import EntryKind, LedgerEntry
from budget.services.allocations import envelope_create
from budget.services.rates import charge_krw
from evaluation.models import EvaluationRun, RunStatus, TaskResult
from evaluation.tasks import reap_stale_runs
from tests.budget.conftest import catalogue  # noqa: F401 (a fixture)
from tests.evaluation.workers import purge_queues, require_real_services, start_worker, stop_worker, wait_for

from .conftest import TERMINAL

pytestmark = pytest.mark.slow
GPUS = 2


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


@pytest.fixture
def gpu_budget(catalogue, team_a):  # noqa: F811
    """A rate for the evaluation GPU type and an envelope around today, so a GPU run is charged."""
    today = timezone.localdate()
    envelope_create(actor=None, programme=team_a.programme, name="GPU",
                    period_start=today - datetime.timedelta(days=30), period_end=today + datetime.timedelta(days=30),
                    total_krw=10**9)
    return catalogue


def test_killed_gpu_worker_run_completes_once_with_one_charge(transactional_db, settings, tmp_path, people, team_a,
                                                              ko_smoke, ready_checkpoint, api_client, gpu_budget):
    require_real_services()
    purge_queues()
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = tmp_path / "checkpoints", tmp_path / "runs"
    # The API process places runs on GPU workers (hf on CUDA; vLLM cannot be installed here).
    settings.EVAL_USE_GPU, settings.EVAL_GPU_BACKEND = True, "hf"
    settings.EVAL_BATCH_SIZE = 1  # slow enough to be killed mid-run
    log = tmp_path / "workers.log"
    gpu_worker = {
        "checkpoint_root": settings.CHECKPOINT_ROOT, "runs_dir": settings.EVAL_RUNS_DIR, "log": log,
        "queues": "eval-gpu", "module": "tests.faults.gpu_worker",
        "env": {"EVAL_GPUS_PER_WORKER": str(GPUS), "BUDGET_EVAL_PROVIDER": gpu_budget["provider"].slug,
                "BUDGET_EVAL_GPU_TYPE": "h100"},
    }
    checkpoint = ready_checkpoint("v1")
    first, second = start_worker("doomed", **gpu_worker), None
    try:
        api_client.force_authenticate(people["member_a"])
        response = api_client.post("/api/runs/", {"checkpoint": checkpoint.pk, "suite": "ko-smoke"}, format="json")
        assert response.status_code == 201, response.content
        run_id = response.json()["id"]
        run = EvaluationRun.objects.get(pk=run_id)
        assert (run.queue, run.device) == ("eval-gpu", "cuda")
        wait_for(lambda: EvaluationRun.objects.filter(pk=run_id, status="running", progress_done__gte=1).exists(),
                 timeout=240, what="the run to be under way", log=log)
        # The rescuer warms up (seconds of imports) while the doomed worker evaluates; it
        # listens on the same queue, but the run is claimed, so nothing is there for it yet.
        second = start_worker("rescuer", **gpu_worker)

        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        # The evaluation process dies with its worker (it shares the worker's command line).
        wait_for(lambda: not _processes_named(f"doomed-{os.getpid()}"), timeout=20, what="the orphan to die")
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING  # nobody knows yet
        assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()

        # As if the heartbeat timeout had passed: then the beat task's reaper finds it.
        EvaluationRun.objects.filter(pk=run_id).update(
            heartbeat_at=F("heartbeat_at") - datetime.timedelta(seconds=settings.EVAL_HEARTBEAT_TIMEOUT_S + 1))
        assert reap_stale_runs()["requeued"] == [run_id]
        run = wait_for(lambda: EvaluationRun.objects.filter(pk=run_id, status__in=TERMINAL).first(),
                       timeout=240, what="the re-queued run", log=log)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.attempts == 2 and run.device == "cuda"
        assert run.worker_host and second.poll() is None
        assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
        assert sorted(TaskResult.objects.filter(run=run).values_list("task", flat=True)) == sorted(
            ko_smoke.tasks.values_list("task", flat=True))
        assert AuditEvent.objects.filter(action="run.requeue", target_id=str(run_id)).count() == 1
        assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run_id)).count() == 1

        # One charge, for this run, with the GPUs the worker declared, for the attempt that
        # finished it: the killed attempt and the wait to be re-queued are not the team's.
        charge = LedgerEntry.objects.get(kind=EntryKind.USAGE)
        assert charge.idempotency_key == f"evaluation-run:{run_id}"
        assert charge.allocation.team == team_a and charge.gpu_count == GPUS
        assert run.attempt_started_at > run.started_at
        seconds = int((run.finished_at - run.attempt_started_at).total_seconds())
        assert charge.gpu_seconds == GPUS * seconds
        assert charge.occurred_at == run.attempt_started_at
        assert charge.amount_krw == -charge_krw(gpu_count=GPUS, seconds=seconds, krw_per_gpu_hour=7200)
    finally:
        stop_worker(first)
        if second:
            stop_worker(second)
