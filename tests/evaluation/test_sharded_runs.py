"""One run sharded across two workers that share only PostgreSQL, Redis and the checkpoint root
(each its own runs folder, as on two hosts): its merged metrics and standard errors equal those
of `python -m lm_eval` on the whole tasks, and the web process, which has none of the workers'
files, shows its samples."""

import pytest

from evaluation.models import Checkpoint, EvaluationRun, RunSample, RunStatus, TaskResult
from evaluation.scoring import stderr_key
from evaluation.suite_files import HARNESS_TASKS_DIR
from tests.support.workers import (
    copy_checkpoint,
    lm_eval_command_line,
    purge_queues,
    require_real_services,
    start_worker,
    stop_worker,
    wait_for,
    wait_until_idle,
)

pytestmark = pytest.mark.slow
SHARD_DOCUMENTS = 40  # ko-smoke's 120, 120, 100 and 100 items: 3 + 3 + 3 + 3 shards


@pytest.fixture(scope="module")
def hosts(django_db_setup, django_db_blocker, tmp_path_factory):
    base = tmp_path_factory.mktemp("hosts")
    with django_db_blocker.unblock():
        require_real_services()
        purge_queues()
    env = {"EVAL_SHARD_DOCUMENTS": str(SHARD_DOCUMENTS), "EVAL_TORCH_THREADS": "1"}
    workers = [
        start_worker(
            f"host-{name}",
            checkpoint_root=base / "checkpoints",
            runs_dir=base / f"runs-{name}",
            log=base / "workers.log",
            env=env,
        )
        for name in ("a", "b")
    ]
    try:
        yield base
    finally:
        for worker in workers:
            stop_worker(worker)


def test_a_run_sharded_across_two_hosts_equals_the_unsharded_harness(
    transactional_db, settings, hosts, people, team_a, ko_smoke, tiny_checkpoint, api_client, tmp_path
):
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = hosts / "checkpoints", tmp_path / "web-runs"
    log = hosts / "workers.log"
    copy_checkpoint(tiny_checkpoint, settings.CHECKPOINT_ROOT, team_a.slug, "sharded")
    api_client.force_authenticate(people["member_a"])
    submitted = api_client.post(
        "/api/checkpoints/",
        {"team": team_a.slug, "name": "sharded", "source": "sharded", "suites": ["ko-smoke"]},
        format="json",
    ).json()
    run = wait_for(
        lambda: EvaluationRun.objects.filter(
            checkpoint_id=submitted["id"], status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED]
        ).first(),
        timeout=300,
        what="the run",
        log=log,
    )
    assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-2000:])
    wait_until_idle(log=log)

    shards = list(run.shards.order_by("position"))
    assert len(shards) == 12 and run.progress_done == run.progress_total == 12
    assert {s.worker_host.split("-")[1] for s in shards} == {"a", "b"}  # both hosts took shards
    assert all(p["start"] is not None for s in shards for p in s.pieces)  # each task cut into document ranges

    tasks = list(ko_smoke.tasks.order_by("position"))
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
        whole = cli[task.task]
        assert (stored[task.task].value, stored[task.task].stderr) == (
            whole[task.metric],
            whole[stderr_key(task.metric)],
        ), task.task
        assert stored[task.task].n_samples == run.results["n-samples"][task.task]["effective"]

    # The web process reads the samples from the artefact store: it has no file of the workers'.
    samples = api_client.get(f"/api/runs/{run.pk}/samples/", {"task": "ko_smoke_numeral_mc", "page": 6}).json()
    assert samples["total"] == 120 and [s["doc_id"] for s in samples["samples"]] == list(range(100, 120))
    # The browser's rows were filled as each worker stored its shard: one per logged sample, in order.
    from evaluation.selectors import run_sample_log

    logged = [(s["task"], s["doc_id"], s.get("filter", "none")) for s in run_sample_log(run)]
    assert (
        list(RunSample.objects.filter(run=run).order_by("position").values_list("task", "doc_id", "filter")) == logged
        and len(logged) >= 120
    )
    assert not (tmp_path / "web-runs").exists() or not any((tmp_path / "web-runs").rglob("*.gz"))
    page = api_client.get(f"/api/runs/{run.pk}/").json()
    assert [s["status"] for s in page["shards"]] == ["succeeded"] * 12
