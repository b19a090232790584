"""A run's shards: planned once, each claimed, executed and stored by whichever worker is free,
then merged once.

A run moves queued → running when a worker claims it to plan its shards (the run's claim
token), stays running while its shards are executed (no run token: each shard attempt holds
its own), and is merged by one worker once every shard has succeeded (the run's token again),
which stores the results through runs.run_succeed. A shard attempt whose worker is lost is
queued again on its own; the shards that finished are never computed again."""

import datetime
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from evaluation import dispatch
from evaluation.models import EvaluationRun, RunShard, RunStatus, ShardStatus
from evaluation.services.run_end import attempt_gpu_seconds, fail_locked
from evaluation.services.samples import run_samples_index_shard


def _locked_run(run_id: int) -> EvaluationRun:
    return EvaluationRun.objects.select_for_update().get(pk=run_id)


def _send(shard: RunShard, queue: str) -> None:
    dispatch.send_execute_shard(shard.pk, queue=queue)


@transaction.atomic
def run_plan(*, run_id: int, token: uuid.UUID, shards: list[dict]) -> bool:
    """Store the planner's shards (evaluation/sharding.py) and queue each; the run's planning
    attempt lets go of the run. False: the attempt had lost the run."""
    run = _locked_run(run_id)
    if run.claim_token != token or run.status != RunStatus.RUNNING:
        return False
    created = RunShard.objects.bulk_create(
        RunShard(run=run, position=position, task=shard["task"], pieces=shard["pieces"], documents=shard["documents"])
        for position, shard in enumerate(shards)
    )
    run.claim_token, run.progress_done, run.progress_total, run.current_task = None, 0, len(created), ""
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["claim_token", "progress_done", "progress_total", "current_task", "heartbeat_at"])
    audit_record(
        actor=None,
        action="run.planned",
        target=run,
        after={"shards": len(created), "documents": sum(s.documents for s in created)},
    )
    for shard in created:
        _send(shard, run.queue)
    return True


@transaction.atomic
def shard_claim(*, shard_id: int, worker_host: str) -> tuple[RunShard, uuid.UUID] | None:
    """queued → running for one attempt of a shard of a running run; None otherwise."""
    shard = RunShard.objects.select_for_update().select_related("run").filter(pk=shard_id).first()
    if shard is None or shard.status != ShardStatus.QUEUED or shard.run.status != RunStatus.RUNNING:
        return None
    now = timezone.now()
    shard.status, shard.claim_token, shard.attempts = ShardStatus.RUNNING, uuid.uuid4(), shard.attempts + 1
    shard.worker_host, shard.heartbeat_at, shard.started_at, shard.gpus, shard.error = worker_host, now, None, 0, ""
    shard.save()
    return shard, shard.claim_token


def shard_started_process(*, shard_id: int, token: uuid.UUID, gpus: int, process_id: int) -> None:
    """The attempt's evaluation process started (after the copy, the hash check and the wait for
    GPUs): its GPU time counts from here. Which process it is, for operators (and fault tests)."""
    RunShard.objects.filter(pk=shard_id, claim_token=token).update(
        started_at=timezone.now(), gpus=gpus, process_id=process_id
    )


def shard_heartbeat(*, shard_id: int, token: uuid.UUID, current_task: str) -> bool:
    """Record that the attempt is alive; False means it lost its shard or the run ended: stop."""
    now = timezone.now()
    with transaction.atomic():
        alive = RunShard.objects.filter(
            pk=shard_id, claim_token=token, status=ShardStatus.RUNNING, run__status=RunStatus.RUNNING
        ).update(heartbeat_at=now)
        if alive:
            EvaluationRun.objects.filter(shards__pk=shard_id).update(heartbeat_at=now, current_task=current_task[:200])
    return bool(alive)


def _locked_shard(run: EvaluationRun, shard_id: int, token: uuid.UUID) -> RunShard | None:
    shard = RunShard.objects.select_for_update().get(pk=shard_id)
    if shard.claim_token != token or shard.status != ShardStatus.RUNNING or run.status != RunStatus.RUNNING:
        return None
    return shard


@transaction.atomic
def shard_succeed(
    *, shard_id: int, token: uuid.UUID, raw_metrics: dict, report: dict, samples_artefact: str, log_artefact: str
) -> bool:
    """Keep a finished shard's per-document metrics (once), charge its GPU time to the run, and
    queue the merge when it was the last."""
    run = _locked_run(RunShard.objects.values_list("run_id", flat=True).get(pk=shard_id))
    shard = _locked_shard(run, shard_id, token)
    if shard is None:
        return False
    now = timezone.now()
    run.gpu_seconds += attempt_gpu_seconds(shard, now)
    shard.status, shard.claim_token, shard.finished_at = ShardStatus.SUCCEEDED, None, now
    shard.raw_metrics, shard.report = raw_metrics, report
    shard.samples_artefact, shard.log_artefact = samples_artefact, log_artefact
    shard.save()
    run_samples_index_shard(shard=shard)  # the browser's rows, in the same transaction as the success
    run.progress_done = run.shards.filter(status=ShardStatus.SUCCEEDED).count()
    run.heartbeat_at = now
    run.save(update_fields=["gpu_seconds", "progress_done", "heartbeat_at"])
    if run.progress_done == run.progress_total:
        dispatch.send_merge_run(run.pk, queue=run.queue)
    return True


