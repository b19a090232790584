"""The evaluation protocol: read from the suite YAML, part of the digest, recorded on each run,
and kept apart — a preview never reaches a leaderboard or a stage."""

import json

import pytest
import torch
from django.core.exceptions import ValidationError
from safetensors.torch import save_file

from evaluation import protocol as protocols
from evaluation import raw_generations
from evaluation.checkpoint_files import inspect_checkpoint
from evaluation.models import CheckpointStatus, EvaluationRun
from evaluation.selectors import _sample_view
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from evaluation.services.runs import run_request
from evaluation.services.suites import suite_load
from evaluation.suite_files import SuiteDefinitionError, parse_suite

from .test_checkpoint_files import make_checkpoint

TASK = "  - {task: %s, metric: 'acc,none', category: nia, random_baseline: 0.25%s}\n"


def _suite(tmp_path, protocol: str = "", task_protocol: str = "", name: str = "chatty"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"slug: {name}\nname_ko: 채팅\nname_en: Chat\n{protocol}tasks:\n"
        + TASK % ("mc_task", task_protocol)
        + TASK % ("gen_task", "")
    )
    return parse_suite(path)


CHAT = (
    "protocol:\n  apply_chat_template: true\n  system_instruction: 답만 쓰세요.\n"
    "  chat_template_args: {enable_thinking: true}\n  think_end_token: '</think>'\n"
    "  gen_kwargs: {max_gen_toks: 64, until: ['<|end|>'], temperature: 0}\n"
)


def test_the_suite_protocol_reaches_every_task_and_a_task_overrides_key_by_key(tmp_path):
    definition = _suite(tmp_path, CHAT, ", protocol: {chat_template_args: {enable_thinking: false}}")
    mc, gen = (t["protocol"] for t in definition.tasks)
    assert gen["apply_chat_template"] is True and gen["system_instruction"] == "답만 쓰세요."
    assert gen["chat_template_args"] == {"enable_thinking": True}
    assert gen["gen_kwargs"] == {"max_gen_toks": 64, "until": ["<|end|>"], "temperature": 0.0}
    assert mc["chat_template_args"] == {"enable_thinking": False} and mc["think_end_token"] == "</think>"
    assert protocols.model_arguments(gen, backend="hf") == {
        "chat_template_args": {"enable_thinking": True},
        "enable_thinking": True,
        "think_end_token": "</think>",
    }
    assert protocols.evaluate_arguments(gen, task="gen_task") == {
        "apply_chat_template": True,
        "system_instruction": "답만 쓰세요.",
        "fewshot_as_multiturn": False,
        "gen_kwargs": {"max_gen_toks": 64, "until": ["<|end|>"], "temperature": 0.0},
    }


def test_a_suite_without_a_protocol_is_scored_as_plain_completions(tmp_path):
    plain = _suite(tmp_path)
    assert all(t["protocol"] == protocols.DEFAULTS for t in plain.tasks)
    assert protocols.evaluate_arguments(plain.tasks[0]["protocol"], task="mc_task") == {
        "apply_chat_template": False,
        "system_instruction": None,
        "fewshot_as_multiturn": False,
        "gen_kwargs": None,
    }
    assert protocols.describe(plain.tasks[0]["protocol"]) == []


def test_every_protocol_setting_is_part_of_the_digest(tmp_path):
    digests = {
        _suite(tmp_path, p).digest
        for p in (
            "",
            CHAT,
            CHAT.replace("64", "65"),
            CHAT.replace("답만", "짧게"),
            CHAT.replace("true}", "false}"),
            "protocol: {max_model_len: 4096}\n",
            "protocol: {limit: 5}\n",
        )
    }
    assert len(digests) == 7


