"""The leaderboard table on hand-computed cases (pure: no database)."""

import pytest

from leaderboards.options import ViewOptions, apply
from leaderboards.table import Scale, compute_table

TASKS = [
    {
        "task": "nia_mc",
        "metric": "acc,none",
        "category": "nia",
        "weight": 1.0,
        "random_baseline": 0.25,
        "higher_is_better": True,
    },
    {
        "task": "global_mc",
        "metric": "acc,none",
        "category": "global_common",
        "weight": 1.0,
        "random_baseline": 0.5,
        "higher_is_better": True,
    },
    {
        "task": "global_gen",
        "metric": "acc,none",
        "category": "global_common",
        "weight": 1.0,
        "random_baseline": 0.0,
        "higher_is_better": True,
    },
    {
        "task": "chosen_gen",
        "metric": "acc,none",
        "category": "team_chosen",
        "weight": 1.0,
        "random_baseline": 0.0,
        "higher_is_better": True,
    },
]


def entry(slug, results, target="", team_id=None):
    return {
        "key": f"team:{slug}",
        "label": slug,
        "team": {"id": team_id or hash(slug) % 1000, "slug": slug, "name_ko": slug, "name_en": slug},
        "checkpoint": {"id": 1, "name": f"{slug}-ckpt", "declared_target_model": target},
        "run": {"id": 1, "finished_at": None},
        "results": results,
    }


def inputs(entries, references=()):
    return {"tasks": TASKS, "entries": entries, "references": list(references), "history": {}}


REFERENCE = {
    "name": "Frontier-X",
    "results": {"nia_mc": [0.6, None], "global_mc": [0.8, None], "global_gen": [0.6, None], "chosen_gen": [0.5, None]},
}
TEAM = entry(
    "alpha",
    {"nia_mc": [0.55, 0.03], "global_mc": [0.8, None], "global_gen": [0.3, None], "chosen_gen": [0.5, None]},
    target="frontier-x",
)


def test_normalised_cells_categories_and_overall():
    row = compute_table(inputs([TEAM], [REFERENCE])).rows[0]
    assert row.tasks["nia_mc"].value == pytest.approx(40.0)  # 100·(0.55 − 0.25)/(1 − 0.25)
    assert row.tasks["global_mc"].value == pytest.approx(60.0)  # 100·(0.8 − 0.5)/0.5
    assert row.tasks["global_gen"].value == pytest.approx(30.0)  # generative: baseline 0
    assert row.categories["global_common"].value == pytest.approx(45.0)
    assert row.categories["nia"].value == pytest.approx(40.0)
    assert row.overall.value == pytest.approx(45.0)  # (40 + 60 + 30 + 50) / 4


def test_below_the_random_baseline_scores_zero():
    team = entry("low", {"nia_mc": [0.2, None], "global_mc": [0.4, None]})
    row = compute_table(inputs([team])).rows[0]
    assert row.tasks["nia_mc"].value == 0.0
    assert row.tasks["global_mc"].value == 0.0


def test_raw_scale_shows_the_metric():
    row = compute_table(inputs([TEAM]), scale=Scale.RAW).rows[0]
    assert row.tasks["nia_mc"].value == pytest.approx(0.55)
    assert row.overall.value == pytest.approx((0.55 + 0.8 + 0.3 + 0.5) / 4)
    assert row.ranking.value == pytest.approx(45.0)  # ranks stay on the normalised score


def test_percent_of_the_declared_target_model():
    row = compute_table(inputs([TEAM], [REFERENCE])).rows[0]
    assert row.target == "Frontier-X"  # matched without regard to case
    assert row.tasks["nia_mc"].percent_of_target == pytest.approx(100 * 0.55 / 0.6)
    assert row.tasks["global_gen"].percent_of_target == pytest.approx(50.0)
    assert row.percent_of_target == pytest.approx((100 * 0.55 / 0.6 + 100 + 50 + 100) / 4)


def test_no_target_no_percent():
    row = compute_table(inputs([entry("beta", TEAM["results"], target="Unknown-Model")], [REFERENCE])).rows[0]
    assert row.percent_of_target is None and row.target == ""


def test_interval_from_the_stderr_through_the_normalisation():
    cell = compute_table(inputs([TEAM])).rows[0].tasks["nia_mc"]
    half = 1.959963984540054 * 0.03
    assert cell.low == pytest.approx(100 * (0.55 - half - 0.25) / 0.75)
    assert cell.high == pytest.approx(100 * (0.55 + half - 0.25) / 0.75)
    assert cell.stderr == pytest.approx(4.0)
    overall = compute_table(inputs([TEAM])).rows[0].overall
    assert overall.stderr == pytest.approx(4.0 / 4)  # one task with stderr 4, four tasks of equal weight


def test_groups_are_normalised_per_subtask_then_averaged():
    tasks = [
        {
            "task": "sub_2way",
            "metric": "acc,none",
            "category": "nia",
            "weight": 0.5,
            "random_baseline": 0.5,
            "higher_is_better": True,
        },
        {
            "task": "sub_4way",
            "metric": "acc,none",
            "category": "nia",
            "weight": 0.5,
            "random_baseline": 0.25,
            "higher_is_better": True,
        },
    ]
    team = entry("g", {"sub_2way": [0.75, None], "sub_4way": [0.625, None]})
    row = compute_table({"tasks": tasks, "entries": [team], "references": [], "history": {}}).rows[0]
    assert row.categories["nia"].value == pytest.approx((50.0 + 50.0) / 2)  # not (0.6875 raw → one baseline)


def test_references_are_shown_but_never_ranked():
    table = compute_table(inputs([TEAM], [REFERENCE]))
    assert [r.label for r in table.rows] == ["alpha"]
    assert table.references[0].is_reference and table.references[0].rank is None


def _team(slug, value, stderr):
    return entry(slug, {t["task"]: [value, stderr] for t in TASKS})


def test_rank_ranges_and_statistical_ties():
    # Normalised overall ≈ a: 0.9, b: 0.88 (overlapping a), c: 0.5 (clearly below both).
    table = compute_table(inputs([_team("a", 0.9, 0.02), _team("b", 0.88, 0.02), _team("c", 0.5, 0.01)]))
    a, b, c = table.rows
    assert [a.rank, b.rank, c.rank] == [1, 2, 3]
    assert (a.rank_best, a.rank_worst) == (1, 2) and (b.rank_best, b.rank_worst) == (1, 2)
    assert (c.rank_best, c.rank_worst) == (3, 3)
    assert a.tied_with_next and not b.tied_with_next


def test_equal_scores_share_a_rank():
    table = compute_table(inputs([_team("a", 0.7, None), _team("b", 0.7, None)]))
    assert [r.rank for r in table.rows] == [1, 1]


def test_sorting_and_filtering():
    table = compute_table(inputs([_team("a", 0.9, None), _team("b", 0.6, None), _team("c", 0.8, None)]))
    assert [r.label for r in apply(table, ViewOptions(sort="team", descending=True))] == ["c", "b", "a"]
    assert [r.label for r in apply(table, ViewOptions(sort="task:nia_mc"))] == ["a", "c", "b"]  # best first
    assert [r.label for r in apply(table, ViewOptions(team="b"))] == ["b"]
    assert [t["task"] for t in ViewOptions(category="global_common").visible_tasks(table)] == [
        "global_mc",
        "global_gen",
    ]
