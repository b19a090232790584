"""The harness's own bundled definitions of the programme's benchmarks, evaluated offline on
benchmark data snapshots the platform imported, through a real worker: the stored metrics and
standard errors equal the harness's command line on the same snapshots with the same settings."""

import json
import os
import subprocess
import sys

import pytest

from evaluation.models import Checkpoint, EvaluationRun, RunStatus
from evaluation.services.benchmark_data import latest_snapshots, snapshot_import
from evaluation.services.suites import suite_load, with_pinned_data
from evaluation.suite_files import SuiteDefinition
from tests.support.workers import (
    ROOT,
    copy_checkpoint,
    purge_queues,
    require_real_services,
    start_worker,
    stop_worker,
    wait_for,
    wait_until_idle,
)

from . import benchmark_snapshots

pytestmark = pytest.mark.slow
TASKS = [
    "kobest_boolq",
    "kobest_copa",
    "haerae_general_knowledge",
    "kmmlu_accounting",
    "click_lang_text",
    "gsm8k",
    "ifeval",
]
MAX_GEN_TOKS = 16  # a tiny model's generations, kept short: the same for both sides


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    return tmp_path_factory.mktemp("benchmark-data")


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory, data_root):
    base = tmp_path_factory.mktemp("snapshot-worker")
    with django_db_blocker.unblock():
        require_real_services()
        purge_queues()
    process = start_worker(
        "snapshots",
        checkpoint_root=base / "checkpoints",
        runs_dir=base / "runs",
        log=base / "worker.log",
        env={"BENCHMARK_DATA_ROOT": str(data_root)},
    )
    try:
        yield {"base": base, "log": base / "worker.log"}
    finally:
        stop_worker(process)


def _suite(metric_of: dict) -> SuiteDefinition:
    protocol = {
        "apply_chat_template": False,
        "system_instruction": None,
        "fewshot_as_multiturn": False,
        "gen_kwargs": {"max_gen_toks": MAX_GEN_TOKS},
        "chat_template_args": {},
        "think_end_token": None,
        "max_model_len": None,
        "limit": None,
        "samples": None,
    }
    return SuiteDefinition(
        slug="snapshots",
        name_ko="스냅샷",
        name_en="Snapshots",
        tasks=tuple(
            {
                "task": task,
                "n_shot": 0,
                "metric": metric_of[task],
                "higher_is_better": True,
                "category": "nia",
                "weight": "1",
                "random_baseline": 0.0,
                "hidden": False,
                "protocol": protocol,
            }
            for task in TASKS
        ),
    )


def test_the_programmes_bundled_tasks_run_offline_on_snapshots_as_the_harness_does(
    transactional_db, settings, worker, data_root, people, team_a, tiny_checkpoint, api_client, tmp_path
):
    settings.BENCHMARK_DATA_ROOT = data_root
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = worker["base"] / "checkpoints", tmp_path / "web-runs"
    for make in benchmark_snapshots.ALL:
        info = make(tmp_path / "import" / make.__name__)
        snapshot_import(
            actor=people["admin"],
            folder=tmp_path / "import" / make.__name__,
            source=info["source"],
            config=info["config"],
            licence="test data written for this project",
        )
    metric_of = {t: "acc,none" for t in TASKS} | {
        "gsm8k": "exact_match,strict-match",
        "ifeval": "prompt_level_strict_acc,none",
    }
    definition = with_pinned_data(_suite(metric_of))
    assert not definition.missing_data and set(definition.data) == set(TASKS)
    suite_load(actor=None, definition=definition)

    copy_checkpoint(tiny_checkpoint, settings.CHECKPOINT_ROOT, team_a.slug, "snap")
    api_client.force_authenticate(people["member_a"])
    submitted = api_client.post(
        "/api/checkpoints/",
        {"team": team_a.slug, "name": "snap", "source": "snap", "suites": ["snapshots"]},
        format="json",
    ).json()
    run = wait_for(
        lambda: EvaluationRun.objects.filter(
            checkpoint_id=submitted["id"], status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
        ).first(),
        timeout=600,
        what="the run",
        log=worker["log"],
    )
    assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-3000:])
    wait_until_idle(log=worker["log"])
    # Provenance: the run names the snapshot each subtask read, and the API shows it.
    assert run.data["kobest_boolq"] == {
        "kobest_boolq": {"skt/kobest_v1:boolq": latest_snapshots()["skt/kobest_v1:boolq"]["digest"]}
    }
    assert api_client.get(f"/api/runs/{run.pk}/").json()["data"] == run.data

    snapshots = tmp_path / "snapshots.json"
    snapshots.write_text(json.dumps(latest_snapshots()))
    checkpoint = Checkpoint.objects.get(pk=submitted["id"])
    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LM_HARNESS_CACHE_PATH": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.evaluation.lm_eval_on_snapshots",
            str(snapshots),
            "--model",
            "hf",
            "--model_args",
            f"pretrained={checkpoint.resolved_path},dtype=float32",
            "--tasks",
            ",".join(TASKS),
            "--num_fewshot",
            "0",
            "--batch_size",
            str(run.batch_size),
            "--device",
            "cpu",
            "--seed",
            "0,1234,1234,1234",
            "--gen_kwargs",
            f"max_gen_toks={MAX_GEN_TOKS}",
            "--output_path",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    cli = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())["results"]
    for task in TASKS:
        stored = {k: v for k, v in run.results["results"][task].items() if "," in k}
        assert stored == {k: v for k, v in cli[task].items() if "," in k}, task
    assert "f1,none" in run.results["results"]["kobest_boolq"]  # KoBEST's macro-F1, offline
