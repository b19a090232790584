"""Running one step of an evaluation (plan, shard, merge) in a forked child process.

The child inherits the worker's warm imports and task index; whatever it does (crash, OOM, a
hung kernel) ends with the child, not the worker, whose memory returns to where it was. The
parent relays progress to a heartbeat, enforces the time limit, and kills the child when the
step is cancelled or taken from it. Only the parent writes to the database."""

import ctypes
import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext as _

PR_SET_PDEATHSIG = 1


class Stopped(Exception):
    """The step lost its run or shard (cancelled, failed elsewhere, or re-queued as lost)."""


class OutcomeKind(StrEnum):
    """How the child's step ended."""

    RESULT = "result"
    ERROR = "error"  # the step raised
    EXIT = "exit"  # the child died: its exit status tells why
    STOPPED = "stopped"  # the run was cancelled or lost its claim
    TIME_LIMIT = "time limit"


@dataclass
class Outcome:
    kind: "OutcomeKind"
    result: dict | None = None
    versions: dict | None = None
    error: str = ""
    errno: int | None = None
    exception: str = ""  # the class name of what the step raised
    log_tail: str = ""


def run_in_child(
    step: Callable[[dict, Callable], dict],
    spec: dict,
    *,
    workdir: Path,
    beat: Callable,
    time_limit_s: int,
    environment: dict | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Outcome:
    """`step(spec, report)` in a child process; `beat(done, task)` is called at least once a
    second from the parent and raises Stopped to end the child. The step's returned dict comes
    back as the outcome's result; its harness log is workdir/harness.log."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_file, result_file = workdir / "harness.log", workdir / "result.json"
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(step, spec, write_fd, log_file, result_file, environment or {})
    os.close(write_fd)
    try:
        if on_start:
            on_start(pid)
        outcome = _watch(read_fd, beat, time_limit_s)
    except BaseException:
        kill(pid)  # whatever failed here, the evaluation must not run on unsupervised
        raise
    finally:
        os.close(read_fd)
    if outcome.kind in (OutcomeKind.STOPPED, OutcomeKind.TIME_LIMIT):
        kill(pid)
    else:
        status = os.waitpid(pid, 0)[1]
        _end_group(pid)
        if outcome.kind == OutcomeKind.RESULT and status == 0:
            outcome.result = json.loads(result_file.read_text())
        elif outcome.kind != OutcomeKind.ERROR:
            outcome.kind, outcome.error = OutcomeKind.EXIT, _exit_reason(status)
    outcome.log_tail = log_tail(log_file)
    return outcome


def _child(step, spec: dict, write_fd: int, log_file: Path, result_file: Path, environment: dict) -> None:
    """Runs in the forked child; never returns."""
    code = 1
    try:
        os.setsid()  # its own process group: a Ctrl-C meant for the worker is not for it, and
        # killing the group also ends whatever the harness started (vLLM engines, dataset workers)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the worker
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.environ.update(environment)
        log = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)

        def send(message: dict) -> None:
            os.write(write_fd, (json.dumps(message) + "\n").encode())

        from evaluation import harness

        result = step(spec, lambda done, task: send({"type": "progress", "done": done, "task": task}))
        result_file.write_text(json.dumps(result))
        send({"type": "result", "versions": harness.versions()})
        code = 0
    except BaseException as exc:  # noqa: BLE001 - everything must end as a message and an exit code
        traceback.print_exc()
        message = {
            "type": "error",
            "error": f"{type(exc).__name__}: {exc}",
            "exception": type(exc).__name__,
            "errno": exc.errno if isinstance(exc, OSError) else None,
        }
        try:
            os.write(write_fd, (json.dumps(message) + "\n").encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _watch(read_fd: int, beat: Callable, time_limit_s: int) -> Outcome:
    """Relay progress until the child reports its outcome or closes the pipe."""
    deadline = time.monotonic() + time_limit_s
    buffer, done, task = b"", 0, ""
    while True:
        if time.monotonic() > deadline:
            return Outcome(
                OutcomeKind.TIME_LIMIT, error=_("Time limit of %(seconds)s s exceeded.") % {"seconds": time_limit_s}
            )
        try:
            beat(done, task)
        except Stopped:
            return Outcome(OutcomeKind.STOPPED)
        if not select.select([read_fd], [], [], 0.2)[0]:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return Outcome(OutcomeKind.EXIT)  # closed without an outcome: the exit status tells why
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            if message["type"] == "progress":
                if (message["done"], message["task"]) != (done, task):
                    beat.last = 0.0  # report task changes at once
                done, task = message["done"], message["task"]
            elif message["type"] == "result":
                return Outcome(OutcomeKind.RESULT, versions=message["versions"])
            else:
                return Outcome(
                    OutcomeKind.ERROR,
                    error=message["error"],
                    errno=message.get("errno"),
                    exception=message.get("exception", ""),
                )


def log_tail(log_file: Path, limit: int = 8000) -> str:
    try:
        with open(log_file, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def kill(pid: int) -> None:
    """Kill the evaluation process and everything it started, and reap it."""
    _end_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _end_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGKILL:
            return _("The evaluation process was killed (out of memory, or stopped by the system).")
        return _("The evaluation process crashed (signal %(name)s).") % {"name": signal.Signals(number).name}
    return _("The evaluation process ended with exit code %(code)s.") % {"code": os.WEXITSTATUS(status)}
