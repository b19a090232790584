"""The cut on worked examples (pure: no database)."""

import copy

import pytest

from stages.rubric import FIRST_STAGE_RUBRIC
from stages.scoring import aggregate, compute_outcome

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
TARGET = {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5}


def rubric_inputs():
    rubric, criteria = [], []
    for key, parent, kind, category, points, ko, en, crits in FIRST_STAGE_RUBRIC:
        rubric.append(
            {
                "key": key,
                "parent": parent,
                "kind": kind,
                "category": category,
                "points": str(points),
                "name_ko": ko,
                "name_en": en,
            }
        )
        criteria += [
            {"key": c, "part": key, "max_score": str(m), "name_ko": cko, "name_en": cen} for c, cko, cen, m in crits
        ]
    return rubric, criteria


def team(team_id, slug, scores, excluded=""):
    return {
        "id": team_id,
        "slug": slug,
        "name_ko": slug,
        "name_en": slug,
        "excluded_reason": excluded,
        "nomination": None,
        "scores": scores,
        "target_scores": dict(TARGET),
        "samples": {},
    }


def expert(team_id, per_reviewer):
    """{criterion: [score by reviewer 1, 2, ...]} → rows."""
    return [
        {"reviewer": r + 1, "team": team_id, "criterion": c, "score": str(s)}
        for c, scores in per_reviewer.items()
        for r, s in enumerate(scores)
    ]


def user(team_id, per_evaluator):
    return [
        {"evaluator": f"u{e}", "team": team_id, "criterion": c, "score": str(s)}
        for c, scores in per_evaluator.items()
        for e, s in enumerate(scores)
    ]


def make_inputs(teams, expert_scores, user_scores, **stage):
    rubric, criteria = rubric_inputs()
    return {
        "stage": {
            "slug": "s1",
            "advancing_count": 1,
            "suite_version": 1,
            "benchmark_scoring": "target_ratio",
            "expert_aggregation": "mean",
            "trim_fraction": "0.1",
            "tie_break": ["benchmarks", "expert"],
            "target_goal_percent": "95",
            "bootstrap_samples": 200,
            "bootstrap_seed": 7,
            **stage,
        },
        "rubric": rubric,
        "criteria": criteria,
        "tasks": TASKS,
        "teams": teams,
        "expert_scores": expert_scores,
        "user_scores": user_scores,
    }


X_SCORES = {"nia_mc": 0.57, "global_mc": 0.9, "global_gen": 0.3, "chosen_gen": 0.45}
X_EXPERT = {"technology": [8, 9, 10], "report": [6, 6, 6], "sovereignty": [7, 8, 9]}
X_USER = {"usefulness": [4, 5], "accuracy": [3, 3], "korean": [5, 4]}


def test_the_40_35_25_rubric_on_a_worked_example():
    outcome = compute_outcome(make_inputs([team(1, "x", X_SCORES)], expert(1, X_EXPERT), user(1, X_USER)))
    row = outcome["rows"][0]
    # Benchmarks: NIA 10 × min(1, 0.57/0.6) = 9.5; global 20 × mean(min(1, 0.9/0.8), 0.3/0.6) = 15;
    # team-chosen 10 × 0.45/0.5 = 9.
    assert row["parts"]["nia"] == pytest.approx(9.5)
    assert row["parts"]["global_common"] == pytest.approx(15.0)
    assert row["parts"]["team_chosen"] == pytest.approx(9.0)
    assert row["parts"]["benchmarks"] == pytest.approx(33.5)
    # Expert: mean per criterion 9, 6, 8 → 23 of 30 → 35 × 23/30. User: 4.5, 3, 4.5 → 12 of 15 → 20.
    assert row["parts"]["expert"] == pytest.approx(35 * 23 / 30, abs=1e-6)
    assert row["parts"]["user"] == pytest.approx(20.0)
    assert row["total"] == pytest.approx(33.5 + 35 * 23 / 30 + 20, abs=1e-6)
    assert row["missing"] == []


def test_normalised_benchmark_scoring():
    outcome = compute_outcome(make_inputs([team(1, "x", X_SCORES)], [], [], benchmark_scoring="normalised"))
    # nia: 100·(0.57 − 0.25)/0.75 = 42.67 → 10 × 0.4267; global: (80 + 30)/2 → 20 × 0.55; chosen: 10 × 0.45
    assert outcome["rows"][0]["parts"]["nia"] == pytest.approx(10 * 0.32 / 0.75, abs=1e-6)
    assert outcome["rows"][0]["parts"]["global_common"] == pytest.approx(11.0)
    assert outcome["rows"][0]["parts"]["benchmarks"] == pytest.approx(10 * 0.32 / 0.75 + 11 + 4.5, abs=1e-6)


def test_goal_of_95_percent_of_the_target():
    at_target = {task: value * 0.96 for task, value in TARGET.items()}
    below = {task: value * 0.90 for task, value in TARGET.items()}
    outcome = compute_outcome(make_inputs([team(1, "met", at_target), team(2, "not", below)], [], []))
    goal = {r["slug"]: (r["goal_met"], r["percent_of_target"]) for r in outcome["rows"]}
    assert goal["met"] == (True, pytest.approx(96.0))
    assert goal["not"] == (False, pytest.approx(90.0))


