"""One program, one fresh sandbox (bubblewrap), from the evaluation process.

The sandbox sees the system's /usr read-only (and the interpreter's installation where it lives
elsewhere, e.g. pyenv's: the interpreter and its standard library), an
empty /dev and its own /proc, the sample's program read-only at /sample, and a small fresh tmpfs
at /tmp as its working directory. Nothing else of the host exists there: no /etc, /home, /root,
/var, no checkpoints, runs, database or project folder, no environment variables. It has no
network (only its own loopback), its own PID, IPC and UTS namespaces, and runs as an unprivileged
user: a worker running as root hands it to EVAL_SANDBOX_UID before bubblewrap starts, because
the kernel never applies the process limit to root."""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .outcomes import Outcome

INSIDE = Path(__file__).with_name("inside.py")
EXIT_FAILED, EXIT_MEMORY = 1, 3
LIMIT_SIGNALS = {signal.SIGXCPU: ("CPU time", "cpu_time_s"), signal.SIGXFSZ: ("file size", "tmp_kb")}
# Host folders mirrored into the sandbox when they are links into /usr (merged /usr), else bound.
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


class SandboxError(RuntimeError):
    """The sandbox itself could not run: never a verdict on the model's code."""


@dataclass(frozen=True)
class HostConfig:
    """How this machine runs the sandbox; none of it changes an outcome."""

    tool: str = "bwrap"
    uid: int = 65534  # used only when the worker runs as root
    python: str = ""  # the interpreter inside; default: the system's of this version, else this one
    scratch: str = ""  # where each sample's program folder is made; default: the system's temp

    @classmethod
    def from_settings(cls) -> HostConfig:
        from django.conf import settings

        return cls(
            tool=settings.EVAL_SANDBOX_TOOL,
            uid=settings.EVAL_SANDBOX_UID,
            python=settings.EVAL_SANDBOX_PYTHON,
            scratch=settings.EVAL_SANDBOX_SCRATCH,
        )

    def interpreter(self) -> str:
        """The system's interpreter of this Python version where there is one: an installation in
        a home folder (pyenv under /root) is not readable by the sandbox's user."""
        if self.python:
            return self.python
        system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
        return str(system) if system.exists() else os.path.realpath(sys.executable)

    def installation(self) -> Path:
        """The interpreter's installation (<prefix>/bin/pythonX.Y), bound read-only when it is
        not under /usr (pyenv, a self-built Python): the standard library comes from there."""
        return Path(self.interpreter()).resolve().parents[1]


@dataclass(frozen=True)
class Execution:
    outcome: str  # an Outcome value
    detail: str  # why, in a few words (the exception, the limit)
    output: str  # the start of what the program wrote (stdout and stderr)
    seconds: float
    # The limit that ended it, for the sample browser to say in the reader's language:
    # {"name": a limits key or "signal", "value": the limit or the signal's name}; else None.
    limit: dict | None = None


def unavailable_reason(config: HostConfig, *, forbidden: tuple[Path, ...] = ()) -> str | None:
    """None when this machine can run sandboxed code, else why not (plain English, for logs and
    the run's error). `forbidden`: folders that must stay outside (checkpoints, runs, the project)."""
    if shutil.which(config.tool) is None:
        return f"the sandbox tool ({config.tool}, Debian package bubblewrap) is not installed"
    home = config.installation()
    if not home.is_relative_to("/usr") and (len(home.parts) < 3 or not (home / "bin").is_dir()):
        return f"the sandbox's interpreter {config.interpreter()} is not inside a Python installation"
    for folder in forbidden:
        folder = Path(folder).resolve()
        if folder.is_relative_to("/usr") or folder.is_relative_to(home) or home.is_relative_to(folder):
            return f"{folder} would be readable in the sandbox (it overlaps /usr or {home})"
    try:
        check = run(
            "x = 1\n",
            {
                "cpu_time_s": 5,
                "wall_time_s": 20,
                "memory_mb": 512,
                "processes": 16,
                "output_kb": 64,
                "tmp_kb": 1024,
                "open_files": 32,
            },
            config,
        )
    except SandboxError as exc:
        return str(exc)
    if check.outcome != Outcome.PASSED:
        return f"a trivial program did not pass in the sandbox ({check.detail})"
    return None


