"""An evaluation run on a GPU worker charges its GPU time to its team once; a CPU run charges nothing."""
import datetime
import uuid

import pytest
from django.utils import timezone

from budget.models import EntryKind, GpuType, LedgerEntry, Provider, Rate
from budget.services.usage import budget_charge_evaluation_run
from evaluation.models import Checkpoint, EvaluationRun, RunStatus
from evaluation.services.runs import (
    run_cancel,
    run_claim,
    run_fail,
    run_requeue_stale,
    run_started_process,
    run_succeed,
)
from tests.evaluation.conftest import harness_results, suite_version  # noqa: F401 (a fixture)


@pytest.fixture
def eval_rate(catalogue, settings):
    settings.BUDGET_EVAL_PROVIDER = catalogue["provider"].slug
    settings.BUDGET_EVAL_GPU_TYPE = "h100"
    settings.EVAL_GPUS_PER_WORKER = 2
    return catalogue


def _running(team, suite_version, *, device="cuda", minutes=30):
    checkpoint = Checkpoint.objects.create(team=team, name=f"ck-{uuid.uuid4().hex[:6]}", source="local://x",
                                           status="ready", manifest_digest="d" * 64)
    started = timezone.make_aware(datetime.datetime(2025, 9, 2, 10, 0))
    run = EvaluationRun.objects.create(checkpoint=checkpoint, suite_version=suite_version, status=RunStatus.RUNNING,
                                       claim_token=uuid.uuid4(), started_at=started, attempt_started_at=started,
                                       device=device,
                                       queue="eval-gpu" if device == "cuda" else "eval-cpu", attempts=1)
    return run, started + datetime.timedelta(minutes=minutes)


def test_a_gpu_run_is_charged_once_at_the_rate_of_its_start(eval_rate, envelope, team_a, suite_version, monkeypatch):
    run, finished = _running(team_a, suite_version)
    monkeypatch.setattr(timezone, "now", lambda: finished)
    assert run_succeed(run_id=run.pk, token=run.claim_token, results=harness_results(), versions={}, backend="vllm",
                       device="cuda", batch_size=8, samples_file="")
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.idempotency_key == f"evaluation-run:{run.pk}"
    assert entry.allocation.team == team_a
    assert entry.amount_krw == -(2 * 1800 * 3600 // 3600)  # 2 GPUs × 30 min × 3,600 won/h
    run.refresh_from_db()
    assert budget_charge_evaluation_run(run=run) == entry  # a second call adds nothing
    assert LedgerEntry.objects.filter(kind=EntryKind.USAGE).count() == 1


def test_a_failed_or_cancelled_gpu_run_pays_for_the_time_it_used(eval_rate, envelope, team_a, suite_version, people):
    failed, _ = _running(team_a, suite_version)
    run_fail(run_id=failed.pk, token=failed.claim_token, error="out of memory")
    cancelled, _ = _running(team_a, suite_version)
    run_cancel(actor=people["admin"], run=cancelled)
    keys = set(LedgerEntry.objects.filter(kind=EntryKind.USAGE).values_list("idempotency_key", flat=True))
    assert keys == {f"evaluation-run:{failed.pk}", f"evaluation-run:{cancelled.pk}"}


def test_a_cpu_run_charges_nothing(eval_rate, envelope, team_a, suite_version):
    run, _ = _running(team_a, suite_version, device="cpu")
    run_succeed(run_id=run.pk, token=run.claim_token, results=harness_results(), versions={}, backend="hf",
                device="cpu", batch_size=8, samples_file="")
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()


def test_a_budget_problem_never_changes_the_runs_outcome(envelope, team_a, suite_version, settings):
    settings.BUDGET_EVAL_PROVIDER = "no-such-provider"
    run, _ = _running(team_a, suite_version)
    assert run_succeed(run_id=run.pk, token=run.claim_token, results=harness_results(), versions={}, backend="vllm",
                       device="cuda", batch_size=8, samples_file="")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()
    assert GpuType.objects.count() == 0 and Provider.objects.count() == 0 and Rate.objects.count() == 0


def test_only_the_attempt_that_ended_the_run_is_charged(eval_rate, envelope, team_a, suite_version, monkeypatch):
    """A lost worker's attempt, and the wait until the run is taken again, are the platform's."""
    run, _ = _running(team_a, suite_version)
    first = run.started_at
    EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=first + datetime.timedelta(minutes=10))
    clock = [first + datetime.timedelta(hours=2)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    assert run_requeue_stale() == [run.pk]
    clock[0] = first + datetime.timedelta(hours=3)
    _, token = run_claim(run_id=run.pk, worker_host="gpu-2")
    clock[0] = first + datetime.timedelta(hours=3, minutes=5)  # the checkpoint copied and hashed: not charged
    run_started_process(run_id=run.pk, token=token, process_id=1)
    clock[0] = first + datetime.timedelta(hours=3, minutes=35)
    assert run_succeed(run_id=run.pk, token=token, results=harness_results(), versions={}, backend="hf",
                       device="cuda", batch_size=8, samples_file="")
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.gpu_seconds == 2 * 1800 and entry.amount_krw == -3600  # 2 GPUs × 30 min × 3,600 won/h
    run.refresh_from_db()
    assert run.started_at == first  # the run's own start is kept for its history


def test_a_run_given_up_after_lost_workers_charges_nothing(eval_rate, envelope, team_a, suite_version):
    run, _ = _running(team_a, suite_version)
    EvaluationRun.objects.filter(pk=run.pk).update(max_attempts=1, heartbeat_at=run.started_at)
    assert run_requeue_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()
