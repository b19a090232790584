"""The worker's side of a run: plan it into shards, execute a shard, merge the shards.

Each step runs the harness in a forked child (evaluation/child.py) and writes its outcome
through the services, guarded by the claim token of the run (plan, merge) or of the shard.
Any worker on the run's queue takes any step, on any host: hosts share only the database, the
broker and the checkpoint root, and the artefact store (evaluation/artefacts.py) holds what the
web tier shows."""

import errno
import logging
import os
import shutil
import time
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext as _

from evaluation import artefacts, gpu_slots, harness, sharding
from evaluation.checkpoint_files import CheckpointProblem, containment_root
from evaluation.child import Outcome, OutcomeKind, Stopped, run_in_child
from evaluation.gpu import DoesNotFit, kv_cache_bytes, tensor_parallel_size
from evaluation.models import EvaluationRun, RunShard, RunStatus, ShardStatus
from evaluation.sandbox.refusal import sandbox_refusal
from evaluation.services import runs, shards
from evaluation.services.benchmark_data import pinned_snapshots
from evaluation.staging import Changed, host_copy, remove_host_copies

logger = logging.getLogger(__name__)
HEARTBEAT_S = 1.0
SAVE_ATTEMPTS = 3
SAVE_RETRY_DELAY_S = 1.0
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class Step(StrEnum):
    """What one evaluation step (plan, shard, merge) did with the message it was sent."""

    NOT_QUEUED = "not queued"  # the run or shard was not waiting (a repeated message)
    NOT_READY = "not ready"  # a merge before every shard succeeded
    PLANNED = "planned"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the run failed, with its reason
    STOPPED = "stopped"  # cancelled, or the claim was lost to another worker


class _Beat:
    """Tells the database a step is alive, at most once a second; raises Stopped when the step
    has lost its run or shard. `send(done, task)` writes and returns whether it still holds it."""

    def __init__(self, send, task: str = ""):
        self.send, self.task, self.last = send, task, 0.0

    def __call__(self, done: int = 0, task: str | None = None) -> None:
        now = time.monotonic()
        if now - self.last < HEARTBEAT_S:
            return
        self.last = now
        try:
            alive = self.send(done, task or self.task)
        except (OperationalError, InterfaceError):
            # A dropped connection (a failover, a restart) is not a lost step: reconnect at the
            # next beat. If the database stays away, the reaper re-queues the step as usual.
            logger.warning("heartbeat lost its database connection; reconnecting")
            connection.close()
            return
        if not alive:
            raise Stopped


def _run_beat(run: EvaluationRun, token, task: str = "", done: int | None = None) -> _Beat:
    return _Beat(
        lambda d, t: runs.run_heartbeat(
            run_id=run.pk, token=token, progress_done=d if done is None else done, current_task=t
        ),
        task,
    )


def _spec(run: EvaluationRun) -> dict:
    """What every step needs: the model's settings, where the suite's tasks are, and the
    benchmark data snapshots the run pinned."""
    pinned = {
        key: digest
        for subtasks in run.data.values()
        for datasets in subtasks.values()
        for key, digest in datasets.items()
    }
    return {
        "backend": run.backend,
        "dtype": run.dtype,
        "device": run.device,
        "batch_size": run.batch_size,
        "seeds": run.seeds,
        "threads": settings.EVAL_TORCH_THREADS,
        "include_paths": [str(path) for path in _include_paths(run)],
        "snapshots": pinned_snapshots(pinned),
        "sandbox": run.suite_version.sandbox,  # a coding suite's limits (evaluation/sandbox/)
    }


def _tasks(run: EvaluationRun) -> list[dict]:
    # Each task with the protocol the run was requested under (the suite's, a preview's limit).
    return [
        {"task": task, "n_shot": n_shot, "protocol": run.protocol.get(task) or protocol, "definition": definition}
        for task, n_shot, protocol, definition in run.suite_version.tasks.order_by("position").values_list(
            "task", "n_shot", "protocol", "definition"
        )
    ]


def _include_paths(run: EvaluationRun) -> list[Path]:
    from evaluation.suite_files import HARNESS_TASKS_DIR

    return [HARNESS_TASKS_DIR / name for name in run.suite_version.task_dirs]


