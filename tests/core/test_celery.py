"""Celery: the configuration every task relies on, and a real round trip
through Redis to a worker process started here, which reads the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app
from core.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


def test_configuration():
    conf = app.conf
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert [q.name for q in conf.task_queues] == ["default", "eval-cpu", "eval-gpu"]
    assert conf.task_default_queue == "default"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and PostgreSQL (make test sets both)")
    app.control.purge()
    env = os.environ | {"DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default",
            "--pool",
            "solo",
            "-n",
            f"test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.slow
def test_round_trip_through_redis(worker, django_user_model):
    django_user_model.objects.create_user("ping-one")
    django_user_model.objects.create_user("ping-two")
    started = time.monotonic()
    result = ping.delay()
    try:
        answer = result.get(timeout=60)
    except Exception:
        worker.terminate()
        pytest.fail(f"no answer from the worker; its log:\n{worker.communicate(timeout=20)[0]}")
    assert answer["database"] == "postgresql"
    assert answer["users"] == 2  # the two people this test created, read by the worker process
    assert worker.pid != os.getpid()
    assert time.monotonic() - started < 60
