"""End to end with real services: the API, a Celery worker process, Redis, PostgreSQL,
and lm-evaluation-harness on a real checkpoint — and the harness's own command line
giving exactly the numbers the platform stored."""

import time
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from evaluation.models import Checkpoint, EvaluationRun, RunShard, RunStatus, TaskResult
from evaluation.suite_files import HARNESS_TASKS_DIR
from tests.support.workers import (
    copy_checkpoint,
    lm_eval_command_line,
    module_worker_fixtures,
    wait_for,
    wait_until_idle,
)

pytestmark = pytest.mark.slow


dirs, worker = module_worker_fixtures("e2e")


@pytest.fixture
def platform(transactional_db, settings, dirs, worker, people, team_a, ko_smoke, tiny_checkpoint, api_client):
    settings.CHECKPOINT_ROOT = dirs["checkpoints"]
    settings.EVAL_RUNS_DIR = dirs["runs"]
    yield {
        "dirs": dirs,
        "suite": ko_smoke,
        "team": team_a,
        "people": people,
        "api": api_client,
        "tiny": tiny_checkpoint,
    }
    wait_until_idle(log=dirs["log"])


def in_korean(message: str) -> str:
    """The worker writes reasons in the platform's default language."""
    with translation.override("ko"):
        return gettext(message)


def _submit(platform, name: str, suites=("ko-smoke",)) -> dict:
    copy_checkpoint(platform["tiny"], platform["dirs"]["checkpoints"], platform["team"].slug, name)
    api = platform["api"]
    api.force_authenticate(platform["people"]["member_a"])
    response = api.post(
        "/api/checkpoints/",
        {"team": platform["team"].slug, "name": name, "source": name, "suites": list(suites)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _wait_run(platform, checkpoint_id: int, *, timeout=180) -> EvaluationRun:
    def finished():
        run = EvaluationRun.objects.filter(checkpoint_id=checkpoint_id).order_by("-id").first()
        return run if run and run.is_terminal else None

    return wait_for(finished, timeout=timeout, what="the run to finish", log=platform["dirs"]["log"])


def test_api_submission_is_validated_evaluated_and_visible(platform):
    submitted = _submit(platform, "e2e-v1")
    run = _wait_run(platform, submitted["id"])
    assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-2000:])
    api = platform["api"]
    checkpoint = api.get(f"/api/checkpoints/{submitted['id']}/").json()
    assert checkpoint["status"] == "ready" and checkpoint["parameter_count"] > 0
    listed = api.get("/api/runs/", {"checkpoint": submitted["id"]}).json()["results"]
    assert [r["id"] for r in listed] == [run.pk]
    detail = api.get(f"/api/runs/{run.pk}/").json()
    assert {r["task"] for r in detail["task_results"]} == {t.task for t in platform["suite"].tasks.all()}
    assert detail["versions"]["lm_eval"] == "0.4.13" and detail["progress_percent"] == 100
    assert detail["seeds"] == {
        "random_seed": 0,
        "numpy_random_seed": 1234,
        "torch_random_seed": 1234,
        "fewshot_random_seed": 1234,
    }
    samples = api.get(f"/api/runs/{run.pk}/samples/", {"task": "ko_smoke_numeral_mc", "page": 2}).json()
    assert samples["total"] == 120 and len(samples["samples"]) == 20
    api.force_authenticate(platform["people"]["member_b"])
    assert api.get(f"/api/runs/{run.pk}/").status_code == 404
    assert api.get("/api/runs/").json()["count"] == 0


def test_scores_equal_the_lm_eval_command_line_and_a_rerun(platform, tmp_path):
    submitted = _submit(platform, "e2e-parity")
    run = _wait_run(platform, submitted["id"])
    assert run.status == RunStatus.SUCCEEDED, run.error
    tasks = list(platform["suite"].tasks.order_by("position"))
    checkpoint = Checkpoint.objects.get(pk=submitted["id"])
    cli = lm_eval_command_line(
        checkpoint.resolved_path,
        [t.task for t in tasks],
        include=HARNESS_TASKS_DIR / "ko_smoke",
        batch_size=run.batch_size,
        scratch=tmp_path,
    )
    stored = {r.task: r for r in TaskResult.objects.filter(run=run)}
    for task in tasks:
        assert stored[task.task].value == cli[task.task][task.metric], task.task

    platform["api"].force_authenticate(platform["people"]["admin"])
    forced = platform["api"].post(
        "/api/runs/", {"checkpoint": submitted["id"], "suite": "ko-smoke", "force": True}, format="json"
    )
    assert forced.status_code == 201, forced.json()
    rerun = _wait_run(platform, submitted["id"])
    assert rerun.pk == forced.json()["id"] and rerun.status == RunStatus.SUCCEEDED
    assert rerun.reproduces_id == run.pk and rerun.reproduced_exactly is True
    again = {r.task: (r.value, r.stderr) for r in TaskResult.objects.filter(run=rerun)}
    assert again == {task: (r.value, r.stderr) for task, r in stored.items()}