@pytest.mark.parametrize(
    "block,problem",
    [
        ("protocol: {chat_template: true}\n", "unknown protocol keys"),
        ("protocol: {apply_chat_template: 1}\n", "wrong type"),
        ("protocol: {gen_kwargs: {max_tokens: 5}}\n", "unknown gen_kwargs"),
        ("protocol: {gen_kwargs: {until: stop}}\n", "list of strings"),
        ("protocol: {fewshot_as_multiturn: true}\n", "needs apply_chat_template"),
        ("protocol: {apply_chat_template: true, chat_template_args: {enable_thinking: true}}\n", "think_end_token"),
        ("protocol: {limit: 5, samples: [1, 2]}\n", "not both"),
        ("protocol: {max_model_len: 0}\n", "positive"),
    ],
)
def test_protocols_the_harness_would_refuse_are_refused_when_read(tmp_path, block, problem):
    with pytest.raises(SuiteDefinitionError, match=problem):
        _suite(tmp_path, block)


def test_a_protocol_change_of_a_used_suite_is_a_new_version(tmp_path, people, team_a, folder, checkpoint_root):
    used, _ = suite_load(actor=None, definition=_suite(tmp_path))
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    run = run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=used)
    assert run.protocol == {"mc_task": protocols.DEFAULTS, "gen_task": protocols.DEFAULTS} and not run.preview
    changed, outcome = suite_load(actor=None, definition=_suite(tmp_path, "protocol: {system_instruction: 답}\n"))
    assert outcome == "created" and changed.number == 2
    assert changed.tasks.first().protocol["system_instruction"] == "답"
    assert used.tasks.first().protocol["system_instruction"] is None


def _bf16_checkpoint(path, *, chat_template=False):
    make_checkpoint(path)
    save_file(
        {"embed": torch.zeros(10, 4, dtype=torch.bfloat16), "norm": torch.zeros(4)}, str(path / "model.safetensors")
    )
    if chat_template:
        (path / "chat_template.jinja").write_text("{% for m in messages %}{{ m.content }}{% endfor %}")
    return path


def test_precision_comes_from_the_weights_unless_overridden_with_a_reason(people, team_a, checkpoint_root):
    _bf16_checkpoint(checkpoint_root / team_a.slug / "bf16")
    assert inspect_checkpoint(checkpoint_root / team_a.slug / "bf16").precision == "bfloat16"
    auto = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="auto", source="bf16").pk
    )
    assert (auto.status, auto.precision, auto.precision_reason) == (CheckpointStatus.READY, "bfloat16", "")
    with pytest.raises(ValidationError) as refused:
        checkpoint_submit(actor=people["member_a"], team=team_a, name="f32", source="bf16", precision="float32")
    assert "precision_reason" in refused.value.message_dict
    forced = checkpoint_validate(
        checkpoint_id=checkpoint_submit(
            actor=people["member_a"],
            team=team_a,
            name="f32",
            source="bf16",
            precision="float32",
            precision_reason="compare with the fp32 baseline",
        ).pk
    )
    assert (forced.precision, forced.precision_reason) == ("float32", "compare with the fp32 baseline")


@pytest.fixture
def chat_suite(tmp_path, db):
    return suite_load(actor=None, definition=_suite(tmp_path, CHAT, name="chat-suite"))[0]


def test_a_checkpoint_without_a_chat_template_is_refused_for_a_chat_suite(
    people, team_a, checkpoint_root, chat_suite, suite_version
):
    _bf16_checkpoint(checkpoint_root / team_a.slug / "base")
    _bf16_checkpoint(checkpoint_root / team_a.slug / "chat", chat_template=True)
    base = checkpoint_validate(
        checkpoint_id=checkpoint_submit(
            actor=people["member_a"], team=team_a, name="base", source="base", suites=["chat-suite"]
        ).pk
    )
    assert base.status == CheckpointStatus.REJECTED
    assert "no chat template" in base.rejection_reason and "chat-suite" in base.rejection_reason
    plain = checkpoint_validate(
        checkpoint_id=checkpoint_submit(
            actor=people["member_a"], team=team_a, name="base-plain", source="base", suites=["unit-suite"]
        ).pk
    )
    assert plain.status == CheckpointStatus.READY and not plain.has_chat_template
    with pytest.raises(ValidationError, match="no chat template"):
        run_request(actor=people["member_a"], checkpoint=plain, suite_version=chat_suite)
    chat = checkpoint_validate(
        checkpoint_id=checkpoint_submit(
            actor=people["member_a"], team=team_a, name="chat", source="chat", suites=["chat-suite"]
        ).pk
    )
    assert chat.status == CheckpointStatus.READY and chat.has_chat_template
    run = EvaluationRun.objects.get(checkpoint=chat)
    assert run.protocol["gen_task"]["system_instruction"] == "답만 쓰세요."


