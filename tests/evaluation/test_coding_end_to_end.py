"""The ko-code suite through a real worker: the model's code is tested in the sandbox, each
sample shows its test outcome, the sandbox is on the run's record, and the stored pass@1 equals
`python -m lm_eval` on the same checkpoint with the tests run outside any sandbox (so the
sandbox changes no outcome of well-behaved code)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.models import EvaluationRun, RunStatus, TaskResult
from evaluation.suite_files import HARNESS_TASKS_DIR, SUITES_DIR, parse_suite
from tests.support.workers import copy_checkpoint, module_worker_fixtures, wait_for, wait_until_idle

from .coding import build_code_checkpoint

pytestmark = pytest.mark.slow
REFERENCE = Path(__file__).resolve().parent / "code_eval_reference"

dirs, worker = module_worker_fixtures("code-e2e")


@pytest.fixture(scope="module")
def code_checkpoint(tmp_path_factory):
    return build_code_checkpoint(tmp_path_factory.mktemp("code") / "code")


@pytest.fixture
def ko_code(db):
    from evaluation.services.suites import suite_load

    return suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-code.yaml"))[0]


@pytest.fixture
def platform(transactional_db, settings, dirs, worker, people, team_a, ko_code, code_checkpoint, api_client):
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = dirs["checkpoints"], dirs["runs"]
    yield {
        "dirs": dirs,
        "team": team_a,
        "people": people,
        "api": api_client,
        "checkpoint": code_checkpoint,
        "suite": ko_code,
    }
    wait_until_idle(log=dirs["log"])


def _lm_eval(path: str, tmp_path, batch_size: int) -> dict:
    """The harness's command line; its `code_eval` is the unsandboxed reference (see REFERENCE)."""
    out = tmp_path / "cli"
    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LM_HARNESS_CACHE_PATH": str(tmp_path / "cache"),
        "PYTHONPATH": str(REFERENCE),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lm_eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={path},dtype=float32",
            "--tasks",
            "ko_code_py",
            "--include_path",
            str(HARNESS_TASKS_DIR),
            "--num_fewshot",
            "0",
            "--batch_size",
            str(batch_size),
            "--device",
            "cpu",
            "--seed",
            "0,1234,1234,1234",
            "--confirm_run_unsafe_code",
            "--output_path",
            str(out),
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads(next(out.rglob("results_*.json")).read_text())["results"]["ko_code_py"]


def test_ko_code_scores_in_the_sandbox_equal_the_lm_eval_command_line(platform, tmp_path, client):
    copy_checkpoint(platform["checkpoint"], platform["dirs"]["checkpoints"], platform["team"].slug, "code-v1")
    api = platform["api"]
    api.force_authenticate(platform["people"]["member_a"])
    response = api.post(
        "/api/checkpoints/",
        {"team": platform["team"].slug, "name": "code-v1", "source": "code-v1", "suites": ["ko-code"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    run = wait_for(
        lambda: EvaluationRun.objects.filter(
            checkpoint_id=response.json()["id"], status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED]
        ).first(),
        timeout=300,
        what="the ko-code run",
        log=platform["dirs"]["log"],
    )
    assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-3000:])

    stored = TaskResult.objects.get(run=run, task="ko_code_py")
    cli = _lm_eval(run.checkpoint.resolved_path, tmp_path, run.batch_size)
    assert stored.metric == "pass@1,create_test"
    assert stored.value == cli["pass@1,create_test"] and stored.stderr == cli["pass@1_stderr,create_test"]
    assert 0 < stored.value < 1  # it passed some tests and failed others: the parity says something
    assert stored.n_samples == 24

    # Every sample's test ran in the sandbox, and its outcome agrees with its score.
    samples = api.get(f"/api/runs/{run.pk}/samples/", {"task": "ko_code_py", "page": 1}).json()
    assert samples["total"] == 24
    for sample in samples["samples"]:
        [test] = sample["tests"]
        assert test["outcome"] in ("passed", "failed")
        assert sample["scores"]["pass@1"] == (1.0 if test["outcome"] == "passed" else 0.0)
    # The sandbox is on the run's record: its limits (from the suite version) and the tool that ran it.
    detail = api.get(f"/api/runs/{run.pk}/").json()
    assert detail["sandbox"] == platform["suite"].sandbox and detail["sandbox"]["policy"]
    assert run.versions["sandbox"].startswith("bubblewrap")
    client.force_login(platform["people"]["member_a"])
    page = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert 'id="run-sandbox"' in page and "wall_time_s" in page
    html = client.get(f"/evaluation/runs/{run.pk}/samples/?task=ko_code_py").content.decode()
    assert "status-test-passed" in html and "status-test-failed" in html
