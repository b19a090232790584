"""One attempt of an evaluation run, supervised from the worker.

The evaluation runs in a forked child process: it inherits the worker's warm
imports and task index, and whatever it does (crash, OOM, a hung kernel) ends
with the child, not the worker, whose memory returns to where it was. The
parent reports heartbeats and progress, enforces the time limit, and kills the
child when the run is cancelled or taken from it. Only the parent writes to the
database."""
import ctypes
import errno
import json
import logging
import os
import select
import signal
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext as _

from evaluation import harness
from evaluation.checkpoint_files import CheckpointProblem, containment_root
from evaluation.staging import remove_staged, stage_checkpoint
from evaluation.gpu import DoesNotFit, tensor_parallel_size
from evaluation.models import EvaluationRun
from evaluation.sandbox.refusal import sandbox_refusal
from evaluation.services import runs

logger = logging.getLogger(__name__)
HEARTBEAT_S = 1.0
PR_SET_PDEATHSIG = 1
SAVE_ATTEMPTS = 3
SAVE_RETRY_DELAY_S = 1.0
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def execute_run(run_id: int, *, worker_host: str) -> str:
    claimed = runs.run_claim(run_id=run_id, worker_host=worker_host)
    if claimed is None:
        return "not queued"
    run, token = claimed
    try:
        return _attempt(run, token)
    except Exception as exc:
        # Whatever went wrong on our side, the run ends with a reason instead of hanging in "running".
        logger.exception("run %s: attempt failed inside the platform", run.pk)
        runs.run_fail(run_id=run.pk, token=token, platform_fault=True,
                      error=_("The platform failed while running this evaluation: %(error)s") % {"error": exc})
        return "failed"


def _attempt(run: EvaluationRun, token) -> str:
    run = EvaluationRun.objects.select_related("checkpoint__team", "suite_version").get(pk=run.pk)
    checkpoint = run.checkpoint
    refused = sandbox_refusal(run.suite_version)  # a coding suite never runs without the sandbox
    if refused:
        runs.run_fail(run_id=run.pk, token=token, error=refused, platform_fault=True)
        return "failed"
    beat = _Heartbeat(run.pk, token, current_task=_("checking the checkpoint's files"))
    try:
        # A folder that vanished or cannot be listed (unmounted, a symlink loop) would walk as
        # empty and read as "changed"; say what really happened.
        os.listdir(checkpoint.resolved_path)
    except OSError as exc:
        runs.run_fail(run_id=run.pk, token=token, error=_("The checkpoint's folder cannot be read: %(error)s.")
                      % {"error": exc.strerror or exc})
        return "failed"
    attempt_dir = settings.EVAL_RUNS_DIR / str(run.pk) / f"attempt-{run.attempts}"
    model_dir = attempt_dir / "model"
    remove_staged(model_dir)  # a previous try of this attempt number (a re-delivered message)
    attempt_dir.mkdir(parents=True, exist_ok=True)
    try:
        # The evaluation loads a read-only copy whose bytes were hashed as they were copied: a
        # file the team swaps in later is never scored. Not billed: the attempt's GPU time starts
        # when the evaluation process does.
        team_root = containment_root(checkpoint.source, team_slug=checkpoint.team.slug, root=settings.CHECKPOINT_ROOT)
        digest = stage_checkpoint(Path(checkpoint.resolved_path), model_dir, manifest=checkpoint.manifest,
                                  team_root=team_root, on_progress=lambda percent: beat())
    except CheckpointProblem:
        digest = None
    except OSError as exc:
        remove_staged(model_dir)
        if exc.errno in DISK_FULL:
            runs.run_fail(run_id=run.pk, token=token, platform_fault=True,
                          error=_("The platform's disk is full: the checkpoint could not be copied for evaluation "
                                  "(%(error)s).") % {"error": exc})
        else:
            runs.run_fail(run_id=run.pk, token=token, error=_("The checkpoint's files cannot be read: %(error)s.")
                          % {"error": exc})
        return "failed"
    except _Stopped:
        remove_staged(model_dir)
        return "stopped"
    if digest != run.manifest_digest:
        remove_staged(model_dir)
        runs.run_fail(run_id=run.pk, token=token,
                      error=_("The checkpoint changed since submission: its files no longer match the manifest."))
        return "failed"
    try:
        return _evaluate(run, token, checkpoint, attempt_dir, model_dir)
    finally:
        remove_staged(model_dir)


