"""How a run ends badly: failed (the reason, the charge for what ran) and the GPU time of shard
attempts still running. Used by both the run and the shard services."""

from django.utils import timezone

from audit.services import audit_record
from budget.services.usage import budget_charge_evaluation_run
from evaluation.models import EvaluationRun, RunShard, RunStatus, ShardStatus
from evaluation.services.run_notices import notify_run_ended


def attempt_gpu_seconds(shard: RunShard, now) -> float:
    if shard.started_at is None:
        return 0.0
    return max(0.0, (now - shard.started_at).total_seconds()) * shard.gpus


def charge_running_shards(run: EvaluationRun, now) -> None:
    """A run that ends while shards are running (cancelled, or failed by another shard) is charged
    the GPU time those attempts used until now; they stop at their next heartbeat."""
    for shard in run.shards.filter(status=ShardStatus.RUNNING):
        run.gpu_seconds += attempt_gpu_seconds(shard, now)
    run.shards.filter(status__in=[ShardStatus.RUNNING, ShardStatus.QUEUED]).update(claim_token=None)


def fail_locked(run: EvaluationRun, *, error: str, log_tail: str = "", platform_fault: bool) -> None:
    """running → failed, for a run locked by the caller; shards still running are charged and stop."""
    run.status, run.claim_token, run.finished_at = RunStatus.FAILED, None, timezone.now()
    charge_running_shards(run, run.finished_at)
    run.error, run.log_tail = error, log_tail[-20000:]
    if platform_fault:
        run.counts_against_quota = False
    run.save()
    budget_charge_evaluation_run(run=run)
    audit_record(
        actor=None,
        action="run.failed",
        target=run,
        after={"error": error, "attempt": run.attempts, "platform_fault": platform_fault},
    )
    notify_run_ended(run)
