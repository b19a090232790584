import pytest

from evaluation.services.suites import suite_load
from evaluation.suite_files import SuiteDefinition

from .test_checkpoint_files import make_checkpoint

TWO_TASKS = (
    {
        "task": "mc_task",
        "n_shot": 0,
        "metric": "acc,none",
        "higher_is_better": True,
        "category": "nia",
        "weight": "1",
        "random_baseline": 0.25,
        "hidden": False,
    },
    {
        "task": "gen_task",
        "n_shot": 0,
        "metric": "exact_match,none",
        "higher_is_better": True,
        "category": "team_chosen",
        "weight": "1",
        "random_baseline": 0.0,
        "hidden": True,
    },
)


@pytest.fixture
def checkpoint_root(tmp_path, settings):
    settings.CHECKPOINT_ROOT = tmp_path / "checkpoints"
    settings.EVAL_RUNS_DIR = tmp_path / "runs"
    return settings.CHECKPOINT_ROOT


@pytest.fixture
def suite_version(db):
    definition = SuiteDefinition(slug="unit-suite", name_ko="단위", name_en="Unit", tasks=TWO_TASKS)
    return suite_load(actor=None, definition=definition)[0]


@pytest.fixture
def folder(checkpoint_root, team_a):
    return make_checkpoint(checkpoint_root / team_a.slug / "v1")


def harness_results(mc=0.5, gen=0.25):
    """The shape lm-eval's simple_evaluate returns (the parts the platform reads)."""
    return {
        "results": {
            "mc_task": {"alias": "mc_task", "acc,none": mc, "acc_stderr,none": 0.05},
            "gen_task": {"alias": "gen_task", "exact_match,none": gen, "exact_match_stderr,none": "N/A"},
        },
        "n-samples": {"mc_task": {"original": 100, "effective": 100}, "gen_task": {"original": 50, "effective": 50}},
        "configs": {},
        "versions": {},
        "n-shot": {"mc_task": 0, "gen_task": 0},
    }


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """One small real checkpoint (a few training steps), built once per test session."""
    from evaluation.demo_checkpoints import build_checkpoint, read_corpus, train_tokenizer

    corpus = read_corpus()
    target = tmp_path_factory.mktemp("tiny") / "tiny"
    return build_checkpoint(target, tokenizer=train_tokenizer(corpus), corpus_lines=corpus, steps=40, seed=7)


@pytest.fixture
def ko_smoke(db):
    """The real ko-smoke suite from evaluation/suites/ko-smoke.yaml."""
    from evaluation.suite_files import SUITES_DIR, parse_suite

    return suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-smoke.yaml"))[0]


@pytest.fixture(autouse=True)
def english_messages():
    """Reasons are written in the active language; these tests read them in English.
    (Workers write them in the platform's default language, Korean: see test_end_to_end.)"""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def chat_checkpoint(tmp_path_factory):
    """A small real chat model (its tokenizer carries a chat template with a thinking switch),
    built once per test session."""
    from evaluation.demo_checkpoints import build_chat_checkpoint

    return build_chat_checkpoint(tmp_path_factory.mktemp("chat") / "chat", steps=300, seed=11)


@pytest.fixture
def ko_chat(db):
    """The real ko-chat suite from evaluation/suites/ko-chat.yaml."""
    from evaluation.suite_files import SUITES_DIR, parse_suite

    return suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-chat.yaml"))[0]


def plan_shards(run, tasks: list[str]) -> list:
    """Plan a queued run as a worker would, one shard per task; returns the shards."""
    from evaluation.services import runs, shards

    _, token = runs.run_claim(run_id=run.pk, worker_host="test")
    planned = [
        {"task": task, "pieces": [{"subtask": task, "start": None, "end": None}], "documents": 1} for task in tasks
    ]
    assert shards.run_plan(run_id=run.pk, token=token, shards=planned)
    return list(run.shards.order_by("position"))


def plan_one_shard(run, task: str = "mc_task"):
    return plan_shards(run, [task])[0]


def finish_with_samples(run, samples: list[dict], results: dict | None = None):
    """A queued run executed as one shard per task, whose per-sample logs are `samples`, and
    merged into `results`."""
    import gzip
    import io
    import json

    from evaluation import artefacts
    from evaluation.services import runs, shards

    tasks = list(dict.fromkeys(sample["task"] for sample in samples))
    for shard in plan_shards(run, tasks):
        _, token = shards.shard_claim(shard_id=shard.pk, worker_host="test")
        buffer = io.BytesIO()
        with gzip.open(buffer, "wt", encoding="utf-8") as out:
            for sample in samples:
                if sample["task"] == shard.task:
                    out.write(json.dumps(sample, ensure_ascii=False) + "\n")
        name = artefacts.save(f"runs/{run.pk}/shard-{shard.position}/attempt-1/samples.jsonl.gz", buffer.getvalue())
        assert shards.shard_succeed(
            shard_id=shard.pk, token=token, raw_metrics={}, report={}, samples_artefact=name, log_artefact=""
        )
    _, token = shards.run_claim_merge(run_id=run.pk, worker_host="test")
    assert runs.run_succeed(
        run_id=run.pk,
        token=token,
        results=results or harness_results(),
        versions={"lm_eval": "0.4.13"},
        backend="hf",
        device="cpu",
        batch_size=16,
    )
    run.refresh_from_db()
    return run
