"""Fault: a GPU worker is killed (SIGKILL) in the middle of a sharded run. Its evaluation process
dies with it (and its GPU lease with it), the reaper (the beat task) re-queues only the shard it
was executing, and another worker completes the run exactly once: the shards that had finished
are not computed again, one result set, one GPU charge for the GPU time the shards used."""

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
from evaluation.models import EvaluationRun, RunShard, RunStatus, TaskResult
from evaluation.tasks import reap_stale_runs
from tests.budget.conftest import catalogue  # noqa: F401 (a fixture)
from tests.support.workers import purge_queues, require_real_services, start_worker, stop_worker, wait_for

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
    envelope_create(
        actor=None,
        programme=team_a.programme,
        name="GPU",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=30),
        total_krw=10**9,
    )
    return catalogue


def test_killed_gpu_worker_run_completes_once_with_one_charge(
    transactional_db, settings, tmp_path, people, team_a, ko_smoke, ready_checkpoint, api_client, gpu_budget
):
    require_real_services()
    purge_queues()
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = tmp_path / "checkpoints", tmp_path / "runs"
    # The API process places runs on GPU workers (hf on CUDA; vLLM cannot be installed here).
    settings.EVAL_USE_GPU, settings.EVAL_GPU_BACKEND = True, "hf"
    settings.EVAL_BATCH_SIZE = 1  # slow enough to be killed mid-run
    log = tmp_path / "workers.log"
    gpu_worker = {
        "checkpoint_root": settings.CHECKPOINT_ROOT,
        "runs_dir": settings.EVAL_RUNS_DIR,
        "log": log,
        "queues": "eval-gpu",
        "module": "tests.faults.gpu_worker",
        "env": {
            "EVAL_HOST_GPUS": str(GPUS),
            "EVAL_GPU_LOCK_DIR": str(tmp_path / "gpu-locks"),
            "EVAL_SHARD_DOCUMENTS": "30",
            "EVAL_TORCH_THREADS": "1",
            "BUDGET_EVAL_PROVIDER": gpu_budget["provider"].slug,
            "BUDGET_EVAL_GPU_TYPE": "h100",
        },
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

        def doomed_mid_run():
            shards = RunShard.objects.filter(run_id=run_id)
            return (
                shards.filter(status="succeeded").count() >= 2
                and shards.filter(status="running", worker_host__startswith="doomed", process_id__isnull=False).first()
            )

        lost = wait_for(doomed_mid_run, timeout=240, what="the run to be under way", log=log)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        # The evaluation process dies with its worker (it shares the worker's command line).
        wait_for(lambda: not _processes_named(f"doomed-{os.getpid()}"), timeout=20, what="the orphan to die")
        finished = {
            s.pk: (s.attempts, s.finished_at, s.samples_artefact)
            for s in RunShard.objects.filter(run_id=run_id, status="succeeded")
        }
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING and run.progress_total == 16  # 120+120+100+100 items by 30
        assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()

        # As if the heartbeat timeout had passed: then the beat task's reaper finds the lost shard.
        RunShard.objects.filter(pk=lost.pk).update(
            heartbeat_at=F("heartbeat_at") - datetime.timedelta(seconds=settings.EVAL_HEARTBEAT_TIMEOUT_S + 1)
        )
        assert reap_stale_runs()["shards_requeued"] == [lost.pk]
        second = start_worker("rescuer", **gpu_worker)
        run = wait_for(
            lambda: EvaluationRun.objects.filter(pk=run_id, status__in=TERMINAL).first(),
            timeout=300,
            what="the re-queued shard and the merge",
            log=log,
        )
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.device == "cuda" and second.poll() is None
        shards = {s.pk: s for s in RunShard.objects.filter(run_id=run_id)}
        # The shards that had finished were not computed again; only the lost one was.
        assert {
            pk: (shards[pk].attempts, shards[pk].finished_at, shards[pk].samples_artefact) for pk in finished
        } == finished
        assert shards[lost.pk].attempts == 2 and shards[lost.pk].worker_host.startswith("rescuer")
        assert sum(s.attempts for s in shards.values()) == len(shards) + 1
        assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
        assert sorted(TaskResult.objects.filter(run=run).values_list("task", flat=True)) == sorted(
            ko_smoke.tasks.values_list("task", flat=True)
        )
        assert AuditEvent.objects.filter(action="run.shard_requeue", target_id=str(run_id)).count() == 1
        assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run_id)).count() == 1

        # One charge, for this run: the GPU time of the shard attempts that finished, each on the
        # GPUs it leased (the tiny model needs one); the killed attempt is not the team's.
        charge = LedgerEntry.objects.get(kind=EntryKind.USAGE)
        assert charge.idempotency_key == f"evaluation-run:{run_id}"
        assert charge.allocation.team == team_a and {s.gpus for s in shards.values()} == {1}
        used = sum((s.finished_at - s.started_at).total_seconds() * s.gpus for s in shards.values())
        assert charge.gpu_seconds == round(used) == round(run.gpu_seconds)
        assert charge.amount_krw == -charge_krw(gpu_count=1, seconds=round(used), krw_per_gpu_hour=7200)
    finally:
        stop_worker(first)
        if second:
            stop_worker(second)
