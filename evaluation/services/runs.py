"""Evaluation runs: request, claim, heartbeat, finish, cancel, and the reaper.

Only the attempt that holds a run's claim token may write its progress or
results, so a run is never executed twice concurrently and never stores two
result sets, even when a lost worker comes back."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from budget.services.usage import budget_charge_evaluation_run
from consortium.models import Team
from core.permissions import Action, can, require
from evaluation import dispatch
from evaluation import protocol as protocols
from evaluation.gpu import placement
from evaluation.models import (
    Checkpoint,
    CheckpointStatus,
    EvaluationRun,
    RunStatus,
    SuiteVersion,
    TaskResult,
)
from evaluation.scoring import overall_score, task_rows
from evaluation.services.run_end import charge_running_shards, fail_locked
from evaluation.services.run_notices import notify_run_ended

DEFAULT_SEEDS = {"random_seed": 0, "numpy_random_seed": 1234, "torch_random_seed": 1234, "fewshot_random_seed": 1234}
QUOTA_WINDOW = datetime.timedelta(days=7)


def _enqueue(run: EvaluationRun) -> None:
    # With the broker down the run stays queued; the beat task's run_resend_waiting sends it later.
    dispatch.send_execute_run(run.pk, queue=run.queue)


def _quota_check(team: Team, suite_version: SuiteVersion, now) -> None:
    limit = settings.EVAL_SUBMISSIONS_PER_WEEK
    window = EvaluationRun.objects.filter(
        checkpoint__team=team,
        suite_version__suite=suite_version.suite,
        counts_against_quota=True,
        created_at__gte=now - QUOTA_WINDOW,
    ).order_by("created_at")
    used = list(window.values_list("created_at", flat=True)[:limit])
    if len(used) >= limit:
        raise ValidationError(
            {
                "suite": [
                    _(
                        "Your team has used its %(limit)s runs of this suite in 7 days; the next one is possible after %(when)s."
                    )
                    % {"limit": limit, "when": timezone.localtime(used[0] + QUOTA_WINDOW).strftime("%Y-%m-%d %H:%M")}
                ]
            }
        )


def _copy_results(source: EvaluationRun, run: EvaluationRun) -> None:
    TaskResult.objects.bulk_create(
        TaskResult(
            run=run,
            task=r.task,
            metric=r.metric,
            value=r.value,
            stderr=r.stderr,
            n_samples=r.n_samples,
            normalised_score=r.normalised_score,
        )
        for r in source.task_results.all()
    )


def run_protocol(suite_version: SuiteVersion, *, preview_limit: int | None = None) -> dict:
    """{task: effective protocol} for a run of this suite version (a preview's limit applied)."""
    return {
        t.task: protocols.with_preview_limit(t.protocol, preview_limit)
        for t in suite_version.tasks.order_by("position")
    }


def is_preview_protocol(protocol: dict) -> bool:
    return any(protocols.is_preview(p) for p in protocol.values())


def _same_inputs(runs, *, protocol: dict) -> EvaluationRun | None:
    """The first of these runs evaluated under exactly this protocol."""
    return next((r for r in runs if r.protocol == protocol), None)


def _check_runnable(checkpoint: Checkpoint, suite_version: SuiteVersion, protocol: dict) -> None:
    if checkpoint.status != CheckpointStatus.READY:
        raise ValidationError(
            {
                "checkpoint": [
                    _("The checkpoint is not ready (it is %(status)s).") % {"status": checkpoint.get_status_display()}
                ]
            }
        )
    if suite_version.missing_data:
        raise ValidationError(
            {
                "suite": [
                    _("This suite reads benchmark data that has not been imported: %(names)s.")
                    % {"names": ", ".join(suite_version.missing_data)}
                ]
            }
        )
    if any(protocols.needs_chat_template(p) for p in protocol.values()) and not checkpoint.has_chat_template:
        raise ValidationError(
            {
                "suite": [
                    _(
                        "This suite is scored under a chat protocol, and the checkpoint's "
                        "tokenizer has no chat template."
                    )
                ]
            }
        )


@transaction.atomic
def run_request(
    *,
    actor,
    checkpoint: Checkpoint,
    suite_version: SuiteVersion,
    force: bool = False,
    official: bool = False,
    preview_limit: int | None = None,
) -> EvaluationRun:
    """Queue a run, or reuse a succeeded run of the same weights on the same suite version under
    the same protocol. Only admins force a re-run. The weekly limit is checked under a lock on the
    team; a stage's official run (`official`, queued by the platform) is the programme's and does
    not count. A preview (`preview_limit` items per task) is a quick look: it does not count
    either, and never reaches a leaderboard, a snapshot or a stage."""
    team = Team.objects.select_for_update().get(pk=checkpoint.team_id)
    if actor is not None:
        if force:
            require(actor, Action.MANAGE_REGISTRY)
        elif not can(actor, Action.MANAGE_REGISTRY):
            require(actor, Action.SUBMIT_CHECKPOINT, team)
    protocol = run_protocol(suite_version, preview_limit=preview_limit)  # one read of the suite's tasks
    _check_runnable(checkpoint, suite_version, protocol)
    if preview_limit is not None and (official or not 1 <= preview_limit <= settings.EVAL_PREVIEW_MAX_ITEMS):
        raise ValidationError(
            {
                "preview_limit": [
                    _("A preview scores 1 to %(n)s items per task, and an official run is never a preview.")
                    % {"n": settings.EVAL_PREVIEW_MAX_ITEMS}
                ]
            }
        )
    preview = is_preview_protocol(protocol)
    now = timezone.now()
    where = placement()
    requested_by = actor if actor is not None and actor.is_authenticated else None
    in_flight = _same_inputs(
        EvaluationRun.objects.filter(
            checkpoint=checkpoint, suite_version=suite_version, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ),
        protocol=protocol,
    )
    if in_flight:
        return in_flight  # asking twice does not queue (or charge) a second run
    earlier = _same_inputs(
        # Only the team's own earlier run: another team's identical weights are a matter for
        # the originality check, and its results and samples stay its own.
        EvaluationRun.objects.filter(
            checkpoint__manifest_digest=checkpoint.manifest_digest,
            checkpoint__team=team,
            suite_version=suite_version,
            status=RunStatus.SUCCEEDED,
            reused_from__isnull=True,
            dtype=checkpoint.precision,
            backend=where.backend,
            device=where.device,
            batch_size=settings.EVAL_BATCH_SIZE,
            preview=preview,
        ).order_by("created_at"),
        protocol=protocol,
    )
    if earlier and not force:
        run = EvaluationRun.objects.create(
            checkpoint=checkpoint,
            suite_version=suite_version,
            requested_by=requested_by,
            status=RunStatus.SUCCEEDED,
            reused_from=earlier,
            counts_against_quota=False,
            **{
                f: getattr(earlier, f)
                for f in (
                    "backend",
                    "device",
                    "dtype",
                    "batch_size",
                    "seeds",
                    "manifest_digest",
                    "versions",
                    "results",
                    "samples_file",
                    "progress_done",
                    "progress_total",
                    "overall_score",
                    "protocol",
                    "preview",
                    "data",
                )
            },
            started_at=now,
            finished_at=now,
        )
        _copy_results(earlier, run)
        audit_record(actor=actor, action="run.reuse", target=run, after=snapshot(run, results=None))
        return run
    if not force and not official and not preview:  # an admin's forced re-run is the programme's
        _quota_check(team, suite_version, now)
    run = EvaluationRun.objects.create(
        checkpoint=checkpoint,
        suite_version=suite_version,
        requested_by=requested_by,
        forced=force,
        counts_against_quota=not (force or official or preview),
        protocol=protocol,
        preview=preview,
        data={t.task: t.data for t in suite_version.tasks.all() if t.data},
        queue=where.queue,
        backend=where.backend,
        device=where.device,
        dtype=checkpoint.precision,
        seeds=DEFAULT_SEEDS,
        batch_size=settings.EVAL_BATCH_SIZE,
        manifest_digest=checkpoint.manifest_digest,
        time_limit_s=settings.EVAL_TIME_LIMIT_S,
        max_attempts=settings.EVAL_MAX_ATTEMPTS,
        progress_total=len(protocol),
    )
    audit_record(actor=actor, action="run.request", target=run, after=snapshot(run))
    _enqueue(run)
    return run


@transaction.atomic
def run_claim(*, run_id: int, worker_host: str) -> tuple[EvaluationRun, uuid.UUID] | None:
    """queued → running for one attempt; None if the run is not waiting (done, cancelled, taken)."""
    run = EvaluationRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return None
    now = timezone.now()
    run.status, run.claim_token = RunStatus.RUNNING, uuid.uuid4()
    run.attempts += 1
    run.worker_host, run.heartbeat_at = worker_host, now
    run.started_at = run.started_at or now
    run.progress_done, run.current_task, run.error = 0, "", ""
    run.save()
    return run, run.claim_token


def run_heartbeat(*, run_id: int, token: uuid.UUID, progress_done: int, current_task: str) -> bool:
    """Record progress; False means this attempt has lost the run (cancelled or re-queued): stop."""
    return bool(
        EvaluationRun.objects.filter(pk=run_id, claim_token=token, status=RunStatus.RUNNING).update(
            heartbeat_at=timezone.now(), progress_done=progress_done, current_task=current_task[:200]
        )
    )


def _locked_attempt(run_id: int, token: uuid.UUID) -> EvaluationRun | None:
    run = EvaluationRun.objects.select_for_update().select_related("suite_version").get(pk=run_id)
    return run if run.claim_token == token and run.status == RunStatus.RUNNING else None


@transaction.atomic
def run_succeed(
    *,
    run_id: int,
    token: uuid.UUID,
    results: dict,
    versions: dict,
    backend: str,
    device: str,
    batch_size: int,
    log_tail: str = "",
) -> bool:
    """Store the harness's results (merged from the shards) and one row per suite task, once.
    The per-sample logs stay where the shards stored them (evaluation/artefacts.py)."""
    run = _locked_attempt(run_id, token)
    if run is None:
        return False
    suite_tasks = list(run.suite_version.tasks.all())
    rows = task_rows(results, suite_tasks)
    TaskResult.objects.bulk_create(TaskResult(run=run, **row) for row in rows)
    run.overall_score = overall_score(rows, suite_tasks)
    if run.forced:
        _compare_with_original(run, rows)
    run.status, run.claim_token, run.finished_at = RunStatus.SUCCEEDED, None, timezone.now()
    run.results, run.versions, run.log_tail = results, versions, log_tail[-20000:]
    run.backend, run.device, run.batch_size = backend, device, batch_size
    run.progress_done = run.progress_total
    run.save()
    budget_charge_evaluation_run(run=run)  # GPU time to the team's budget, once
    audit_record(
        actor=None,
        action="run.succeeded",
        target=run,
        after={"scores": {r["task"]: r["value"] for r in rows}, "attempt": run.attempts},
    )
    notify_run_ended(run)
    return True


def _compare_with_original(run: EvaluationRun, rows: list[dict]) -> None:
    """A forced re-run must reproduce the numbers: record whether it did, and audit a mismatch."""
    original = _same_inputs(
        EvaluationRun.objects.filter(
            checkpoint__manifest_digest=run.manifest_digest,
            suite_version=run.suite_version,
            checkpoint__team_id=run.checkpoint.team_id,
            status=RunStatus.SUCCEEDED,
            reused_from__isnull=True,
            dtype=run.dtype,
            backend=run.backend,
            device=run.device,
            batch_size=run.batch_size,
            preview=run.preview,
        )
        .exclude(pk=run.pk)
        .order_by("created_at"),
        protocol=run.protocol,
    )
    if original is None:
        return
    before = {(r.task, r.metric): (r.value, r.stderr) for r in original.task_results.all()}
    after = {(r["task"], r["metric"]): (r["value"], r["stderr"]) for r in rows}
    run.reproduces, run.reproduced_exactly = original, before == after
    if before != after:
        audit_record(
            actor=None,
            action="run.not_reproduced",
            target=run,
            after={
                "original": original.pk,
                "differences": {
                    f"{t}/{m}": [before.get((t, m)), value]
                    for (t, m), value in after.items()
                    if before.get((t, m)) != value
                },
            },
        )


@transaction.atomic
def run_fail(*, run_id: int, token: uuid.UUID, error: str, log_tail: str = "", platform_fault: bool = False) -> bool:
    """Failed, with a reason in plain words. Failures the platform caused don't count against the team."""
    run = _locked_attempt(run_id, token)
    if run is None:
        return False
    fail_locked(run, error=error, log_tail=log_tail, platform_fault=platform_fault)
    return True


@transaction.atomic
def run_cancel(*, actor, run: EvaluationRun) -> EvaluationRun:
    """A member of the team or an admin stops a queued or running run; its process is killed."""
    run = EvaluationRun.objects.select_for_update().select_related("checkpoint__team").get(pk=run.pk)
    if not can(actor, Action.MANAGE_REGISTRY):
        require(actor, Action.SUBMIT_CHECKPOINT, run.checkpoint.team)
    if run.is_terminal:
        raise ValidationError(
            {"status": [_("The run has already ended (%(status)s).") % {"status": run.get_status_display()}]}
        )
    before = snapshot(run)
    run.status, run.claim_token, run.finished_at = RunStatus.CANCELLED, None, timezone.now()
    charge_running_shards(run, run.finished_at)
    run.save()
    budget_charge_evaluation_run(run=run)
    audit_record(actor=actor, action="run.cancel", target=run, before=before, after=snapshot(run))
    return run


QUEUED_RESEND_AFTER = datetime.timedelta(minutes=10)


def run_resend_waiting(*, waiting_for: datetime.timedelta = QUEUED_RESEND_AFTER) -> list[int]:
    """A run queued long ago and never claimed may have lost its message (a broker restart);
    send it again. Harmless if the first message still arrives: only one claim succeeds."""
    since = timezone.now() - waiting_for
    waiting = list(
        EvaluationRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=since).filter(
            models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=since)
        )
    )
    for run in waiting:
        EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(heartbeat_at=timezone.now())
        with transaction.atomic():
            _enqueue(run)
    return [run.pk for run in waiting]


