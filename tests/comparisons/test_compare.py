"""Comparing two checkpoints: per task both scores, the difference and the paired interval over
the items both answered (matched by doc_id, the suite metric's own filter); who may compare what;
hidden tasks only for staff; a fixed number of queries."""

import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from comparisons.selectors import checkpoint_comparison
from evaluation.models import RunSample, SuiteTask
from tests.support.factories import api_token_key
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version

TASKS = [("mc", "nia", 0.25, 1.0), ("gsm", "global_common", 0.0, 1.0), ("secret", "nia", 0.25, 1.0)]
N = 40


def _write_log(runs_dir, name: str, rows: list[dict]) -> str:
    runs_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(runs_dir / name, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return name


def _log(mc: list[float], gsm_strict: list[float], secret: list[float], doc_ids=range(N)) -> list[dict]:
    rows = []
    for i in doc_ids:
        rows.append({"task": "mc", "doc_id": i, "filter": "none", "acc": mc[i]})
        rows.append({"task": "gsm", "doc_id": i, "filter": "strict-match", "exact_match": gsm_strict[i]})
        # Logged once more for the other filter: always right. Counting it would pull B − A to zero.
        rows.append({"task": "gsm", "doc_id": i, "filter": "flexible-extract", "exact_match": 1.0})
        rows.append({"task": "secret", "doc_id": i, "filter": "none", "acc": secret[i]})
    return rows


@pytest.fixture
def world(people, team_a, team_b, settings, tmp_path):
    settings.EVAL_RUNS_DIR = tmp_path / "runs"
    settings.COMPARISON_BOOTSTRAP_SAMPLES = 500
    suite = make_suite_version(TASKS)
    SuiteTask.objects.filter(suite_version=suite, task="gsm").update(metric="exact_match,strict-match")
    SuiteTask.objects.filter(suite_version=suite, task="secret").update(hidden=True)
    old, new = make_checkpoint(team_a, name="a-old"), make_checkpoint(team_a, name="a-new")
    theirs = make_checkpoint(team_b, name="b-theirs")
    ones, zeros, half = [1.0] * N, [0.0] * N, [float(i % 2) for i in range(N)]
    runs = {
        "old": make_run(
            old,
            suite,
            {"mc": 0.5, "gsm": 0.0, "secret": 0.5},
            samples_file=_write_log(settings.EVAL_RUNS_DIR, "old.jsonl.gz", _log(half, zeros, half)),
        ),
        # The new checkpoint: every mc item right, every strict gsm item right; its log lacks items 30-39.
        "new": make_run(
            new,
            suite,
            {"mc": 1.0, "gsm": 1.0, "secret": 0.5},
            samples_file=_write_log(settings.EVAL_RUNS_DIR, "new.jsonl.gz", _log(ones, ones, half, doc_ids=range(30))),
        ),
        "theirs": make_run(
            theirs,
            suite,
            {"mc": 0.5, "gsm": 0.5, "secret": 0.5},
            samples_file=_write_log(settings.EVAL_RUNS_DIR, "b.jsonl.gz", _log(half, half, half)),
        ),
    }
    call_command("index_run_samples", stdout=io.StringIO())  # the sample table (#24), as a backfill fills it
    return {"people": people, "suite": suite, "old": old, "new": new, "theirs": theirs, "runs": runs}


def _rows(comparison) -> dict:
    return {row["task"]: row for row in comparison.rows}


def test_scores_differences_and_the_paired_interval_over_shared_items(world):
    comparison = checkpoint_comparison(user=world["people"]["member_a"], a=world["old"].pk, b=world["new"].pk)
    assert (comparison.run_a, comparison.run_b) == (world["runs"]["old"], world["runs"]["new"])
    rows = _rows(comparison)
    assert rows["mc"]["score_a"] == 0.5 and rows["mc"]["score_b"] == 1.0 and rows["mc"]["difference"] == 0.5
    assert rows["mc"]["shared_items"] == 30  # matched by doc_id: items 30-39 only one run answered
    assert rows["mc"]["mean_item_difference"] == 0.5  # 15 of 30 shared items went from wrong to right
    assert 0 < rows["mc"]["low"] < 0.5 < rows["mc"]["high"] <= 1
    # Only the suite metric's filter (strict-match): every shared item went from 0 to 1.
    assert rows["gsm"]["shared_items"] == 30
    assert rows["gsm"]["mean_item_difference"] == rows["gsm"]["low"] == rows["gsm"]["high"] == 1.0


def test_the_same_comparison_gives_the_same_interval(world):
    user = world["people"]["member_a"]
    first = checkpoint_comparison(user=user, a=world["old"].pk, b=world["new"].pk)
    assert _rows(first) == _rows(checkpoint_comparison(user=user, a=world["old"].pk, b=world["new"].pk))


def test_a_run_stored_before_the_sample_table_compares_the_same_from_its_log(world):
    user = world["people"]["member_a"]
    indexed = _rows(checkpoint_comparison(user=user, a=world["old"].pk, b=world["new"].pk))
    assert RunSample.objects.filter(run=world["runs"]["new"]).exists()
    RunSample.objects.all().delete()
    assert _rows(checkpoint_comparison(user=user, a=world["old"].pk, b=world["new"].pk)) == indexed


def test_hidden_tasks_are_left_out_for_teams_and_shown_to_staff(world):
    team = checkpoint_comparison(user=world["people"]["member_a"], a=world["old"].pk, b=world["new"].pk)
    assert "secret" not in _rows(team) and team.hidden_left_out == 1
    staff = checkpoint_comparison(user=world["people"]["reviewer"], a=world["old"].pk, b=world["new"].pk)
    assert "secret" in _rows(staff) and staff.hidden_left_out == 0


@pytest.mark.parametrize(
    "role,pair,allowed",
    [
        ("member_a", ("old", "new"), True),  # a team its own checkpoints
        ("member_a", ("old", "theirs"), False),  # not another team's
        ("member_b", ("old", "new"), False),
        ("reviewer", ("old", "theirs"), True),  # reviewers and admins any
        ("admin", ("new", "theirs"), True),
    ],
)
def test_who_may_compare_what(world, role, pair, allowed):
    result = checkpoint_comparison(user=world["people"][role], a=world[pair[0]].pk, b=world[pair[1]].pk)
    assert (result is not None) is allowed
    client = Client()
    client.force_login(world["people"][role])
    page = client.get(f"/evaluation/compare/?a={world[pair[0]].pk}&b={world[pair[1]].pk}")
    api = client.get(f"/api/comparisons/?a={world[pair[0]].pk}&b={world[pair[1]].pk}")
    assert (page.status_code, api.status_code) == ((200, 200) if allowed else (404, 404))
    if not allowed:
        assert "a-old" not in page.content.decode() and "b-theirs" not in api.content.decode()


def test_runs_on_different_suite_versions_are_not_compared(world):
    other = make_suite_version(TASKS)
    run = make_run(world["new"], other, {"mc": 1.0})
    client = Client()
    client.force_login(world["people"]["member_a"])
    answer = client.get(f"/evaluation/compare/?a={world['old'].pk}&b={world['new'].pk}&run_b={run.pk}")
    with translation.override("ko"):  # the page speaks Korean first
        refusal = translation.gettext("The two runs must be on the same suite version.")
    assert answer.status_code == 200 and refusal in answer.content.decode()
    api = client.get(f"/api/comparisons/?a={world['old'].pk}&b={world['new'].pk}&run_b={run.pk}")
    assert api.status_code == 400


def test_the_api_answers_with_a_token_and_names_the_bootstrap(world):
    token = api_token_key(world["people"]["member_a"])
    answer = Client().get(
        f"/api/comparisons/?a={world['old'].pk}&b={world['new'].pk}", HTTP_AUTHORIZATION=f"Token {token}"
    )
    body = answer.json()
    assert answer.status_code == 200 and body["bootstrap"] == {"samples": 500, "seed": 20251230, "level": 0.95}
    assert [t["task"] for t in body["tasks"]] == ["mc", "gsm"] and body["hidden_tasks_left_out"] == 1
    assert (
        Client().get(f"/api/comparisons/?a={world['old'].pk}", HTTP_AUTHORIZATION=f"Token {token}").status_code == 400
    )


def test_the_page_draws_the_chart_and_its_queries_are_fixed(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world["people"]["reviewer"])
    url = f"/evaluation/compare/?a={world['old'].pk}&b={world['theirs'].pk}"
    client.get(url)
    with django_assert_max_num_queries(13):
        page = client.get(url)
    body = page.content.decode()
    assert 'id="chart-difference"' in body and "compare-chart" in body and 'data-task="secret"' in body
    with django_assert_max_num_queries(11):
        assert client.get(url.replace("/evaluation/compare/", "/api/comparisons/")).status_code == 200