def test_a_checkpoint_changed_after_submission_fails_and_nothing_else_changes(platform, settings):
    settings.EVAL_SUBMISSIONS_PER_WEEK = 10
    submitted = _submit(platform, "e2e-changed")
    first = _wait_run(platform, submitted["id"])
    checkpoint = Checkpoint.objects.get(pk=submitted["id"])
    (Path(checkpoint.resolved_path) / "config.json").write_text(
        (Path(checkpoint.resolved_path) / "config.json").read_text() + "\n"
    )
    platform["api"].force_authenticate(platform["people"]["admin"])
    platform["api"].post("/api/runs/", {"checkpoint": checkpoint.pk, "suite": "ko-smoke", "force": True}, format="json")
    run = _wait_run(platform, checkpoint.pk)
    assert run.pk != first.pk and run.status == RunStatus.FAILED
    assert run.error == in_korean("The checkpoint changed since submission: its files no longer match the manifest.")
    assert not TaskResult.objects.filter(run=run).exists()
    checkpoint.refresh_from_db()
    assert checkpoint.status == "ready"


def test_a_run_over_its_time_limit_fails_and_the_worker_goes_on(platform, settings):
    submitted = _submit(platform, "e2e-slow", suites=())
    wait_for(
        lambda: Checkpoint.objects.filter(pk=submitted["id"], status="ready").exists(),
        timeout=60,
        what="validation",
        log=platform["dirs"]["log"],
    )
    settings.EVAL_TIME_LIMIT_S = 1  # read when the run is requested
    settings.EVAL_BATCH_SIZE = 1  # a run of several seconds, well past the limit on any machine
    assert (
        platform["api"]
        .post("/api/runs/", {"checkpoint": submitted["id"], "suite": "ko-smoke"}, format="json")
        .status_code
        == 201
    )
    run = _wait_run(platform, submitted["id"])
    assert run.status == RunStatus.FAILED
    assert run.error == in_korean("Time limit of %(seconds)s s exceeded.") % {"seconds": 1}
    settings.EVAL_TIME_LIMIT_S = 600
    platform["api"].force_authenticate(platform["people"]["admin"])
    platform["api"].post(
        "/api/runs/", {"checkpoint": submitted["id"], "suite": "ko-smoke", "force": True}, format="json"
    )
    assert _wait_run(platform, submitted["id"]).status == RunStatus.SUCCEEDED


def test_cancelling_a_running_run_stops_it(platform, settings):
    settings.EVAL_BATCH_SIZE = 1  # a run of several seconds, so that it can be caught running
    submitted = _submit(platform, "e2e-cancel", suites=())
    wait_for(
        lambda: Checkpoint.objects.filter(pk=submitted["id"], status="ready").exists(),
        timeout=60,
        what="validation",
        log=platform["dirs"]["log"],
    )
    assert (
        platform["api"]
        .post("/api/runs/", {"checkpoint": submitted["id"], "suite": "ko-smoke"}, format="json")
        .status_code
        == 201
    )
    shard = wait_for(
        lambda: (
            RunShard.objects.filter(run__checkpoint_id=submitted["id"], status="running", process_id__isnull=False)
            .select_related("run")
            .first()
        ),
        timeout=120,
        what="a shard of the run to start",
        log=platform["dirs"]["log"],
    )
    running = shard.run
    assert Path(f"/proc/{shard.process_id}").exists()
    response = platform["api"].post(f"/api/runs/{running.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # The evaluation process is killed and reaped by its worker, long before it could have finished.
    wait_for(lambda: not Path(f"/proc/{shard.process_id}").exists(), timeout=2.5, what="the evaluation to be killed")
    time.sleep(2)
    running.refresh_from_db()
    assert running.status == RunStatus.CANCELLED and not TaskResult.objects.filter(run=running).exists()