def run_requeue_stale(*, stale_after: datetime.timedelta | None = None) -> list[int]:
    """The reaper, for the attempts that hold a run (planning, merging): one whose heartbeat
    stopped lost its worker. Plan again (queued) or merge again, up to the attempt limit; then fail
    the run with the reason. Shard attempts: shards.shards_requeue_stale."""
    stale_after = stale_after or datetime.timedelta(seconds=settings.EVAL_HEARTBEAT_TIMEOUT_S)
    cutoff = timezone.now() - stale_after
    handled = []
    stale_ids = EvaluationRun.objects.filter(
        status=RunStatus.RUNNING, heartbeat_at__lt=cutoff, claim_token__isnull=False
    ).values_list("pk", flat=True)
    for run_id in stale_ids:
        with transaction.atomic():
            run = EvaluationRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING or run.heartbeat_at >= cutoff or run.claim_token is None:
                continue
            if run.attempts < run.max_attempts and run.progress_total and run.shards.exists():
                run.claim_token = None  # the merge was lost: the shards' results are kept, merge again
                run.error = _("The worker stopped answering while merging (attempt %(n)s); merging again.") % {
                    "n": run.attempts
                }
                run.save()
                audit_record(actor=None, action="run.requeue", target=run, after={"attempt": run.attempts})
                dispatch.send_merge_run(run.pk, queue=run.queue)
            elif run.attempts < run.max_attempts:
                run.status, run.claim_token = RunStatus.QUEUED, None
                run.error = _("The worker stopped answering during attempt %(n)s; queued again.") % {"n": run.attempts}
                run.save()
                audit_record(actor=None, action="run.requeue", target=run, after={"attempt": run.attempts})
                _enqueue(run)
            else:
                fail_locked(
                    run,
                    error=_("The worker stopped answering %(n)s times; giving up.") % {"n": run.attempts},
                    platform_fault=True,
                )
            handled.append(run_id)
    return handled
