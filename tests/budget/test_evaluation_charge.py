"""An evaluation run on a GPU worker charges the GPU time its shards used to its team once; a CPU
run charges nothing; lost shard attempts, waiting and copying are never charged."""

import datetime
import uuid

import pytest
from django.utils import timezone

from budget.models import EntryKind, GpuType, LedgerEntry, Provider, Rate
from budget.services.usage import budget_charge_evaluation_run
from evaluation.models import Checkpoint, EvaluationRun, RunShard, RunStatus
from evaluation.services.runs import run_cancel, run_succeed
from evaluation.services.shards import (
    run_claim_merge,
    shard_claim,
    shard_started_process,
    shard_succeed,
    shards_requeue_stale,
)
from tests.evaluation.conftest import harness_results, suite_version  # noqa: F401 (a fixture)

START = timezone.make_aware(datetime.datetime(2025, 9, 2, 10, 0))


@pytest.fixture
def eval_rate(catalogue, settings):
    settings.BUDGET_EVAL_PROVIDER = catalogue["provider"].slug
    settings.BUDGET_EVAL_GPU_TYPE = "h100"
    return catalogue


@pytest.fixture
def clock(monkeypatch):
    now = [START]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


def _planned(team, suite_version, *, device="cuda", shards=2):
    """A running run whose planning made `shards` shards, none claimed yet."""
    checkpoint = Checkpoint.objects.create(
        team=team, name=f"ck-{uuid.uuid4().hex[:6]}", source="local://x", status="ready", manifest_digest="d" * 64
    )
    run = EvaluationRun.objects.create(
        checkpoint=checkpoint,
        suite_version=suite_version,
        status=RunStatus.RUNNING,
        started_at=START,
        heartbeat_at=START,
        device=device,
        progress_total=shards,
        queue="eval-gpu" if device == "cuda" else "eval-cpu",
        attempts=1,
    )
    for position in range(shards):
        RunShard.objects.create(run=run, position=position, task="mc_task", documents=10)
    return run


def _execute(shard, clock, *, gpus=2, minutes=15, wait_minutes=0):
    """One attempt of a shard: claimed, `wait_minutes` copying and waiting for GPUs, then its
    evaluation process runs for `minutes` on `gpus` GPUs."""
    _, token = shard_claim(shard_id=shard.pk, worker_host="gpu-1")
    clock[0] += datetime.timedelta(minutes=wait_minutes)
    shard_started_process(shard_id=shard.pk, token=token, gpus=gpus, process_id=1)
    clock[0] += datetime.timedelta(minutes=minutes)
    assert shard_succeed(
        shard_id=shard.pk, token=token, raw_metrics={}, report={}, samples_artefact="", log_artefact=""
    )


def _merge(run):
    _, token = run_claim_merge(run_id=run.pk, worker_host="gpu-1")
    return run_succeed(
        run_id=run.pk,
        token=token,
        results=harness_results(),
        versions={},
        backend="vllm",
        device=run.device,
        batch_size=8,
    )


def test_a_gpu_run_is_charged_once_for_its_shards_gpu_time(eval_rate, envelope, team_a, suite_version, clock):
    run = _planned(team_a, suite_version)
    for shard in run.shards.all():
        _execute(shard, clock, gpus=2, minutes=15, wait_minutes=5)  # the wait and the copy are not charged
    assert _merge(run)
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.idempotency_key == f"evaluation-run:{run.pk}"
    assert entry.allocation.team == team_a
    assert entry.gpu_seconds == 2 * 2 * 15 * 60  # two shards × 2 GPUs × 15 min
    assert entry.amount_krw == -3600  # 1 GPU-hour at 3,600 won/h
    run.refresh_from_db()
    assert budget_charge_evaluation_run(run=run) == entry  # a second call adds nothing
    assert LedgerEntry.objects.filter(kind=EntryKind.USAGE).count() == 1


def test_a_cancelled_gpu_run_pays_for_the_time_its_shards_used(
    eval_rate, envelope, team_a, suite_version, people, clock
):
    run = _planned(team_a, suite_version)
    first, second = run.shards.all()
    _execute(first, clock, gpus=1, minutes=10)
    _, token = shard_claim(shard_id=second.pk, worker_host="gpu-2")
    shard_started_process(shard_id=second.pk, token=token, gpus=1, process_id=2)
    clock[0] += datetime.timedelta(minutes=20)
    run_cancel(actor=people["admin"], run=run)
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.gpu_seconds == (10 + 20) * 60


def test_a_cpu_run_charges_nothing(eval_rate, envelope, team_a, suite_version, clock):
    run = _planned(team_a, suite_version, device="cpu")
    for shard in run.shards.all():
        _execute(shard, clock, gpus=0)
    assert _merge(run)
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()


def test_a_budget_problem_never_changes_the_runs_outcome(envelope, team_a, suite_version, settings, clock):
    settings.BUDGET_EVAL_PROVIDER = "no-such-provider"
    run = _planned(team_a, suite_version)
    for shard in run.shards.all():
        _execute(shard, clock)
    assert _merge(run)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()
    assert GpuType.objects.count() == 0 and Provider.objects.count() == 0 and Rate.objects.count() == 0


def test_a_lost_shard_attempt_is_not_charged(eval_rate, envelope, team_a, suite_version, clock):
    """A lost worker's attempt, and the wait until its shard is taken again, are the platform's."""
    run = _planned(team_a, suite_version, shards=1)
    shard = run.shards.get()
    _, token = shard_claim(shard_id=shard.pk, worker_host="gpu-1")
    shard_started_process(shard_id=shard.pk, token=token, gpus=2, process_id=1)
    clock[0] += datetime.timedelta(hours=2)  # the worker vanished: no heartbeat since
    assert shards_requeue_stale() == [shard.pk]
    clock[0] += datetime.timedelta(hours=1)
    _execute(shard, clock, gpus=2, minutes=30, wait_minutes=5)
    assert _merge(run)
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.gpu_seconds == 2 * 1800 and entry.amount_krw == -3600  # 2 GPUs × 30 min × 3,600 won/h
    run.refresh_from_db()
    assert run.started_at == START  # the run's own start is kept for its history


def test_a_run_given_up_after_lost_workers_charges_nothing(eval_rate, envelope, team_a, suite_version, clock):
    run = _planned(team_a, suite_version, shards=1)
    EvaluationRun.objects.filter(pk=run.pk).update(max_attempts=1)
    shard = run.shards.get()
    _, token = shard_claim(shard_id=shard.pk, worker_host="gpu-1")
    shard_started_process(shard_id=shard.pk, token=token, gpus=2, process_id=1)
    clock[0] += datetime.timedelta(hours=2)
    assert shards_requeue_stale() == [shard.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()