def test_trimmed_mean():
    assert aggregate([1, 8, 9, 10], "trimmed_mean", 0.25) == pytest.approx(8.5)
    assert aggregate([1, 8, 9, 10], "mean", 0.25) == pytest.approx(7.0)
    assert aggregate([0, 7, 7, 7, 7, 7, 7, 7, 7, 10], "trimmed_mean", 0.1) == pytest.approx(7.0)
    assert aggregate([5], "trimmed_mean", 0.4) == 5  # never trims everything away
    assert aggregate([], "mean", 0) is None


def test_trimmed_mean_drops_an_outlier_reviewer():
    scores = {"technology": [9, 9, 9, 9, 0], "report": [9, 9, 9, 9, 0], "sovereignty": [9, 9, 9, 9, 0]}
    mean = compute_outcome(make_inputs([team(1, "x", X_SCORES)], expert(1, scores), []))
    trimmed = compute_outcome(
        make_inputs(
            [team(1, "x", X_SCORES)], expert(1, scores), [], expert_aggregation="trimmed_mean", trim_fraction="0.2"
        )
    )
    assert mean["rows"][0]["parts"]["expert"] == pytest.approx(35 * 7.2 / 10)
    assert trimmed["rows"][0]["parts"]["expert"] == pytest.approx(35 * 9 / 10)


def test_tie_break_order():
    # Both total 50. A: 40 benchmark + 10 expert points; B: 30 benchmark (global_gen 0) + 20 expert.
    a = team(1, "a", {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5})
    b = team(2, "b", {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.0, "chosen_gen": 0.5})
    scores = expert(1, {"technology": [10 * 30 / 35], "report": [0], "sovereignty": [0]})  # 35 × (30/35·10)/30 = 10
    scores += expert(2, {"technology": [10], "report": [20 * 30 / 35 - 10], "sovereignty": [0]})  # 20
    inputs = make_inputs([a, b], scores, [], bootstrap_samples=0)
    by_benchmark = compute_outcome(inputs)
    assert [r["slug"] for r in by_benchmark["rows"]] == ["a", "b"]
    assert by_benchmark["rows"][0]["total"] == pytest.approx(50.0)
    assert by_benchmark["rows"][1]["total"] == pytest.approx(50.0)
    inputs["stage"]["tie_break"] = ["expert", "benchmarks"]
    assert [r["slug"] for r in compute_outcome(inputs)["rows"]] == ["b", "a"]


def test_exact_tie_after_every_tie_break_is_flagged():
    same = {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5}
    outcome = compute_outcome(make_inputs([team(2, "b", same), team(1, "a", same)], [], [], bootstrap_samples=0))
    assert outcome["exact_tie_broken_by_slug"] is True
    assert [r["slug"] for r in outcome["rows"]] == ["a", "b"]


def test_originality_gate_overrides_the_score():
    strong = team(1, "strong", {t: v for t, v in TARGET.items()}, excluded="Reused a foreign vision encoder.")
    weak = team(2, "weak", {t: v / 2 for t, v in TARGET.items()})
    outcome = compute_outcome(make_inputs([strong, weak], [], [], advancing_count=1))
    rows = {r["slug"]: r for r in outcome["rows"]}
    assert rows["strong"]["rank"] == 1 and not rows["strong"]["advances"]
    assert rows["strong"]["excluded_reason"] == "Reused a foreign vision encoder."
    assert rows["weak"]["advances"]
    assert rows["strong"]["probability_advancing"] == 0


def _bootstrap_inputs(seed):
    items_a = [1] * 60 + [0] * 40
    items_b = [1] * 58 + [0] * 42
    a = team(1, "a", {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5})
    b = team(2, "b", {"nia_mc": 0.58, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5})
    a["samples"], b["samples"] = {"nia_mc": items_a}, {"nia_mc": items_b}
    return make_inputs(
        [a, b], expert(1, X_EXPERT) + expert(2, X_EXPERT), [], bootstrap_seed=seed, bootstrap_samples=300
    )


def test_bootstrap_is_deterministic_with_a_seed():
    first, again = compute_outcome(_bootstrap_inputs(11)), compute_outcome(_bootstrap_inputs(11))
    assert first == again
    probabilities = [r["probability_advancing"] for r in first["rows"]]
    assert 0 < probabilities[1] < 1 and sum(probabilities) == pytest.approx(1.0)  # one place, close race
    assert first["cut_statistically_tied"] is True
    other = compute_outcome(_bootstrap_inputs(12))
    assert [r["probability_advancing"] for r in other["rows"]] != probabilities


def test_a_clear_cut_is_not_statistically_tied():
    a = team(1, "a", dict(TARGET))
    b = team(2, "b", {t: v / 3 for t, v in TARGET.items()})
    a["samples"] = {"nia_mc": [1] * 60 + [0] * 40}
    b["samples"] = {"nia_mc": [1] * 20 + [0] * 80}
    outcome = compute_outcome(make_inputs([a, b], [], [], bootstrap_samples=200))
    assert outcome["cut_statistically_tied"] is False
    assert outcome["rows"][0]["probability_advancing"] == 1.0


def test_missing_inputs_are_named_not_silently_zero():
    partial = team(1, "x", {"nia_mc": 0.5})
    partial["target_scores"] = {"nia_mc": 0.6}
    row = compute_outcome(make_inputs([partial], [], [], bootstrap_samples=0))["rows"][0]
    assert "score:global_mc" in row["missing"] and "expert:technology" in row["missing"]
    assert "user:usefulness" in row["missing"]


def test_outcome_depends_only_on_the_inputs():
    inputs = _bootstrap_inputs(3)
    kept = copy.deepcopy(inputs)
    assert compute_outcome(inputs) == compute_outcome(kept)
    assert inputs == kept  # computing does not change its inputs