def _workdir(*parts) -> Path:
    return settings.EVAL_RUNS_DIR.joinpath(*(str(p) for p in parts))


def _failure(outcome: Outcome) -> tuple[str, bool]:
    """The reason a step failed, and whether it is the platform's fault (not the team's)."""
    if outcome.kind == OutcomeKind.ERROR and outcome.errno in DISK_FULL:
        return (
            _("The platform's disk is full: the evaluation could not write its output (%(error)s).")
            % {"error": outcome.error}
        ), True
    if outcome.exception == "BenchmarkDataMissing":
        return _("The benchmark data this run reads is not usable here: %(error)s") % {
            "error": outcome.error.partition(": ")[2]
        }, True
    return outcome.error, False


# Planning -------------------------------------------------------------------------------------


def execute_run(run_id: int, *, worker_host: str) -> Step:
    """Plan a queued run into shards and queue them."""
    claimed = runs.run_claim(run_id=run_id, worker_host=worker_host)
    if claimed is None:
        return Step.NOT_QUEUED
    run, token = claimed
    try:
        return _plan(run, token)
    except Exception as exc:
        # Whatever went wrong on our side, the run ends with a reason instead of hanging in "running".
        logger.exception("run %s: planning failed inside the platform", run.pk)
        runs.run_fail(
            run_id=run.pk,
            token=token,
            platform_fault=True,
            error=_("The platform failed while running this evaluation: %(error)s") % {"error": exc},
        )
        return Step.FAILED


def _plan(run: EvaluationRun, token) -> Step:
    run = EvaluationRun.objects.select_related("suite_version").get(pk=run.pk)
    refused = sandbox_refusal(run.suite_version)  # a coding suite never runs without the sandbox
    if refused:
        runs.run_fail(run_id=run.pk, token=token, error=refused, platform_fault=True)
        return Step.FAILED
    spec = {**_spec(run), "tasks": _tasks(run)}
    workdir = _workdir(run.pk, f"plan-{run.attempts}")
    outcome = run_in_child(
        harness.plan,
        spec,
        workdir=workdir,
        beat=_run_beat(run, token, _("planning the shards")),
        time_limit_s=run.time_limit_s,
    )
    shutil.rmtree(workdir, ignore_errors=True)  # the outcome holds what is kept
    if outcome.kind == OutcomeKind.STOPPED:
        return Step.STOPPED
    if outcome.kind != OutcomeKind.RESULT:
        # The suite's tasks or data could not be loaded: the platform's problem, not the team's.
        runs.run_fail(
            run_id=run.pk,
            token=token,
            platform_fault=True,
            log_tail=outcome.log_tail,
            error=_("The suite's tasks could not be prepared: %(error)s") % {"error": outcome.error},
        )
        return Step.FAILED
    planned = sharding.plan(outcome.result["tasks"], shard_documents=settings.EVAL_SHARD_DOCUMENTS)
    return (
        Step.PLANNED if _saving(lambda: shards.run_plan(run_id=run.pk, token=token, shards=planned)) else Step.STOPPED
    )


# One shard ------------------------------------------------------------------------------------


def execute_shard(shard_id: int, *, worker_host: str) -> Step:
    claimed = shards.shard_claim(shard_id=shard_id, worker_host=worker_host)
    if claimed is None:
        return Step.NOT_QUEUED
    shard, token = claimed
    try:
        return _shard(shard, token)
    except Exception as exc:
        logger.exception("shard %s: attempt failed inside the platform", shard.pk)
        shards.shard_fail(
            shard_id=shard.pk,
            token=token,
            platform_fault=True,
            error=_("The platform failed while running this evaluation: %(error)s") % {"error": exc},
        )
        return Step.FAILED
    finally:
        remove_host_copies(settings.EVAL_RUNS_DIR, keep=_running_runs)


def _running_runs(ids: list[int]) -> set[int]:
    return set(
        EvaluationRun.objects.filter(pk__in=ids, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).values_list(
            "pk", flat=True
        )
    )


