"""Private benchmarks written by the ministry: who may author them, what an upload must hold,
the preview, publication as a hidden task, and the harness scoring one offline."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from core.permissions import Action, can
from core.roles import BENCHMARK_AUTHOR_GROUP
from evaluation import harness, sharding
from evaluation.services.benchmark_data import pinned_snapshots
from evaluation.services.private_benchmarks import (
    private_benchmark_preview,
    private_benchmark_publish,
    private_benchmark_save,
)

MC_ITEMS = [
    {"question": "대한민국의 수도는?", "choices": ["서울", "부산", "대구"], "answer": "서울"},
    {"question": "한글을 만든 왕은?", "choices": ["태조", "세종"], "answer": 1},
    {"question": "김치는 무엇인가?", "choices": ["발효 음식", "과자", "음료"], "answer": 0},
]
SHORT_CSV = "question,answer\n1 더하기 1은?,2\n2 곱하기 3은?,6\n"


def jsonl(items) -> bytes:
    return "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode()


@pytest.fixture
def author(people):
    user = people["reviewer"]
    user.groups.add(Group.objects.get_or_create(name=BENCHMARK_AUTHOR_GROUP)[0])
    return type(user).objects.get(pk=user.pk)  # fresh: the group cache is per object


@pytest.fixture
def data_root(tmp_path, settings):
    settings.BENCHMARK_DATA_ROOT = tmp_path / "data-root"


def _mc(author, slug="capital", items=MC_ITEMS, template="질문: {{question}}\n답:"):
    return private_benchmark_save(
        actor=author,
        slug=slug,
        name_ko="수도",
        name_en="Capitals",
        kind="multiple_choice",
        prompt_template=template,
        items_file=("items.jsonl", jsonl(items)),
    )


def test_only_reviewers_and_admins_given_the_role_author(db, people, author):
    assert can(author, Action.AUTHOR_BENCHMARK)
    assert not can(people["admin"], Action.AUTHOR_BENCHMARK)  # an admin too must be given it
    member = people["member_a"]
    member.groups.add(Group.objects.get(name=BENCHMARK_AUTHOR_GROUP))
    member = type(member).objects.get(pk=member.pk)
    assert not can(member, Action.AUTHOR_BENCHMARK)  # never a member firm's people
    with pytest.raises(PermissionDenied):
        _mc(member)


@pytest.mark.parametrize(
    "items,reason",
    [
        ([{"question": "q", "choices": ["a", "b"]}], "item 1: 'answer' is missing"),
        ([{"question": "q", "choices": ["a", "b"], "answer": "c"}], "item 1: the answer 'c' is neither a choice"),
        ([{"question": "q", "choices": ["a"], "answer": "a"}], "item 1: 'choices' needs at least two"),
        ([{"choices": ["a", "b"], "answer": 0}], "item 1: 'question' is missing"),
    ],
)
def test_an_upload_is_refused_with_the_item_and_the_reason(db, author, data_root, items, reason):
    with pytest.raises(ValidationError, match=reason):
        _mc(author, items=items)


def test_a_template_that_reads_a_missing_field_is_refused(db, author, data_root):
    with pytest.raises(ValidationError, match="'passage' is undefined"):
        _mc(author, template="{{passage}} {{question}}")


def test_the_preview_shows_the_prompts_as_the_harness_renders_them(db, author, data_root):
    benchmark = _mc(author)
    preview = private_benchmark_preview(actor=author, benchmark=benchmark)
    assert preview[0] == {
        "prompt": "질문: 대한민국의 수도는?\n답:",
        "choices": ["서울", "부산", "대구"],
        "gold": "서울",
    }
    assert preview[1]["gold"] == "세종" and len(preview) == 3


def test_publishing_makes_a_hidden_task_of_a_new_version_of_the_private_suite(db, author, data_root):
    first = private_benchmark_publish(actor=author, benchmark=_mc(author))
    task = first.tasks.get()
    assert first.suite.slug == "nia-private" and task.hidden and task.category == "nia"
    assert task.task == "nia_private_capital" and task.metric == "acc,none"
    assert task.random_baseline == pytest.approx((1 / 3 + 1 / 2 + 1 / 3) / 3)
    assert task.definition["dataset_path"] == "nia-private/capital" and task.definition["doc_to_choice"] == "choices"
    assert list(task.data["nia_private_capital"]) == ["nia-private/capital"]
    short = private_benchmark_save(
        actor=author,
        slug="arith",
        name_ko="셈",
        name_en="Sums",
        kind="short_answer",
        prompt_template="{{question}} 답:",
        items_file=("items.csv", SHORT_CSV.encode()),
    )
    second = private_benchmark_publish(actor=author, benchmark=short)
    assert second.number == first.number + 1 if first.runs.exists() else second.pk == first.pk
    assert sorted(second.tasks.values_list("task", "metric")) == [
        ("nia_private_arith", "exact_match,extract"),
        ("nia_private_capital", "acc,none"),
    ]


def test_the_harness_scores_a_private_task_offline_with_its_own_machinery(
    db, author, data_root, tiny_checkpoint, tmp_path
):
    short = private_benchmark_save(
        actor=author,
        slug="arith",
        name_ko="셈",
        name_en="Sums",
        kind="short_answer",
        prompt_template="{{question}} 답:",
        items_file=("items.csv", SHORT_CSV.encode()),
    )
    version = private_benchmark_publish(actor=author, benchmark=_mc(author))
    version = private_benchmark_publish(actor=author, benchmark=short)
    tasks = [
        {"task": t.task, "n_shot": 0, "protocol": t.protocol, "definition": t.definition}
        for t in version.tasks.order_by("position")
    ]
    pins = {
        key: digest for t in version.tasks.all() for datasets in t.data.values() for key, digest in datasets.items()
    }
    harness.prepare_environment(tmp_path / "cache")
    spec = {
        "model_path": str(tiny_checkpoint),
        "backend": "hf",
        "device": "cpu",
        "dtype": "float32",
        "batch_size": 4,
        "seeds": {"random_seed": 0, "numpy_random_seed": 1234, "torch_random_seed": 1234, "fewshot_random_seed": 1234},
        "threads": 1,
        "include_paths": [],
        "tasks": tasks,
        "snapshots": pinned_snapshots(pins),
    }
    quiet = lambda done, task: None  # noqa: E731
    try:
        planned = sharding.plan(harness.plan(spec, quiet)["tasks"], shard_documents=100)
        done = []
        for number, shard in enumerate(planned):
            entry = next(t for t in tasks if t["task"] == shard["task"])
            out = harness.evaluate_shard(
                {
                    **spec,
                    "task": entry,
                    "pieces": shard["pieces"],
                    "samples_file": str(tmp_path / f"{number}.jsonl.gz"),
                },
                quiet,
            )
            done.append({"pieces": shard["pieces"], **out})
        results = harness.merge(
            {**spec, "raw_metrics": sharding.merge_raw_metrics(done), "reports": [d["report"] for d in done]}, quiet
        )["results"]
    finally:
        from evaluation import offline_data

        offline_data.uninstall()
    assert 0 <= results["nia_private_capital"]["acc,none"] <= 1
    assert 0 <= results["nia_private_arith"]["exact_match,extract"] <= 1