def tool_version(config: HostConfig) -> str:
    try:
        out = subprocess.run([config.tool, "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return ""
    return out.strip()


def _command(config: HostConfig, limits: dict, sample_dir: Path, inside_args: str) -> list[str]:
    command = [
        config.tool,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    home = config.installation()
    if not home.is_relative_to("/usr"):
        command += ["--ro-bind", str(home), str(home)]
    for name in TOP_LEVEL:
        host = Path("/") / name
        if host.is_symlink():
            command += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            command += ["--ro-bind", str(host), f"/{name}"]
    command += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits["tmp_kb"] * 1024),
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        str(sample_dir),
        "/sample",
        "--chdir",
        "/tmp",
        config.interpreter(),
        "-I",
        "-S",
        "-c",
        INSIDE.read_text(encoding="utf-8"),
        inside_args,
    ]
    return command


def run(program: str, limits: dict, config: HostConfig) -> Execution:
    """Run `program` under `limits` in a sandbox of its own; its folder is removed afterwards."""
    scratch = config.scratch or None
    sample_dir = Path(tempfile.mkdtemp(prefix="sandbox-sample-", dir=scratch))
    try:
        sample_dir.chmod(0o755)
        (sample_dir / "program.py").write_text(program, encoding="utf-8")
        (sample_dir / "program.py").chmod(0o444)
        return _run(sample_dir, limits, config)
    finally:
        shutil.rmtree(sample_dir, ignore_errors=True)


def _run(sample_dir: Path, limits: dict, config: HostConfig) -> Execution:
    token = secrets.token_hex(16).encode()
    token_read, token_write = os.pipe()
    status_read, status_write = os.pipe()
    info_read, info_write = os.pipe()  # bubblewrap tells the host PID of the sandbox's first process
    os.write(token_write, token)
    os.close(token_write)
    args = json.dumps(
        {
            **{k: limits[k] for k in ("cpu_time_s", "memory_mb", "processes", "open_files", "tmp_kb")},
            "token_fd": token_read,
            "status_fd": status_write,
        }
    )
    drop = {"user": config.uid, "group": config.uid, "extra_groups": []} if os.geteuid() == 0 else {}
    command = _command(config, limits, sample_dir, args)
    command[1:1] = ["--info-fd", str(info_write)]
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(token_read, status_write, info_write),
            start_new_session=True,
            **drop,
        )
    except OSError as exc:
        os.close(status_read)
        os.close(info_read)
        raise SandboxError(f"the sandbox could not start: {exc}") from exc
    finally:
        for fd in (token_read, status_write, info_write):
            os.close(fd)
    info = bytearray()
    try:
        output, status, ending = _collect(process, status_read, info_read, info, limits, started)
    finally:
        _kill(process, _first_pid(info))
        os.close(status_read)
        os.close(info_read)
    seconds = round(time.monotonic() - started, 3)
    text = output.decode("utf-8", "replace")
    if ending:
        return _execution(ending, text, seconds)
    if not status.startswith(b"S"):
        raise SandboxError(
            f"the sandbox did not start the program (exit status {process.returncode}): {text.strip()[-500:]}"
        )
    return _execution(_verdict(process.returncode, status[1:] == token, text, limits), text, seconds)


def _execution(verdict: tuple, output: str, seconds: float) -> Execution:
    outcome, detail, *limit = verdict  # (outcome, detail) or (outcome, detail, the limit reached)
    return Execution(outcome=outcome, detail=detail, output=output, seconds=seconds, limit=limit[0] if limit else None)


def _collect(
    process: subprocess.Popen, status_read: int, info_read: int, info: bytearray, limits: dict, started: float
):
    """Read the program's output (up to its limit) and status until it ends or a limit ends it.
    Returns (output, status bytes, (outcome, detail) if a limit ended it, else None)."""
    cap = limits["output_kb"] * 1024
    deadline = started + limits["wall_time_s"]
    output, status = bytearray(), bytearray()
    streams = {process.stdout.fileno(): output, status_read: status, info_read: info}
    while streams:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(output), bytes(status), _timed_out(limits)
        ready, _, _ = select.select(list(streams), [], [], min(left, 0.5))
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                del streams[fd]
                continue
            streams[fd].extend(chunk)
            if len(output) > cap:
                return (
                    bytes(output[:cap]),
                    bytes(status),
                    (
                        Outcome.KILLED,
                        f"output limit of {limits['output_kb']} KB",
                        {"name": "output_kb", "value": limits["output_kb"]},
                    ),
                )
    try:
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return bytes(output), bytes(status), _timed_out(limits)
    return bytes(output), bytes(status), None


def _timed_out(limits: dict) -> tuple:
    return (
        Outcome.TIMED_OUT,
        f"wall time limit of {limits['wall_time_s']} s",
        {"name": "wall_time_s", "value": limits["wall_time_s"]},
    )


def _verdict(returncode: int, passed: bool, text: str, limits: dict) -> tuple:
    if returncode == 0 and passed:
        return Outcome.PASSED, ""
    if returncode == EXIT_MEMORY:
        return (
            Outcome.KILLED,
            f"memory limit of {limits['memory_mb']} MB",
            {"name": "memory_mb", "value": limits["memory_mb"]},
        )
    # bubblewrap exits with 128 + the signal that ended the program
    number = returncode - 128 if returncode > 128 else -returncode if returncode < 0 else 0
    if number:
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number in LIMIT_SIGNALS:
            words, key = LIMIT_SIGNALS[number]
            return Outcome.KILLED, f"{words} limit ({name})", {"name": key, "value": limits[key]}
        return Outcome.KILLED, f"killed by {name}", {"name": "signal", "value": name}
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return Outcome.FAILED, (lines[-1][:300] if lines else f"exit status {returncode}")


def _first_pid(info: bytearray) -> int | None:
    try:
        return int(json.loads(bytes(info).decode())["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


def _kill(process: subprocess.Popen, first_pid: int | None) -> None:
    """Kill bubblewrap and the sandbox's first process, and wait until that one is gone: the
    kernel kills every other process of the sandbox's PID namespace before it can go."""
    for kill, pid in ((os.killpg, process.pid), (os.kill, first_pid)):
        if pid:
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    process.wait()
    if process.stdout:
        process.stdout.close()
    deadline = time.monotonic() + 10
    while first_pid and _alive(first_pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped by whoever inherited it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