def test_a_preview_is_labelled_never_official_and_never_reused_for_a_full_run(
    people, team_a, folder, checkpoint_root, suite_version
):
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    preview = run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version, preview_limit=5)
    assert preview.preview and not preview.counts_against_quota
    assert {p["limit"] for p in preview.protocol.values()} == {5}
    full = run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version)
    assert full.pk != preview.pk and not full.preview and full.counts_against_quota
    assert {p["limit"] for p in full.protocol.values()} == {None}
    with pytest.raises(ValidationError, match="never a preview"):
        run_request(actor=None, checkpoint=checkpoint, suite_version=suite_version, official=True, preview_limit=5)
    with pytest.raises(ValidationError, match="1 to 50"):
        run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version, preview_limit=51)


def test_a_preview_never_reaches_a_leaderboard_or_a_stage(db, team_a, team_b):
    import datetime

    from django.utils import timezone

    from leaderboards.selectors import leaderboard_live_inputs
    from leaderboards.services import leaderboard_create
    from stages.inputs import stage_inputs
    from stages.models import Nomination, NominationStatus
    from stages.services.stages import stage_create
    from tests.support.factories import ProgrammeFactory
    from tests.support.results_builder import make_checkpoint as make_ready_checkpoint
    from tests.support.results_builder import make_run, make_suite_version

    version = make_suite_version()
    checkpoint = make_ready_checkpoint(team_a)
    full = make_run(checkpoint, version, {"nia_mc": 0.5})
    preview = make_run(checkpoint, version, {"nia_mc": 0.9}, preview=True)  # better, on 5 items only
    board = leaderboard_create(actor=None, slug="board", name_ko="순위", name_en="Board", suite_version=version)
    assert [entry["run"]["id"] for entry in leaderboard_live_inputs(board)["entries"]] == [full.pk]
    stage = stage_create(
        actor=None,
        programme=ProgrammeFactory(),
        slug="stage",
        name_ko="단계",
        name_en="Stage",
        advancing_count=1,
        suite_version=version,
        teams=[team_a, team_b],
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
    )
    Nomination.objects.create(
        stage=stage,
        team=team_a,
        checkpoint=checkpoint,
        manifest_digest=checkpoint.manifest_digest,
        nominated_at=timezone.now(),
        status=NominationStatus.ACCEPTED,
        official_run=preview,
    )
    team = next(t for t in stage_inputs(stage, with_samples=False)["teams"] if t["id"] == team_a.pk)
    assert team["nomination"]["run"] == preview.pk and team["scores"] == {}


def test_the_sample_view_shows_the_raw_output_the_answer_and_the_extracted_answer():
    sample = {
        "doc_id": 3,
        "target": "37",
        "arguments": [["<|user|>\n삼십칠은?<|end|>\n<|assistant|>\n", {"until": ["<|end|>"]}]],
        "resps": [["답은 37입니다"]],
        "filtered_resps": ["37"],
        "metrics": ["exact_match"],
        "exact_match": 1.0,
    }
    raw = {"<|user|>\n삼십칠은?<|end|>\n<|assistant|>\n": "<think>삼십은 30</think>\n답은 37입니다<|end|>"}
    raw_generations.attach(sample, raw)
    view = _sample_view(json.loads(json.dumps(sample)))
    assert view["prompt"].startswith("<|user|>\n삼십칠은?")
    assert (view["response"], view["output"], view["target"]) == ("37", "답은 37입니다", "37")
    assert view["raw_output"] == "<think>삼십은 30</think>\n답은 37입니다<|end|>"
    uncut = {"arguments": [["q", {}]], "resps": [["same"]], "filtered_resps": ["same"]}
    raw_generations.attach(uncut, {"q": "same"})
    assert "raw_resps" not in uncut and _sample_view(uncut)["raw_output"] is None
