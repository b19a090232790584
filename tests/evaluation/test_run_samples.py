"""The sample browser's table (RunSample): filled when a shard's per-sample log is stored, paged
by task and subtask, filtered by the suite metric's outcome, searched, exported; the page's
queries do not grow with the run."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation

from evaluation.models import RunSample
from evaluation.selectors import run_sample_log
from evaluation.services import runs
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from evaluation.services.samples import run_samples_index_shard
from evaluation.services.suites import suite_load
from evaluation.suite_files import SuiteDefinition
from stages.inputs import _item_scores, _run_item_scores

from .conftest import finish_with_samples

TASKS = (
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
        "task": "gsm_task",
        "n_shot": 0,
        "metric": "exact_match,strict-match",
        "higher_is_better": True,
        "category": "global_common",
        "weight": "1",
        "random_baseline": 0.0,
        "hidden": False,
    },
    {
        "task": "secret_task",
        "n_shot": 0,
        "metric": "exact_match,none",
        "higher_is_better": True,
        "category": "team_chosen",
        "weight": "1",
        "random_baseline": 0.0,
        "hidden": True,
    },
)


RESULTS = {
    "results": {
        "mc_task": {"acc,none": 0.66, "acc_stderr,none": 0.05},
        "gsm_task": {"exact_match,strict-match": 0.5, "exact_match_stderr,strict-match": 0.1},
        "secret_task": {"exact_match,none": 0.0, "exact_match_stderr,none": 0.0},
    },
    "n-samples": {},
    "configs": {},
    "versions": {},
    "n-shot": {},
}


def mc_sample(i: int, subtask: str) -> dict:
    right = i % 3 != 0
    return {
        "task": "mc_task",
        "subtask": subtask,
        "doc_id": i,
        "target": 1,
        "metrics": ["acc"],
        "acc": 1.0 if right else 0.0,
        "filter": "none",
        "doc": {"question": f"질문 {i}"},
        "arguments": [[f"질문 {i}", " 가"], [f"질문 {i}", " 나"]],
        "filtered_resps": [[-1.0 if not right else -2.0, False], [-2.0 if not right else -1.0, False]],
    }


def gsm_samples(i: int) -> list[dict]:
    """Logged once per filter, as the harness does for GSM8K."""
    prompt = "Question: Tom has %d apples. How many?\nAnswer:" % i
    return [
        {
            "task": "gsm_task",
            "subtask": "gsm_task",
            "doc_id": i,
            "target": str(i),
            "filter": name,
            "metrics": ["exact_match"],
            "exact_match": value,
            "arguments": [[prompt, {"until": ["Question:"]}]],
            "resps": [[f"Let me think.\x00 The answer is {i}."]],
            "filtered_resps": [answer],
        }  # NUL: refused by PG text
        for name, value, answer in [
            ("strict-match", float(i % 2), str(i) if i % 2 else "[invalid]"),
            ("flexible-extract", 1.0, str(i)),
        ]
    ]


def make_samples(size: int) -> list[dict]:
    samples = [mc_sample(i, "mc_a" if i < size // 2 else "mc_b") for i in range(size)]
    for i in range(size // 2):
        samples += gsm_samples(i)
    samples.append(
        {
            "task": "secret_task",
            "subtask": "secret_task",
            "doc_id": 0,
            "target": "secret answer",
            "arguments": [["private prompt", {"until": ["\n"]}]],
            "filtered_resps": ["x"],
            "metrics": ["exact_match"],
            "exact_match": 0.0,
        }
    )
    return samples


@pytest.fixture
def suite(db):
    return suite_load(
        actor=None, definition=SuiteDefinition(slug="samples-suite", name_ko="샘플", name_en="Samples", tasks=TASKS)
    )[0]


@pytest.fixture
def make_run(people, team_a, folder, suite):
    def make(size: int = 40):
        checkpoint = checkpoint_validate(
            checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name=f"v{size}", source="v1").pk
        )
        run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite)
        return finish_with_samples(run, make_samples(size), results=RESULTS)

    return make


def test_storing_a_shard_fills_one_row_per_logged_sample_and_again_replaces_them(make_run):
    run = make_run(40)
    logged = list(run_sample_log(run))
    rows = list(RunSample.objects.filter(run=run).order_by("position").values_list("task", "doc_id", "filter"))
    assert rows == [(s["task"], s["doc_id"], s["filter"] if "filter" in s else "none") for s in logged]
    assert len(rows) == 40 + 2 * 20 + 1
    gsm = RunSample.objects.filter(run=run, task="gsm_task")
    # Only the suite metric's own filter carries the item's value and outcome.
    assert set(gsm.filter(filter="flexible-extract").values_list("value", "correct")) == {(None, None)}
    assert sorted(gsm.filter(filter="strict-match").values_list("correct", flat=True)) == [False] * 10 + [True] * 10
    shard = run.shards.get(task="gsm_task")
    assert run_samples_index_shard(shard=shard) == 40  # a shard stored again: replaced, not doubled
    assert RunSample.objects.filter(run=run).count() == 81


def test_stage_items_from_the_table_equal_those_from_the_log(make_run, suite):
    from leaderboards.selectors import suite_tasks_inputs

    run = make_run(40)
    tasks = suite_tasks_inputs(suite.pk)
    from_table = _run_item_scores(run, tasks)
    assert from_table == _item_scores(run_sample_log(run), tasks)
    assert len(from_table["gsm_task"]) == 20 and len(from_table["mc_task"]) == 40
    RunSample.objects.filter(run=run).delete()  # a run stored before the table: read from its log
    assert _run_item_scores(run, tasks) == from_table


def _page(client, run, **query):
    return client.get(f"/evaluation/runs/{run.pk}/samples/", query).content.decode()


def test_browser_pages_by_subtask_filters_by_outcome_and_searches(client, people, make_run):
    run = make_run(40)
    client.force_login(people["member_a"])
    page = _page(client, run, task="mc_task", subtask="mc_b", page=2)
    assert 'data-total="20"' in page and "질문 2" not in page and "질문 3" not in page  # past the last page: none
    page = _page(client, run, task="mc_task", subtask="mc_b")
    assert 'data-total="20"' in page and "질문 20" in page and "질문 19" not in page
    wrong = _page(client, run, task="mc_task", outcome="incorrect")
    assert 'data-total="14"' in wrong and "질문 3<" in wrong and "질문 4<" not in wrong  # i % 3 == 0: 0, 3, … 39
    right = _page(client, run, task="gsm_task", outcome="correct")
    assert 'data-total="10"' in right and "strict-match" in right and "flexible-extract" not in right
    found = _page(client, run, task="gsm_task", q="tom has 17 apples")
    assert 'data-total="2"' in found and "Tom has 17 apples" in found  # both filters' rows of one item
    assert 'data-total="1"' in _page(client, run, task="gsm_task", q="answer is 17.", outcome="correct")
    assert 'data-total="0"' in _page(client, run, task="gsm_task", q="no such words")
    # The pager keeps what the page is narrowed to.
    assert "?task=mc_task&amp;outcome=correct&page=2" in _page(client, run, task="mc_task", outcome="correct")


def test_hidden_tasks_stay_hidden_from_teams_in_the_browser(client, people, make_run):
    run = make_run(10)
    client.force_login(people["member_a"])
    assert "secret answer" not in _page(client, run, task="secret_task")
    assert "secret answer" not in _page(client, run, task="secret_task", q="secret")
    client.force_login(people["reviewer"])
    assert "secret answer" in _page(client, run, task="secret_task", q="secret")


@pytest.mark.parametrize("size", [20, 400])
def test_the_browsers_queries_do_not_grow_with_the_run(client, people, make_run, django_assert_max_num_queries, size):
    run = make_run(size)
    client.force_login(people["reviewer"])
    last = -(-size // 20)
    for query in [
        {"task": "mc_task", "page": last},
        {"task": "mc_task", "outcome": "incorrect", "page": 2},
        {"task": "gsm_task", "q": "apples", "page": 3},
        {"task": "mc_task", "subtask": "mc_b"},
    ]:
        with django_assert_max_num_queries(8):
            assert client.get(f"/evaluation/runs/{run.pk}/samples/", query).status_code == 200


def _export(client, run, **query):
    response = client.get(f"/evaluation/runs/{run.pk}/samples.jsonl", query)
    body = b"".join(response.streaming_content).decode() if response.status_code == 200 else ""
    return response.status_code, [json.loads(line) for line in body.splitlines()]


def test_export_streams_every_sample_the_user_may_browse(client, people, make_run):
    run = make_run(40)
    client.force_login(people["member_a"])
    status, lines = _export(client, run, task="gsm_task")
    assert status == 200 and [(s["doc_id"], s["filter"]) for s in lines] == [
        (s["doc_id"], s["filter"]) for s in run_sample_log(run, task="gsm_task")
    ]
    status, everything = _export(client, run)
    assert status == 200 and len(everything) == 80 and {s["task"] for s in everything} == {"mc_task", "gsm_task"}
    assert _export(client, run, task="secret_task")[0] == 404  # the team never exports a hidden task
    client.force_login(people["member_b"])
    assert _export(client, run)[0] == 404
    client.force_login(people["reviewer"])
    status, everything = _export(client, run)
    assert status == 200 and len(everything) == 81 and everything[-1]["target"] == "secret answer"


def test_legacy_runs_read_their_logs_until_backfilled(client, people, make_run):
    run = make_run(40)
    RunSample.objects.filter(run=run).delete()
    client.force_login(people["member_a"])
    assert 'data-total="40"' in _page(client, run, task="mc_task")  # the log, read through
    assert len(_export(client, run)[1]) == 80
    call_command("index_run_samples")
    assert RunSample.objects.filter(run=run).count() == 81
    assert 'data-total="14"' in _page(client, run, task="mc_task", outcome="incorrect")


def test_a_common_search_counts_up_to_the_cap_and_still_pages(client, people, make_run, monkeypatch):
    from evaluation import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 5)
    run = make_run(40)
    client.force_login(people["member_a"])
    page = _page(client, run, task="gsm_task", q="apples", page=2)
    with translation.override("ko"):  # the page speaks Korean first
        capped = translation.gettext("More than %(cap)s samples · page %(page)s") % {"cap": 5, "page": 2}
    assert 'data-total="6"' in page and capped in page  # 40 rows match; counted up to 6
    assert page.count("<tr><td>") == 20  # matches 21–40: items 10–19, both filters
    assert "Tom has 10 apples" in page and "Tom has 9 apples" not in page
