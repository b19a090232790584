"""Real Celery workers for the end-to-end tests: separate processes that read the
test database through PostgreSQL and take tasks from Redis."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app

ROOT = Path(__file__).resolve().parents[2]


def require_real_services():
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and PostgreSQL (make test sets both)")


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(
    name: str,
    *,
    checkpoint_root: Path,
    runs_dir: Path,
    log: Path,
    queues: str = "default,eval-cpu",
    env: dict | None = None,
    module: str = "celery",
) -> subprocess.Popen:
    """`env` adds to (or overrides) the worker's environment; `module` is what `python -m` runs
    (a launcher that prepares the process, then hands over to celery's command line)."""
    env = (
        os.environ
        | {
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CHECKPOINT_ROOT": str(checkpoint_root),
            "EVAL_RUNS_DIR": str(runs_dir),
            "EVAL_WARM_WORKER": "1",
        }
        | (env or {})
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            module,
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "--pool",
            "solo",
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_worker(
    django_db_blocker, name: str, *, checkpoint_root: Path, runs_dir: Path, log: Path, env: dict | None = None
):
    """A worker for the length of a block (a module's fixture): the queues are emptied first,
    and the worker is stopped after, whatever happened."""
    with django_db_blocker.unblock():
        require_real_services()
        purge_queues()
    process = start_worker(name, checkpoint_root=checkpoint_root, runs_dir=runs_dir, log=log, env=env)
    try:
        yield process
    finally:
        stop_worker(process)


def module_worker_fixtures(name: str):
    """The `dirs` and `worker` fixtures of a test module that runs one worker for all its tests:
    `dirs, worker = module_worker_fixtures("e2e")` at the module's top level."""

    @pytest.fixture(scope="module")
    def dirs(tmp_path_factory):
        base = tmp_path_factory.mktemp(name)
        return {"checkpoints": base / "checkpoints", "runs": base / "runs", "log": base / "worker.log"}

    @pytest.fixture(scope="module")
    def worker(django_db_setup, django_db_blocker, dirs):
        with running_worker(
            django_db_blocker, name, checkpoint_root=dirs["checkpoints"], runs_dir=dirs["runs"], log=dirs["log"]
        ) as process:
            yield process

    return dirs, worker


QUEUES = ("default", "eval-cpu", "eval-gpu")


def purge_queues() -> None:
    with app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)


def _queued() -> int:
    with app.connection_for_write() as conn:
        return sum(conn.default_channel._size(queue) for queue in QUEUES)  # kombu's redis channel


def _worker_idle() -> bool:
    """The test's worker holds no task. A solo worker busy with one does not answer at all."""
    inspect = app.control.inspect(timeout=1.0, limit=1)
    active, reserved = inspect.active(), inspect.reserved()
    return bool(active) and bool(reserved) and not any(active.values()) and not any(reserved.values())


def wait_until_idle(*, log: Path | None = None, timeout: float = 120) -> None:
    """Until the test's worker has nothing left to do: a task still running when a test's tables
    are emptied (e.g. the originality check each validated checkpoint queues) deadlocks with the
    TRUNCATE. A transactional test's worker fixture calls this before it ends."""
    wait_for(
        lambda: not _queued() and _worker_idle() and not _queued(),
        timeout=timeout,
        what="the worker to finish its tasks",
        log=log,
    )


def wait_for(predicate, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")


def copy_checkpoint(source: Path, root: Path, team_slug: str, name: str) -> Path:
    target = root / team_slug / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
    return target


def lm_eval_command_line(
    checkpoint_path: str, tasks: list[str], *, include: Path, batch_size: int, scratch: Path
) -> dict:
    """The results that `python -m lm_eval` reports for these tasks, zero-shot, offline, on CPU."""
    import json

    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LM_HARNESS_CACHE_PATH": str(scratch / "cache"),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lm_eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={checkpoint_path},dtype=float32",
            "--tasks",
            ",".join(tasks),
            "--include_path",
            str(include),
            "--num_fewshot",
            "0",
            "--batch_size",
            str(batch_size),
            "--device",
            "cpu",
            "--seed",
            "0,1234,1234,1234",
            "--output_path",
            str(scratch / "out"),
        ],
        cwd=scratch,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads(next((scratch / "out").rglob("results_*.json")).read_text())["results"]