def _evaluate(run: EvaluationRun, token, checkpoint, attempt_dir: Path, model_dir: Path) -> str:
    tensor_parallel = 1
    if run.backend == "vllm":
        try:
            tensor_parallel = tensor_parallel_size(
                parameter_count=checkpoint.parameter_count, dtype=run.dtype,
                gpus=settings.EVAL_GPUS_PER_WORKER, gpu_memory_gib=settings.EVAL_GPU_MEMORY_GIB)
        except DoesNotFit as exc:
            runs.run_fail(run_id=run.pk, token=token, error=_("The model does not fit: %(why)s") % {"why": exc})
            return "failed"
    spec = {
        "model_path": str(model_dir),
        "backend": run.backend,
        "tensor_parallel_size": tensor_parallel,
        "dtype": run.dtype,
        "device": run.device,
        "batch_size": run.batch_size,
        "seeds": run.seeds,
        # Each task with the protocol the run was requested under (the suite's, a preview's limit).
        "tasks": [{"task": task, "n_shot": n_shot, "protocol": run.protocol.get(task) or protocol}
                  for task, n_shot, protocol in run.suite_version.tasks.order_by("position")
                  .values_list("task", "n_shot", "protocol")],
        "include_paths": [str(p) for p in _include_paths(run)],
        "samples_file": str(attempt_dir / "samples.jsonl.gz"),
        "results_file": str(attempt_dir / "results.json"),
        "log_file": str(attempt_dir / "harness.log"),
        "threads": settings.EVAL_TORCH_THREADS,
        "sandbox": run.suite_version.sandbox,  # a coding suite's limits (evaluation/sandbox/)
    }
    return _supervise(run, token, spec)


class _Stopped(Exception):
    """This attempt lost its run (cancelled, or re-queued after being presumed lost)."""