def _shard(shard: RunShard, token) -> Step:
    shard = RunShard.objects.select_related("run__checkpoint__team", "run__suite_version").get(pk=shard.pk)
    run, checkpoint = shard.run, shard.run.checkpoint

    def fail(error: str, *, platform_fault: bool = False, log_tail: str = "") -> Step:
        shards.shard_fail(shard_id=shard.pk, token=token, error=error, platform_fault=platform_fault, log_tail=log_tail)
        return Step.FAILED

    refused = sandbox_refusal(run.suite_version)  # this host, too, must have the sandbox
    if refused:
        return fail(refused, platform_fault=True)
    beat = _Beat(
        lambda done, task: shards.shard_heartbeat(shard_id=shard.pk, token=token, current_task=task),
        _("checking the checkpoint's files"),
    )
    try:
        # A folder that vanished or cannot be listed (unmounted, a symlink loop) would walk as
        # empty and read as "changed"; say what really happened.
        os.listdir(checkpoint.resolved_path)
    except OSError as exc:
        return fail(_("The checkpoint's folder cannot be read: %(error)s.") % {"error": exc.strerror or exc})
    try:
        # The evaluation loads this host's read-only copy, whose bytes were hashed as they were
        # copied: a file the team swaps in later is never scored. Not billed: the shard's GPU
        # time starts when its evaluation process does.
        model_dir = host_copy(
            run.pk,
            Path(checkpoint.resolved_path),
            runs_dir=settings.EVAL_RUNS_DIR,
            manifest=checkpoint.manifest,
            manifest_digest=run.manifest_digest,
            team_root=containment_root(
                checkpoint.source, team_slug=checkpoint.team.slug, root=settings.CHECKPOINT_ROOT
            ),
            on_progress=lambda percent: beat(),
        )
    except (CheckpointProblem, Changed):
        return fail(_("The checkpoint changed since submission: its files no longer match the manifest."))
    except OSError as exc:
        if exc.errno in DISK_FULL:
            return fail(
                _("The platform's disk is full: the checkpoint could not be copied for evaluation (%(error)s).")
                % {"error": exc},
                platform_fault=True,
            )
        return fail(_("The checkpoint's files cannot be read: %(error)s.") % {"error": exc})
    except Stopped:
        return Step.STOPPED
    entry = next(t for t in _tasks(run) if t["task"] == shard.task)
    gpus = 0
    if run.device.startswith("cuda"):
        try:
            gpus = tensor_parallel_size(
                parameter_count=checkpoint.parameter_count,
                dtype=run.dtype,
                gpus=gpu_slots.host_gpus(),
                gpu_memory_gib=settings.EVAL_GPU_MEMORY_GIB,
                kv_cache=kv_cache_bytes(model_dir, dtype=run.dtype, tokens=entry["protocol"].get("max_model_len")),
            )
        except DoesNotFit as exc:
            return fail(_("The model does not fit: %(why)s") % {"why": exc})
    workdir = _workdir(run.pk, f"shard-{shard.position}", f"attempt-{shard.attempts}")
    spec = {
        **_spec(run),
        "model_path": str(model_dir),
        "tensor_parallel_size": max(1, gpus),
        "task": entry,
        "pieces": shard.pieces,
        "samples_file": str(workdir / "samples.jsonl.gz"),
    }
    beat.task = shard.task
    try:
        lease = gpu_slots.lease(gpus, wait=beat) if gpus else None
    except Stopped:
        return Step.STOPPED
    try:
        outcome = run_in_child(
            harness.evaluate_shard,
            spec,
            workdir=workdir,
            beat=beat,
            time_limit_s=run.time_limit_s,
            environment={"CUDA_VISIBLE_DEVICES": lease.visible_devices} if lease else None,
            on_start=lambda pid: shards.shard_started_process(
                shard_id=shard.pk, token=token, gpus=gpus, process_id=pid
            ),
        )
    finally:
        if lease:
            lease.release()
    try:
        return _store_shard(shard, token, outcome, workdir, fail)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # this host's scratch: what is kept went to the store


