"""The cut, computed from a stage's stored inputs alone (pure: no database, no clock).

`inputs` is the JSON-able dict stages.inputs.stage_inputs() gathers and a finalised
StageResult keeps, so re-computing a finalised stage gives the same outcome.

Points per rubric part:
- benchmark (category C, P points): P × the weighted mean over C's tasks of either
  min(1, score ÷ the team's target-model score) or normalised score ÷ 100 (the stage's choice);
- expert / user (P points): P × Σ aggregated criterion score ÷ Σ criterion maximum, where a
  criterion's score aggregates the reviewers' (mean or trimmed mean) or the users' (mean);
- group: the sum of its children. The total is the sum of the top-level parts.
Order: total, then the tie-break parts in turn, then the team slug (documented last resort).
The first `advancing_count` teams that are not excluded advance.
Uncertainty: a seeded bootstrap resamples each task's items (from the per-sample logs),
the reviewers and the users, and counts how often each team advances.
"""

from __future__ import annotations

import math

import numpy as np

from evaluation.scoring import normalised_score
from stages.resampling import resampled_means
from stages.types import StageInputs, StageOutcome


def aggregate(values: list[float], method: str, trim_fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    if method == "trimmed_mean":
        cut = math.floor(len(ordered) * trim_fraction)
        if len(ordered) - 2 * cut >= 1:
            ordered = ordered[cut : len(ordered) - cut]
    return sum(ordered) / len(ordered)


class Rubric:
    """The rubric tree of a stage's inputs, with helpers to score it."""

    def __init__(self, inputs: StageInputs):
        self.parts = inputs["rubric"]
        self.by_key = {p["key"]: p for p in self.parts}
        self.children = {p["key"]: [c for c in self.parts if c["parent"] == p["key"]] for p in self.parts}
        self.roots = [p for p in self.parts if p["parent"] is None]
        self.criteria = {p["key"]: [c for c in inputs["criteria"] if c["part"] == p["key"]] for p in self.parts}
        self.tasks = inputs["tasks"]

    def leaves(self, kind: str) -> list[dict]:
        return [p for p in self.parts if p["kind"] == kind]

    def points(self, team_components: dict) -> dict[str, float]:
        """Every part's points for one team, from its components:
        {"fractions": {task: fraction}, "expert": {criterion: agg}, "user": {criterion: agg}}."""
        result: dict[str, float] = {}

        def visit(part) -> float:
            kind, points = part["kind"], float(part["points"])
            if kind == "group":
                value = sum(visit(child) for child in self.children[part["key"]])
            elif kind == "benchmark":
                tasks = [t for t in self.tasks if t["category"] == part["category"]]
                weight = sum(t["weight"] for t in tasks)
                fractions = team_components["fractions"]
                value = (
                    points * sum(t["weight"] * fractions.get(t["task"], 0.0) for t in tasks) / weight if weight else 0.0
                )
            else:
                criteria = self.criteria[part["key"]]
                scores = team_components[kind]
                maximum = sum(float(c["max_score"]) for c in criteria)
                got = sum(scores.get(c["key"]) or 0.0 for c in criteria)
                value = points * got / maximum if maximum else 0.0
            result[part["key"]] = value
            return value

        result["total"] = sum(visit(root) for root in self.roots)
        return result


def task_fraction(task: dict, score: float | None, target: float | None, method: str) -> float | None:
    if score is None:
        return None
    if method == "normalised":
        normalised = normalised_score(score, task["random_baseline"], task["higher_is_better"])
        return None if normalised is None else normalised / 100
    if not target or target <= 0:
        return None
    return min(1.0, score / target)


def _fractions(rubric: Rubric, team: dict, method: str, scores: dict) -> dict[str, float]:
    fractions = {}
    for task in rubric.tasks:
        value = task_fraction(task, scores.get(task["task"]), team["target_scores"].get(task["task"]), method)
        if value is not None:
            fractions[task["task"]] = value
    return fractions


def _matrix(entries: list[dict], who: str, teams: list[dict], criteria: list[str]):
    """scores[team index, criterion index, person index] (NaN where missing) and the people."""
    people = sorted({str(e[who]) for e in entries})
    index_t = {t["id"]: i for i, t in enumerate(teams)}
    index_c = {c: i for i, c in enumerate(criteria)}
    index_p = {p: i for i, p in enumerate(people)}
    matrix = np.full((len(teams), len(criteria), len(people)), np.nan)
    for e in entries:
        if e["team"] in index_t and e["criterion"] in index_c:
            matrix[index_t[e["team"]], index_c[e["criterion"]], index_p[str(e[who])]] = float(e["score"])
    return matrix, people


def _aggregate_matrix(matrix, method: str, trim: float) -> np.ndarray:
    """Aggregate along people: [team, criterion] (NaN where nobody scored)."""
    teams, criteria, _people = matrix.shape
    out = np.full((teams, criteria), np.nan)
    for t in range(teams):
        for c in range(criteria):
            values = [v for v in matrix[t, c] if not math.isnan(v)]
            value = aggregate(values, method, trim)
            if value is not None:
                out[t, c] = value
    return out


def _order(teams: list[dict], totals: dict, tie_break: list[str]) -> list[dict]:
    return sorted(
        teams,
        key=lambda t: (
            [-round(totals[t["id"]]["total"], 9)]
            + [-round(totals[t["id"]].get(k, 0.0), 9) for k in tie_break]
            + [t["slug"]]
        ),
    )


def _advancing(ordered: list[dict], count: int) -> set[int]:
    eligible = [t["id"] for t in ordered if not t.get("excluded_reason")]
    return set(eligible[:count])


def compute_outcome(inputs: StageInputs) -> StageOutcome:
    stage = inputs["stage"]
    rubric = Rubric(inputs)
    teams = sorted(inputs["teams"], key=lambda t: t["id"])
    method, tie_break = stage["benchmark_scoring"], list(stage["tie_break"])
    expert_criteria = [c["key"] for p in rubric.leaves("expert") for c in rubric.criteria[p["key"]]]
    user_criteria = [c["key"] for p in rubric.leaves("user") for c in rubric.criteria[p["key"]]]
    expert, reviewers = _matrix(inputs["expert_scores"], "reviewer", teams, expert_criteria)
    users, evaluators = _matrix(inputs["user_scores"], "evaluator", teams, user_criteria)
    trim = float(stage["trim_fraction"])

    def components(i, team, scores, expert_agg, user_agg):
        return {
            "fractions": _fractions(rubric, team, method, scores),
            "expert": {
                c: (None if math.isnan(expert_agg[i, j]) else expert_agg[i, j]) for j, c in enumerate(expert_criteria)
            },
            "user": {c: (None if math.isnan(user_agg[i, j]) else user_agg[i, j]) for j, c in enumerate(user_criteria)},
        }

    expert_agg = _aggregate_matrix(expert, stage["expert_aggregation"], trim)
    user_agg = _aggregate_matrix(users, "mean", 0.0)
    totals = {t["id"]: rubric.points(components(i, t, t["scores"], expert_agg, user_agg)) for i, t in enumerate(teams)}
    ordered = _order(teams, totals, tie_break)
    advancing = _advancing(ordered, stage["advancing_count"])

    probabilities, intervals = _bootstrap(inputs, rubric, teams, components, expert, users, tie_break)
    eligible = [t for t in ordered if not t.get("excluded_reason")]
    count = stage["advancing_count"]
    cut_tied = False
    if 0 < count < len(eligible):
        last_in, first_out = eligible[count - 1]["id"], eligible[count]["id"]
        cut_tied = intervals[last_in][0] <= intervals[first_out][1]
    exact_tie = any(
        [round(totals[a["id"]][k], 9) for k in ["total", *tie_break]]
        == [round(totals[b["id"]][k], 9) for k in ["total", *tie_break]]
        for a, b in zip(ordered, ordered[1:])
    )

    rows = []
    for rank, team in enumerate(ordered, start=1):
        percents = [
            (t["weight"], 100 * team["scores"][t["task"]] / team["target_scores"][t["task"]])
            for t in rubric.tasks
            if t["task"] in team["scores"] and team["target_scores"].get(t["task"])
        ]
        percent = sum(w * p for w, p in percents) / sum(w for w, _p in percents) if percents else None
        rows.append(
            {
                "team": team["id"],
                "slug": team["slug"],
                "name_ko": team["name_ko"],
                "name_en": team["name_en"],
                "rank": rank,
                "parts": {k: round(v, 6) for k, v in totals[team["id"]].items()},
                "total": round(totals[team["id"]]["total"], 6),
                "total_interval": [round(v, 6) for v in intervals[team["id"]]],
                "advances": team["id"] in advancing,
                "excluded_reason": team.get("excluded_reason", ""),
                "probability_advancing": probabilities[team["id"]],
                "percent_of_target": None if percent is None else round(percent, 4),
                "goal_met": None if percent is None else percent >= float(stage["target_goal_percent"]),
                "missing": _missing(
                    rubric,
                    team,
                    totals[team["id"]],
                    method,
                    expert_agg[teams.index(team)],
                    user_agg[teams.index(team)],
                    expert_criteria,
                    user_criteria,
                ),
            }
        )
    return {
        "rows": rows,
        "cut_statistically_tied": cut_tied,
        "exact_tie_broken_by_slug": exact_tie,
        "reviewers": len(reviewers),
        "user_evaluators": len(evaluators),
        "bootstrap": {
            "samples": stage["bootstrap_samples"],
            "seed": stage["bootstrap_seed"],
            # absent from stages finalised before version 2, whose outcome must not change
            **({"algorithm": stage["bootstrap_algorithm"]} if "bootstrap_algorithm" in stage else {}),
        },
    }


def _missing(rubric, team, parts, method, expert_row, user_row, expert_criteria, user_criteria) -> list[str]:
    """What could not be scored, so a zero is never silent."""
    missing = []
    for task in rubric.tasks:
        if task["task"] not in team["scores"]:
            missing.append(f"score:{task['task']}")
        elif method == "target_ratio" and not team["target_scores"].get(task["task"]):
            missing.append(f"target:{task['task']}")
    missing += [f"expert:{c}" for c, v in zip(expert_criteria, expert_row) if math.isnan(v)]
    missing += [f"user:{c}" for c, v in zip(user_criteria, user_row) if math.isnan(v)]
    return missing


def _bootstrap(inputs, rubric, teams, components, expert, users, tie_break):
    stage = inputs["stage"]
    samples = int(stage["bootstrap_samples"])
    if samples <= 0:
        return ({t["id"]: None for t in teams}, {t["id"]: (float("nan"), float("nan")) for t in teams})
    rng = np.random.default_rng(int(stage["bootstrap_seed"]))
    algorithm = int(stage.get("bootstrap_algorithm", 1))  # what the stage's inputs were finalised with
    # Task scores: each task's items resampled (the point score where no per-sample log exists).
    resampled: dict[int, dict[str, np.ndarray]] = {}
    for team in teams:
        per_task = {}
        for task in rubric.tasks:
            name = task["task"]
            items = team.get("samples", {}).get(name)
            if items:
                per_task[name] = resampled_means(rng, items, samples, algorithm=algorithm)
            elif name in team["scores"]:
                per_task[name] = np.full(samples, float(team["scores"][name]))
        resampled[team["id"]] = per_task
    reviewer_draws = rng.integers(0, max(1, expert.shape[2]), size=(samples, expert.shape[2]))
    user_draws = rng.integers(0, max(1, users.shape[2]), size=(samples, users.shape[2]))
    advances = {t["id"]: 0 for t in teams}
    totals_seen = {t["id"]: np.empty(samples) for t in teams}
    method, trim = stage["expert_aggregation"], float(stage["trim_fraction"])
    for b in range(samples):
        expert_agg = _aggregate_matrix(expert[:, :, reviewer_draws[b]], method, trim)
        with np.errstate(all="ignore"):
            user_agg = (
                np.nanmean(users[:, :, user_draws[b]], axis=2) if users.shape[2] else np.full(users.shape[:2], np.nan)
            )
        totals = {}
        for i, team in enumerate(teams):
            scores = {name: float(values[b]) for name, values in resampled[team["id"]].items()}
            totals[team["id"]] = rubric.points(components(i, team, scores, expert_agg, user_agg))
            totals_seen[team["id"]][b] = totals[team["id"]]["total"]
        for team_id in _advancing(_order(teams, totals, tie_break), stage["advancing_count"]):
            advances[team_id] += 1
    probabilities = {t: round(count / samples, 4) for t, count in advances.items()}
    intervals = {t: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for t, v in totals_seen.items()}
    return probabilities, intervals
