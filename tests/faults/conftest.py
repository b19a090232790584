"""Fault injection with real processes: Celery worker subprocesses, PostgreSQL, Redis.
Only what cannot exist here is faked: a GPU (see gpu_worker.py)."""

import signal
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation
from django.utils.translation import gettext

from evaluation.models import EvaluationRun
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from tests.evaluation.conftest import ko_smoke, tiny_checkpoint  # noqa: F401 (fixtures)
from tests.support.brokers import free_port
from tests.support.workers import copy_checkpoint, running_worker, wait_for, wait_until_idle

TERMINAL = ("succeeded", "failed", "cancelled")


def in_korean(message: str) -> str:
    """Workers write reasons in the platform's default language."""
    with translation.override("ko"):
        return gettext(message)


@pytest.fixture
def ready_checkpoint(settings, people, team_a, tiny_checkpoint):  # noqa: F811
    """A validated copy of the tiny checkpoint in team A's folder (validated here, in-process,
    so that a test's worker may listen on whatever queues the test needs)."""

    def make(name: str):
        copy_checkpoint(tiny_checkpoint, settings.CHECKPOINT_ROOT, team_a.slug, name)
        checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name=name, source=name)
        checkpoint = checkpoint_validate(checkpoint_id=checkpoint.pk)
        assert checkpoint.status == "ready", checkpoint.rejection_reason
        return checkpoint

    return make


class PrivateRedis:
    """A redis-server of the test's own, WITHOUT persistence (no RDB, no AOF): a restart loses
    every queued message, the worst case of a broker restart."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: self.cli("PING") == "PONG", timeout=30, what="redis-server to answer")

    def kill(self) -> None:
        """SIGKILL: no shutdown save, whatever the configuration."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def cli(self, *args: str) -> str:
        done = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)
        return done.stdout.strip()


@pytest.fixture(scope="session")
def steady_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("steady")
    return {"checkpoint_root": base / "checkpoints", "runs_dir": base / "runs", "log": base / "worker.log"}


@pytest.fixture(scope="module")
def steady_worker(django_db_setup, django_db_blocker, steady_dirs):
    """One CPU worker (default and eval-cpu queues) shared by a module's tests that hurt its runs
    and then check that it keeps serving. Per module: a worker left running would take the next
    modules' tasks with this module's folders."""
    with running_worker(django_db_blocker, "steady", **steady_dirs) as process:
        yield process


@pytest.fixture
def steady(transactional_db, settings, steady_dirs, steady_worker, people, api_client):
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = steady_dirs["checkpoint_root"], steady_dirs["runs_dir"]
    api_client.force_authenticate(people["member_a"])

    def submit(checkpoint) -> int:
        response = api_client.post("/api/runs/", {"checkpoint": checkpoint.pk, "suite": "ko-smoke"}, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def finished(run_id: int):
        return wait_for(
            lambda: EvaluationRun.objects.filter(pk=run_id, status__in=TERMINAL).first(),
            timeout=240,
            what=f"run {run_id} to end",
            log=steady_dirs["log"],
        )

    yield SimpleNamespace(
        worker=steady_worker, log=steady_dirs["log"], submit=submit, finished=finished, runs_dir=steady_dirs["runs_dir"]
    )
    wait_until_idle(log=steady_dirs["log"])


def korean(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def prefix(msgid: str) -> str:
    """The Korean text of a reason up to its first placeholder."""
    return in_korean(msgid).split("%(")[0]