def _store_shard(shard: RunShard, token, outcome: Outcome, workdir: Path, fail) -> Step:
    if outcome.kind == OutcomeKind.STOPPED:
        return Step.STOPPED
    if outcome.kind != OutcomeKind.RESULT:
        error, platform_fault = _failure(outcome)
        return fail(error, platform_fault=platform_fault, log_tail=outcome.log_tail)
    prefix = f"runs/{shard.run_id}/shard-{shard.position}/attempt-{shard.attempts}"
    samples_name = artefacts.save(f"{prefix}/samples.jsonl.gz", (workdir / "samples.jsonl.gz").read_bytes())
    log_name = artefacts.save(f"{prefix}/harness.log", (workdir / "harness.log").read_bytes())
    stored = _saving(
        lambda: shards.shard_succeed(
            shard_id=shard.pk,
            token=token,
            raw_metrics=outcome.result["raw_metrics"],
            report=outcome.result["report"],
            samples_artefact=samples_name,
            log_artefact=log_name,
        )
    )
    return Step.SUCCEEDED if stored else Step.STOPPED


# The merge ------------------------------------------------------------------------------------


def merge_run(run_id: int, *, worker_host: str) -> Step:
    """Aggregate a run whose shards all succeeded, and store its results once."""
    claimed = shards.run_claim_merge(run_id=run_id, worker_host=worker_host)
    if claimed is None:
        return Step.NOT_READY
    run, token = claimed
    try:
        return _merge(run, token)
    except Exception as exc:
        logger.exception("run %s: merge failed inside the platform", run.pk)
        runs.run_fail(
            run_id=run.pk,
            token=token,
            platform_fault=True,
            error=_("The platform failed while merging this evaluation: %(error)s") % {"error": exc},
        )
        return Step.FAILED


def _merge(run: EvaluationRun, token) -> Step:
    run = EvaluationRun.objects.select_related("suite_version").get(pk=run.pk)
    done = list(
        run.shards.filter(status=ShardStatus.SUCCEEDED)
        .order_by("position")
        .values("pieces", "raw_metrics", "report", "log_artefact")
    )
    spec = {
        **_spec(run),
        "tasks": _tasks(run),
        "raw_metrics": sharding.merge_raw_metrics(done),
        "reports": [shard["report"] for shard in done],
    }
    workdir = _workdir(run.pk, f"merge-{run.attempts}")
    outcome = run_in_child(
        harness.merge,
        spec,
        workdir=workdir,
        beat=_run_beat(run, token, _("merging the shards"), done=run.progress_total),
        time_limit_s=run.time_limit_s,
    )
    shutil.rmtree(workdir, ignore_errors=True)
    if outcome.kind == OutcomeKind.STOPPED:
        return Step.STOPPED
    if outcome.kind != OutcomeKind.RESULT:
        error, _platform = _failure(outcome)
        runs.run_fail(run_id=run.pk, token=token, error=error, log_tail=outcome.log_tail, platform_fault=True)
        return Step.FAILED
    log_tail = artefacts.read_text(done[-1]["log_artefact"])[-4000:] if done else ""
    try:
        stored = _saving(
            lambda: runs.run_succeed(
                run_id=run.pk,
                token=token,
                results=outcome.result,
                versions=outcome.versions,
                backend=run.backend,
                device=run.device,
                batch_size=run.batch_size,
                log_tail=log_tail,
            )
        )
    except KeyError as missing:
        runs.run_fail(run_id=run.pk, token=token, error=str(missing.args[0]), log_tail=log_tail, platform_fault=True)
        return Step.FAILED
    except (OperationalError, InterfaceError) as exc:
        error = _("The results could not be saved: the database connection was lost %(n)s times (%(error)s).") % {
            "n": SAVE_ATTEMPTS,
            "error": str(exc).strip()[:300],
        }
        _saving(lambda: runs.run_fail(run_id=run.pk, token=token, log_tail=log_tail, platform_fault=True, error=error))
        return Step.FAILED
    return Step.SUCCEEDED if stored else Step.STOPPED


def _saving(write):
    """Run one database write of a step's outcome, again on a fresh connection if the connection
    drops (a failover, a restart, an administrator's kill). The work is done and its results are
    in hand: a dropped connection must not throw them away. Each write is one transaction guarded
    by a claim token, so repeating it writes all or nothing, once."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == SAVE_ATTEMPTS:
                raise
            logger.warning(
                "database connection lost while saving (attempt %s of %s); retrying",
                attempt,
                SAVE_ATTEMPTS,
                exc_info=True,
            )
            connection.close()
            time.sleep(SAVE_RETRY_DELAY_S * attempt)
