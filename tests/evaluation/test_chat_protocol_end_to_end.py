"""A chat model through a real worker under the ko-chat protocol (chat template, system
instruction, thinking on for generation, reasoning removed): the stored metrics equal
`python -m lm_eval` with the same flags; the same checkpoint under the plain protocol scores
differently and is kept apart; a preview run is labelled and never reaches a leaderboard."""

import json
import os
import subprocess
import sys

import pytest

from evaluation.models import Checkpoint, EvaluationRun, RunStatus, TaskResult
from evaluation.suite_files import HARNESS_TASKS_DIR
from leaderboards.selectors import leaderboard_live_inputs
from leaderboards.services import leaderboard_create
from tests.support.workers import copy_checkpoint, module_worker_fixtures, wait_for, wait_until_idle

pytestmark = pytest.mark.slow
SYSTEM = "당신은 정확하게 답하는 한국어 도우미입니다. 답만 쓰세요."


dirs, worker = module_worker_fixtures("chat-e2e")


@pytest.fixture
def platform(transactional_db, settings, dirs, worker, people, team_a, ko_smoke, ko_chat, chat_checkpoint, api_client):
    settings.CHECKPOINT_ROOT, settings.EVAL_RUNS_DIR = dirs["checkpoints"], dirs["runs"]
    yield {
        "dirs": dirs,
        "team": team_a,
        "people": people,
        "api": api_client,
        "chat": chat_checkpoint,
        "suites": {"ko-smoke": ko_smoke, "ko-chat": ko_chat},
    }
    wait_until_idle(log=dirs["log"])


def _submit_and_wait(platform, name: str, suites: list[str]) -> dict[str, EvaluationRun]:
    copy_checkpoint(platform["chat"], platform["dirs"]["checkpoints"], platform["team"].slug, name)
    api = platform["api"]
    api.force_authenticate(platform["people"]["member_a"])
    response = api.post(
        "/api/checkpoints/",
        {"team": platform["team"].slug, "name": name, "source": name, "suites": suites},
        format="json",
    )
    assert response.status_code == 201, response.json()

    def finished():
        runs = {
            r.suite_version.suite.slug: r
            for r in EvaluationRun.objects.filter(checkpoint_id=response.json()["id"]).select_related(
                "suite_version__suite"
            )
        }
        return runs if len(runs) == len(suites) and all(r.is_terminal for r in runs.values()) else None

    runs = wait_for(finished, timeout=300, what="the runs to finish", log=platform["dirs"]["log"])
    for run in runs.values():
        assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-2000:])
    return runs


def _lm_eval(
    checkpoint: Checkpoint, tmp_path, tasks: list[str], *, thinking: bool, batch_size: int, n_shot: int
) -> dict:
    """The harness's own command line, with the flags the ko-chat suite's protocol names."""
    out = tmp_path / ("thinking" if thinking else "direct")
    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LM_HARNESS_CACHE_PATH": str(tmp_path / "cache"),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lm_eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={checkpoint.resolved_path},dtype=float32,enable_thinking={thinking},think_end_token=</think>",
            "--tasks",
            ",".join(tasks),
            "--include_path",
            str(HARNESS_TASKS_DIR),
            "--num_fewshot",
            str(n_shot),
            "--apply_chat_template",
            "--system_instruction",
            SYSTEM,
            "--fewshot_as_multiturn",
            "--gen_kwargs",
            json.dumps({"until": ["<|end|>"], "max_gen_toks": 48, "do_sample": False, "temperature": 0.0}),
            "--batch_size",
            str(batch_size),
            "--device",
            "cpu",
            "--seed",
            "0,1234,1234,1234",
            "--output_path",
            str(out),
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads(next(out.rglob("results_*.json")).read_text())["results"]