@transaction.atomic
def shard_fail(
    *, shard_id: int, token: uuid.UUID, error: str, log_tail: str = "", platform_fault: bool = False
) -> bool:
    """A shard that cannot be evaluated fails its run, with the reason; the other shards stop at
    their next heartbeat."""
    run = _locked_run(RunShard.objects.values_list("run_id", flat=True).get(pk=shard_id))
    shard = _locked_shard(run, shard_id, token)
    if shard is None:
        return False
    shard.status, shard.claim_token, shard.finished_at, shard.error = ShardStatus.FAILED, None, timezone.now(), error
    shard.save()
    fail_locked(run, error=error, log_tail=log_tail, platform_fault=platform_fault)
    return True


@transaction.atomic
def run_claim_merge(*, run_id: int, worker_host: str) -> tuple[EvaluationRun, uuid.UUID] | None:
    """The one attempt that merges a run whose shards have all succeeded."""
    run = EvaluationRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != RunStatus.RUNNING or run.claim_token is not None:
        return None
    if not run.progress_total or run.shards.exclude(status=ShardStatus.SUCCEEDED).exists():
        return None
    run.claim_token, run.attempts = uuid.uuid4(), run.attempts + 1
    run.worker_host, run.heartbeat_at, run.current_task = worker_host, timezone.now(), _("merging the shards")
    run.save(update_fields=["claim_token", "attempts", "worker_host", "heartbeat_at", "current_task"])
    return run, run.claim_token


def shards_requeue_stale(*, stale_after: datetime.timedelta | None = None) -> list[int]:
    """The reaper, for shards: an attempt whose heartbeat stopped lost its worker. Queue that
    shard again (its time is not charged), up to the run's attempt limit; then fail the run."""
    stale_after = stale_after or datetime.timedelta(seconds=settings.EVAL_HEARTBEAT_TIMEOUT_S)
    cutoff = timezone.now() - stale_after
    handled = []
    stale = RunShard.objects.filter(status=ShardStatus.RUNNING, heartbeat_at__lt=cutoff, run__status=RunStatus.RUNNING)
    for shard_id, run_id in stale.values_list("pk", "run_id"):
        with transaction.atomic():
            run = _locked_run(run_id)
            shard = RunShard.objects.select_for_update().get(pk=shard_id)
            if shard.status != ShardStatus.RUNNING or shard.heartbeat_at >= cutoff or run.status != RunStatus.RUNNING:
                continue
            if shard.attempts < run.max_attempts:
                shard.status, shard.claim_token, shard.started_at = ShardStatus.QUEUED, None, None
                shard.error = _("The worker stopped answering during attempt %(n)s; queued again.") % {
                    "n": shard.attempts
                }
                shard.save()
                audit_record(
                    actor=None,
                    action="run.shard_requeue",
                    target=run,
                    after={"shard": shard.position, "attempt": shard.attempts},
                )
                _send(shard, run.queue)
            else:
                shard.status, shard.claim_token, shard.finished_at = ShardStatus.FAILED, None, timezone.now()
                shard.save()
                fail_locked(
                    run,
                    platform_fault=True,
                    error=_("The worker stopped answering %(n)s times on shard %(shard)s; giving up.")
                    % {"n": shard.attempts, "shard": shard.position + 1},
                )
            handled.append(shard_id)
    return handled


def shards_resend_waiting(*, waiting_for: datetime.timedelta = datetime.timedelta(minutes=10)) -> list[int]:
    """Queued shards, and merges that nobody took, of runs that have been quiet this long: their
    messages may have been lost (a broker restart). Send them again; harmless if the first
    message still arrives (one claim wins). Returns the shards' ids and the merged runs' ids."""
    since = timezone.now() - waiting_for
    waiting = list(
        RunShard.objects.filter(status=ShardStatus.QUEUED, run__status=RunStatus.RUNNING)
        .filter(models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=since))
        .filter(run__heartbeat_at__lt=since)
        .select_related("run")
    )
    for shard in waiting:
        RunShard.objects.filter(pk=shard.pk, status=ShardStatus.QUEUED).update(heartbeat_at=timezone.now())
        with transaction.atomic():
            _send(shard, shard.run.queue)
    unmerged = list(
        EvaluationRun.objects.filter(
            status=RunStatus.RUNNING,
            claim_token__isnull=True,
            progress_total__gt=0,
            progress_done=models.F("progress_total"),
            heartbeat_at__lt=since,
        )
    )
    for run in unmerged:
        EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        with transaction.atomic():
            dispatch.send_merge_run(run.pk, queue=run.queue)
    return [shard.pk for shard in waiting] + [run.pk for run in unmerged]