class _Heartbeat:
    """Tells the database this attempt is alive, at most once a second."""

    def __init__(self, run_id: int, token, current_task: str = ""):
        self.run_id, self.token, self.current_task, self.last = run_id, token, current_task, 0.0

    def __call__(self, done: int = 0, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= HEARTBEAT_S:
            self.last = now
            try:
                alive = runs.run_heartbeat(run_id=self.run_id, token=self.token, progress_done=done,
                                           current_task=self.current_task)
            except (OperationalError, InterfaceError):
                # A dropped connection (a failover, a restart) is not a lost run: reconnect at the
                # next beat. If the database stays away, the reaper re-queues the run as usual.
                logger.warning("run %s: heartbeat lost its database connection; reconnecting", self.run_id)
                connection.close()
                return
            if not alive:
                raise _Stopped


def _include_paths(run: EvaluationRun) -> list[Path]:
    from evaluation.suite_files import HARNESS_TASKS_DIR

    return [HARNESS_TASKS_DIR / name for name in run.suite_version.task_dirs]


def _child(spec: dict, write_fd: int) -> None:
    """Runs in the forked child; never returns."""
    code = 1
    try:
        os.setsid()  # its own process group: a Ctrl-C meant for the worker is not for it, and
        # killing the group also ends whatever the harness started (vLLM engines, dataset workers)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the worker
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        log = os.open(spec["log_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)

        def send(message: dict) -> None:
            os.write(write_fd, (json.dumps(message) + "\n").encode())

        harness.prepare_environment(settings.EVAL_RUNS_DIR / "harness-cache")
        results = harness.evaluate(spec, lambda done, task: send({"type": "progress", "done": done, "task": task}))
        Path(spec["results_file"]).write_text(json.dumps(results))
        send({"type": "result", "versions": harness.versions()})
        code = 0
    except BaseException as exc:  # noqa: BLE001 - everything must end as a message and an exit code
        traceback.print_exc()
        message = {"type": "error", "error": f"{type(exc).__name__}: {exc}",
                   "errno": exc.errno if isinstance(exc, OSError) else None}
        try:
            os.write(write_fd, (json.dumps(message) + "\n").encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _log_tail(spec: dict, limit: int = 8000) -> str:
    try:
        with open(spec["log_file"], "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _kill(pid: int) -> None:
    """Kill the evaluation process and everything it started, and reap it."""
    _end_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGKILL:
            return _("The evaluation process was killed (out of memory, or stopped by the system).")
        return _("The evaluation process crashed (signal %(name)s).") % {"name": signal.Signals(number).name}
    return _("The evaluation process ended with exit code %(code)s.") % {"code": os.WEXITSTATUS(status)}


def _supervise(run: EvaluationRun, token, spec: dict) -> str:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(spec, write_fd)
    os.close(write_fd)
    try:
        runs.run_started_process(run_id=run.pk, token=token, process_id=pid)
        outcome = _watch(run, token, read_fd, pid)
    except BaseException:
        _kill(pid)  # whatever failed here, the evaluation must not run on unsupervised
        raise
    finally:
        os.close(read_fd)
    if outcome in ("stopped", "time limit"):
        _kill(pid)
        if outcome == "time limit":
            runs.run_fail(run_id=run.pk, token=token, log_tail=_log_tail(spec),
                          error=_("Time limit of %(seconds)s s exceeded.") % {"seconds": run.time_limit_s})
            return "failed"
        return "stopped"
    status = os.waitpid(pid, 0)[1]
    _end_group(pid)
    if outcome["type"] == "result" and status == 0:
        results = json.loads(Path(spec["results_file"]).read_text())
        try:
            stored = _saving(lambda: runs.run_succeed(
                run_id=run.pk, token=token, results=results, versions=outcome["versions"], backend=spec["backend"],
                device=spec["device"], batch_size=spec["batch_size"],
                samples_file=str(Path(spec["samples_file"]).relative_to(settings.EVAL_RUNS_DIR)),
                log_tail=_log_tail(spec, 4000),
            ))
        except KeyError as missing:
            runs.run_fail(run_id=run.pk, token=token, error=str(missing.args[0]), log_tail=_log_tail(spec),
                          platform_fault=True)
            return "failed"
        except (OperationalError, InterfaceError) as exc:
            _saving(lambda: runs.run_fail(
                run_id=run.pk, token=token, log_tail=_log_tail(spec), platform_fault=True,
                error=_("The results could not be saved: the database connection was lost %(n)s times (%(error)s).")
                % {"n": SAVE_ATTEMPTS, "error": str(exc).strip()[:300]}))
            return "failed"
        return "succeeded" if stored else "stopped"
    if outcome["type"] == "error" and outcome.get("errno") in DISK_FULL:
        # The platform's disk, not the team's model: say so, and don't count it against the team.
        runs.run_fail(run_id=run.pk, token=token, log_tail=_log_tail(spec), platform_fault=True,
                      error=_("The platform's disk is full: the evaluation could not write its output (%(error)s).")
                      % {"error": outcome["error"]})
        return "failed"
    error = outcome["error"] if outcome["type"] == "error" else _exit_reason(status)
    runs.run_fail(run_id=run.pk, token=token, error=error, log_tail=_log_tail(spec))
    return "failed"


def _saving(write):
    """Run one database write of the attempt's outcome, again on a fresh connection if the
    connection drops (a failover, a restart, an administrator's kill). The evaluation is done
    and its results are on disk: a dropped connection must not throw them away. Each write is
    one transaction guarded by the claim token, so repeating it writes all or nothing, once."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == SAVE_ATTEMPTS:
                raise
            logger.warning("database connection lost while saving (attempt %s of %s); retrying",
                           attempt, SAVE_ATTEMPTS, exc_info=True)
            connection.close()
            time.sleep(SAVE_RETRY_DELAY_S * attempt)


def _end_group(pid: int) -> None:
    """Kill the evaluation's process group: the child and whatever it started."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _watch(run: EvaluationRun, token, read_fd: int, pid: int):
    """Relay progress until the child reports its outcome or closes the pipe. Returns the
    outcome message ({"type": "result"|"error"|"exit"}), "stopped" or "time limit"."""
    deadline = time.monotonic() + run.time_limit_s
    beat = _Heartbeat(run.pk, token)
    buffer, done = b"", 0
    while True:
        if time.monotonic() > deadline:
            return "time limit"
        try:
            beat(done)
        except _Stopped:
            return "stopped"
        if not select.select([read_fd], [], [], 0.2)[0]:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return {"type": "exit"}  # closed without an outcome: the exit status tells why
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            if message["type"] == "progress":
                done, beat.current_task = message["done"], message["task"]
                beat.last = 0.0  # report task changes at once
            else:
                return message