def test_chat_protocol_scores_equal_the_lm_eval_command_line(platform, tmp_path, client):
    run = _submit_and_wait(platform, "chat-parity", ["ko-chat"])["ko-chat"]
    checkpoint = run.checkpoint
    assert checkpoint.has_chat_template and checkpoint.precision == "float32" and not checkpoint.precision_reason
    cli = _lm_eval(checkpoint, tmp_path, ["ko_smoke_numeral_mc"], thinking=False, batch_size=run.batch_size, n_shot=2)
    cli |= _lm_eval(
        checkpoint,
        tmp_path,
        ["ko_smoke_arith_gen", "ko_chat_numeral_gen"],
        thinking=True,
        batch_size=run.batch_size,
        n_shot=0,
    )
    stored = {r.task: r for r in TaskResult.objects.filter(run=run)}
    for task in platform["suites"]["ko-chat"].tasks.all():
        assert stored[task.task].value == cli[task.task][task.metric], task.task
        assert stored[task.task].stderr == cli[task.task][task.metric.replace(",", "_stderr,")], task.task
    # Every protocol setting is recorded on the run and shown on its page and in the API.
    assert run.protocol["ko_smoke_arith_gen"]["chat_template_args"] == {"enable_thinking": True}
    assert run.protocol["ko_smoke_numeral_mc"]["chat_template_args"] == {"enable_thinking": False}
    detail = platform["api"].get(f"/api/runs/{run.pk}/").json()
    assert detail["protocol"]["ko_chat_numeral_gen"]["system_instruction"] == SYSTEM and detail["preview"] is False
    client.force_login(platform["people"]["member_a"])
    page = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "think_end_token" in page and SYSTEM in page and "enable_thinking=True" in page
    # The sample browser: the rendered chat prompt, what the model wrote before and after the
    # reasoning was removed, and the extracted answer.
    samples = platform["api"].get(f"/api/runs/{run.pk}/samples/", {"task": "ko_chat_numeral_gen"}).json()["samples"]
    first = samples[0]
    assert first["prompt"].startswith("<|system|>\n" + SYSTEM) and "<|assistant|>" in first["prompt"]
    with_reasoning = [s for s in samples if s["raw_output"] and "</think>" in s["raw_output"]]
    assert with_reasoning, "the chat model wrote no reasoning at all"
    for sample in with_reasoning:
        assert "</think>" not in sample["output"] and sample["raw_output"].split("</think>")[-1].strip().startswith(
            sample["output"].strip()
        )
    mc = platform["api"].get(f"/api/runs/{run.pk}/samples/", {"task": "ko_smoke_numeral_mc"}).json()["samples"][0]
    assert mc["prompt"].count("<|user|>") == 3 and mc["prompt"].count("<|assistant|>") == 3  # 2 shots as turns
    html = client.get(f"/evaluation/runs/{run.pk}/samples/?task=ko_chat_numeral_gen").content.decode()
    assert "&lt;/think&gt;" in html and "&lt;|system|&gt;" in html


def test_two_protocols_score_differently_are_kept_apart_and_a_preview_never_ranks(platform):
    runs = _submit_and_wait(platform, "chat-two", ["ko-smoke", "ko-chat"])
    plain, chat = runs["ko-smoke"], runs["ko-chat"]
    assert plain.protocol["ko_smoke_numeral_mc"]["apply_chat_template"] is False
    assert chat.protocol["ko_smoke_numeral_mc"]["apply_chat_template"] is True
    score = {r.run_id: r.value for r in TaskResult.objects.filter(task="ko_smoke_numeral_mc")}
    assert score[plain.pk] != score[chat.pk]  # the same weights and items, another protocol
    boards = {
        slug: leaderboard_create(actor=None, slug=f"board-{slug}", name_ko=slug, name_en=slug, suite_version=version)
        for slug, version in platform["suites"].items()
    }
    assert [e["run"]["id"] for e in leaderboard_live_inputs(boards["ko-smoke"])["entries"]] == [plain.pk]
    assert [e["run"]["id"] for e in leaderboard_live_inputs(boards["ko-chat"])["entries"]] == [chat.pk]

    api = platform["api"]
    asked = api.post(
        "/api/runs/", {"checkpoint": plain.checkpoint_id, "suite": "ko-smoke", "preview_limit": 5}, format="json"
    )
    assert asked.status_code == 201, asked.json()
    preview = wait_for(
        lambda: EvaluationRun.objects.filter(pk=asked.json()["id"], status=RunStatus.SUCCEEDED).first(),
        timeout=120,
        what="the preview",
        log=platform["dirs"]["log"],
    )
    assert preview.preview and not preview.counts_against_quota
    assert {r.n_samples for r in TaskResult.objects.filter(run=preview)} == {5}
    assert [e["run"]["id"] for e in leaderboard_live_inputs(boards["ko-smoke"])["entries"]] == [plain.pk]
    assert api.get(f"/api/runs/{preview.pk}/").json()["preview"] is True
