"""An evaluation run on a GPU worker charges its GPU time to its team once; a CPU run charges nothing."""
import datetime
import uuid

import pytest
from django.utils import timezone

from budget.models import EntryKind, GpuType, LedgerEntry, Provider, Rate
from budget.services.usage import budget_charge_evaluation_run
from evaluation.models import Checkpoint, EvaluationRun, RunStatus
from evaluation.services.runs import run_cancel, run_fail, run_succeed
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
                                       claim_token=uuid.uuid4(), started_at=started, device=device,
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
