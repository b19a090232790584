"""The ko-smoke task pack, the suite definitions and the demo checkpoints.

No database. The tests marked slow run lm-evaluation-harness for real on tiny checkpoints
trained here (offline, CPU).
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# Before anything imports huggingface_hub / datasets, which read these once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from evaluation import demo_checkpoints  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "evaluation" / "harness_tasks" / "ko_smoke"
SUITES = REPO / "evaluation" / "suites"
CATEGORIES = {"nia", "global_common", "team_chosen", "other"}
KOREAN_TASKS = {"ko_smoke_numeral_mc", "ko_smoke_arith_mc", "ko_smoke_arith_gen"}
MC_CHOICES = {"ko_smoke_numeral_mc": 4, "ko_smoke_arith_mc": 4, "en_smoke_compare_mc": 2}
HANGUL = re.compile("[\uac00-\ud7a3]")


def _load_generator():
    spec = importlib.util.spec_from_file_location("ko_smoke_generate", PACK / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


class _TaskYamlLoader(yaml.SafeLoader):
    """Reads harness task YAML without importing anything its !function tags name."""


_TaskYamlLoader.add_constructor("!function", lambda loader, node: f"!function {loader.construct_scalar(node)}")


def task_config(task: str) -> dict:
    return yaml.load((PACK / f"{task}.yaml").read_text(encoding="utf-8"), Loader=_TaskYamlLoader)


def task_rows(task: str) -> list[dict]:
    text = (PACK / generate.TASK_FILES[task]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def suite(slug: str) -> dict:
    return yaml.safe_load((SUITES / f"{slug}.yaml").read_text(encoding="utf-8"))


# --- the task pack -------------------------------------------------------------------------


def test_generator_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(PACK / "generate.py"), "--out", str(tmp_path)], check=True, capture_output=True)
    expected = [*generate.TASK_FILES.values(), generate.CORPUS_FILE]
    for relative in expected:
        assert (tmp_path / relative).read_bytes() == (PACK / relative).read_bytes(), relative
    committed_data = {p.relative_to(PACK).as_posix() for p in (PACK / "data").iterdir()}
    assert committed_data == set(generate.TASK_FILES.values())


def test_each_task_yaml_names_its_data_and_loads_it_relative_to_the_pack():
    yaml_tasks = {p.stem for p in PACK.glob("*.yaml")}
    assert yaml_tasks == set(generate.TASK_FILES)
    for task, relative in generate.TASK_FILES.items():
        config = task_config(task)
        assert config["task"] == task
        assert config["dataset_path"] == "json"
        assert config["dataset_kwargs"] == {"data_files": {"test": relative}}
        assert config["custom_dataset"] == "!function utils.load_split"
        assert config["test_split"] == "test"
        assert config["metadata"] == {"version": 1.0}
        assert all("aggregation" in m and "higher_is_better" in m for m in config["metric_list"])


def test_the_custom_loader_resolves_data_files_from_any_working_directory(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("ko_smoke_utils", PACK / "utils.py")
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    monkeypatch.chdir(tmp_path)
    dataset = utils.load_split(
        data_files={"test": generate.TASK_FILES["en_smoke_compare_mc"]}, version=1.0, config_source="ignored"
    )
    assert dataset["test"].num_rows == len(task_rows("en_smoke_compare_mc"))
    assert dataset["test"][0] == task_rows("en_smoke_compare_mc")[0]


@pytest.mark.parametrize("task", sorted(generate.TASK_FILES))
def test_task_items_are_well_formed(task):
    rows = task_rows(task)
    assert 50 <= len(rows) <= 200
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["question"] for row in rows}) == len(rows)
    if task in KOREAN_TASKS:
        assert all(HANGUL.search(row["question"]) for row in rows)
    if task in MC_CHOICES:
        assert task_config(task)["output_type"] == "multiple_choice"
        for row in rows:
            assert len(row["choices"]) == MC_CHOICES[task]
            assert len(set(row["choices"])) == len(row["choices"])
            assert isinstance(row["answer"], int) and 0 <= row["answer"] < len(row["choices"])
        answers = [row["answer"] for row in rows]
        # The right answer is not always in the same place.
        assert len(set(answers)) == MC_CHOICES[task]
    else:
        config = task_config(task)
        assert config["output_type"] == "generate_until"
        assert config["generation_kwargs"]["until"] == ["\n"]
        assert config["generation_kwargs"]["do_sample"] is False
        assert all(row["answer"].isdigit() for row in rows)


def test_answers_are_right():
    for row in task_rows("ko_smoke_numeral_mc"):
        assert generate.sino_korean(int(row["choices"][row["answer"]])) == row["numeral"]
    for row in task_rows("en_smoke_compare_mc"):
        assert int(row["choices"][row["answer"]]) == max(int(c) for c in row["choices"])
    for row in task_rows("ko_smoke_arith_gen"):
        a, word, b = re.match(r"(\d+) (더하기|빼기) (\d+)", row["question"]).groups()
        assert int(row["answer"]) == (int(a) + int(b) if word == "더하기" else int(a) - int(b))


def test_sino_korean_numerals():
    assert [generate.sino_korean(n) for n in (1, 10, 11, 35, 100, 216, 1005, 9999)] == [
        "일",
        "십",
        "십일",
        "삼십오",
        "백",
        "이백십육",
        "천오",
        "구천구백구십구",
    ]


def test_the_corpus_holds_no_test_prompt():
    corpus = (PACK / generate.CORPUS_FILE).read_text(encoding="utf-8")
    assert len(corpus.splitlines()) > 1000
    for task in generate.TASK_FILES:
        template = task_config(task)["doc_to_text"]
        for row in task_rows(task):
            prompt = template.replace("{{question}}", row["question"])
            assert prompt not in corpus, (task, prompt)
    # The numerals asked about never appear in the corpus, in any shape.
    for row in task_rows("ko_smoke_numeral_mc"):
        assert not re.search(rf"(?:^| ){row['numeral']}[을를은는] ", corpus, re.M), row["numeral"]


# --- suite definitions ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["ko-smoke", "ko-chat", "k-foundation-core"])
def test_suite_yaml_has_the_loader_shape(slug):
    data = suite(slug)
    assert data["slug"] == slug
    assert {"name_ko", "name_en", "description", "task_dirs", "tasks"} <= set(data)
    assert "requires_hub" not in data  # data comes from the platform's snapshots, never from a hub
    assert HANGUL.search(data["name_ko"])
    names = [entry["task"] for entry in data["tasks"]]
    assert len(names) == len(set(names))
    for entry in data["tasks"]:
        assert set(entry) - {"protocol"} == {
            "task",
            "n_shot",
            "metric",
            "higher_is_better",
            "category",
            "weight",
            "random_baseline",
        }, entry["task"]
        assert entry["category"] in CATEGORIES
        assert re.fullmatch(r"[a-z_]+,[a-z_-]+", entry["metric"]), entry["metric"]
        assert isinstance(entry["n_shot"], int) and entry["n_shot"] >= 0
        assert entry["higher_is_better"] is True
        assert 0 <= entry["random_baseline"] < 1
        assert entry["weight"] > 0


def test_ko_smoke_suite_names_exactly_the_pack_tasks():
    data = suite("ko-smoke")
    assert data["task_dirs"] == ["ko_smoke"]
    assert {entry["task"] for entry in data["tasks"]} == {p.stem for p in PACK.glob("*.yaml")}
    for entry in data["tasks"]:
        config = task_config(entry["task"])
        metric = config["metric_list"][0]["metric"]
        assert entry["metric"] == f"{metric},none"
        expected = 1 / MC_CHOICES[entry["task"]] if entry["task"] in MC_CHOICES else 0
        assert entry["random_baseline"] == pytest.approx(expected)


def test_core_suite_uses_the_harness_index():
    data = suite("k-foundation-core")
    assert data["task_dirs"] == []  # the harness's bundled tasks, on pinned snapshots


def test_suites_pass_the_platform_loader():
    suite_files = pytest.importorskip("evaluation.suite_files")
    for path in sorted(SUITES.glob("*.yaml")):
        definition = suite_files.parse_suite(path)
        assert definition.slug == path.stem


@pytest.mark.slow
def test_core_suite_tasks_exist_in_the_harness():
    from lm_eval.tasks import TaskManager

    known = set(TaskManager().all_tasks)
    assert [e["task"] for e in suite("k-foundation-core")["tasks"] if e["task"] not in known] == []


# --- demo checkpoints ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_lines():
    return demo_checkpoints.read_corpus()


@pytest.fixture(scope="module")
def tokenizer(corpus_lines):
    return demo_checkpoints.train_tokenizer(corpus_lines)


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory, tokenizer, corpus_lines):
    return demo_checkpoints.build_checkpoint(
        tmp_path_factory.mktemp("ckpt") / "tiny", tokenizer=tokenizer, corpus_lines=corpus_lines, steps=5, seed=7
    )


def test_tokenizer_keeps_numbers_compositional(tokenizer):
    tokens = tokenizer.tokenize("삼십오를 숫자로 쓰면? 답: 35")
    assert tokens[-2:] == ["3", "5"]
    assert tokenizer("답")["input_ids"][0] == tokenizer.bos_token_id
    assert {tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token} == {"<s>", "</s>", "<pad>"}


def test_checkpoint_is_a_plain_safetensors_folder(tiny_checkpoint):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    names = {p.name for p in tiny_checkpoint.iterdir()}
    assert set(demo_checkpoints.REQUIRED_FILES) <= names
    assert not [n for n in names if n.endswith(".bin")]
    config = json.loads((tiny_checkpoint / "config.json").read_text())
    assert "auto_map" not in config and config["model_type"] == "llama"
    model = AutoModelForCausalLM.from_pretrained(tiny_checkpoint, trust_remote_code=False)
    assert sum(p.numel() for p in model.parameters()) < 1_000_000
    assert AutoTokenizer.from_pretrained(tiny_checkpoint, trust_remote_code=False).eos_token == "</s>"


def test_same_seed_and_steps_give_the_same_weights(tiny_checkpoint, tmp_path, tokenizer, corpus_lines):
    again = demo_checkpoints.build_checkpoint(
        tmp_path / "again", tokenizer=tokenizer, corpus_lines=corpus_lines, steps=5, seed=7
    )
    assert (again / "model.safetensors").read_bytes() == (tiny_checkpoint / "model.safetensors").read_bytes()
    other = demo_checkpoints.build_checkpoint(
        tmp_path / "other", tokenizer=tokenizer, corpus_lines=corpus_lines, steps=5, seed=8
    )
    assert (other / "model.safetensors").read_bytes() != (again / "model.safetensors").read_bytes()


def test_make_demo_checkpoints_keeps_complete_folders(tmp_path):
    plan = [("team-x", "tiny-s2", 2, 1)]
    [(team, folder)] = demo_checkpoints.make_demo_checkpoints(tmp_path, plan=plan)
    assert (team, folder) == ("team-x", tmp_path / "team-x" / "tiny-s2")
    before = (folder / "model.safetensors").stat().st_mtime_ns
    assert demo_checkpoints.make_demo_checkpoints(tmp_path, plan=plan) == [(team, folder)]
    assert (folder / "model.safetensors").stat().st_mtime_ns == before
    assert [p.name for p in (tmp_path / "team-x").iterdir()] == ["tiny-s2"]  # no staging left


def test_demo_plan_covers_the_seeded_teams():
    teams = [team for team, _name, _steps, _seed in demo_checkpoints.DEMO_PLAN]
    assert sorted(teams) == ["lg-ai-research", "naver-cloud", "nc-ai", "sk-telecom", "upstage"]
    steps = [s for _team, _name, s, _seed in demo_checkpoints.DEMO_PLAN]
    assert len(set(steps)) == len(steps) and min(steps) == 0


# --- the harness on the pack ---------------------------------------------------------------


@pytest.fixture(scope="module")
def task_manager():
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=str(PACK), include_defaults=False)


def evaluate(checkpoint: Path, tasks: list[str], task_manager) -> dict:
    """One simple_evaluate on CPU. One torch thread: on a 2-core machine shared with other
    work, two spinning intra-op threads made the same run 10-20 times slower (same scores)."""
    import lm_eval
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return lm_eval.simple_evaluate(
            model="hf",
            model_args={"pretrained": str(checkpoint), "dtype": "float32"},
            tasks=tasks,
            task_manager=task_manager,
            batch_size=1,
            device="cpu",
            log_samples=False,
            random_seed=0,
            numpy_random_seed=1234,
            torch_random_seed=1234,
            fewshot_random_seed=1234,
        )
    finally:
        torch.set_num_threads(threads)


@pytest.mark.slow
def test_harness_reports_every_suite_metric(tiny_checkpoint, task_manager):
    entries = suite("ko-smoke")["tasks"]
    output = evaluate(tiny_checkpoint, [e["task"] for e in entries], task_manager)
    for entry in entries:
        value = output["results"][entry["task"]][entry["metric"]]
        assert isinstance(value, float) and 0.0 <= value <= 1.0, (entry, value)
        assert output["n-shot"][entry["task"]] == entry["n_shot"]
        assert output["n-samples"][entry["task"]]["effective"] == len(task_rows(entry["task"]))


@pytest.mark.slow
def test_more_training_scores_higher(tmp_path, task_manager):
    by_steps = sorted(demo_checkpoints.DEMO_PLAN, key=lambda entry: entry[2])
    built = dict(demo_checkpoints.make_demo_checkpoints(tmp_path, plan=[by_steps[0], by_steps[-1]]))
    mc_tasks = sorted(MC_CHOICES)

    def mc_mean(entry):
        results = evaluate(built[entry[0]], mc_tasks, task_manager)["results"]
        return sum(results[task]["acc,none"] for task in mc_tasks) / len(mc_tasks)

    untrained, trained = mc_mean(by_steps[0]), mc_mean(by_steps[-1])
    assert trained > untrained + 0.15, (untrained, trained)
