"""A campaign's result from its judgments (pure: no database, no clock).

Input: the teams (ordered by id), and one (left team id, right team id, verdict, category) tuple
per counted judgment. Output: a JSON-able dict with the overall fit, one fit per category, the
observed win-rate matrices and the mapping onto the stage's user part. The same function serves
the live result, the closed result and the benchmark.

Mapping (the rubric's user part, P points): each team's fraction is its model-based expected
score against the other teams (P(win) + ½·P(tie), averaged over opponents; 0.5 for a team as good
as the field) or, with `relative_to_best`, that score divided by the best team's. Every criterion
of the part gets round(fraction × its maximum, 2) — what UserScore stores — so the stage's user
part is P × Σ criterion scores ÷ Σ maxima, exactly the `points` reported here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from arena import bradley_terry as bt

DECISIVE = {"left": bt.WIN, "right": bt.LOSS, "tie": bt.TIE, "both_bad": bt.TIE}


def _table(rows, index: dict[int, int], k: int) -> np.ndarray:
    if not rows:
        return np.zeros((k * (k - 1) // 2, 3), dtype=np.int64)
    left = np.fromiter((index[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    right = np.fromiter((index[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    outcome = np.fromiter((DECISIVE[r[2]] for r in rows), dtype=np.int64, count=len(rows))
    return bt.count_table(left, right, outcome, k)


def map_fraction(expected: np.ndarray, method: str) -> np.ndarray:
    """Fractions of the part's points from expected scores (last axis: teams)."""
    expected = np.asarray(expected, dtype=float)
    if method == "relative_to_best":
        best = expected.max(axis=-1, keepdims=True)
        return np.where(best > 0, expected / np.where(best > 0, best, 1), 0.0)
    return expected


def criterion_scores(fraction: float, criteria: list[dict]) -> dict[str, str]:
    """What the stage stores per criterion: fraction × maximum, to the cent."""
    return {
        c["key"]: str(
            (Decimal(repr(float(fraction))) * Decimal(str(c["max_score"]))).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_EVEN
            )
        )
        for c in criteria
    }


def part_points(scores: dict[str, str], criteria: list[dict], points: str) -> float:
    maximum = sum(float(c["max_score"]) for c in criteria)
    return float(points) * sum(float(v) for v in scores.values()) / maximum if maximum else 0.0


def _public(analysis: dict) -> dict:
    return {key: value for key, value in analysis.items() if key != "expected_score_draws"}


def compute(
    *,
    teams: list[dict],
    rows: list[tuple],
    categories: list[str],
    mapping: str,
    part: dict,
    criteria: list[dict],
    rounds: int,
    seed: int,
) -> dict:
    """`teams`: [{id, slug, name_ko, name_en}]; `rows`: (left team, right team, verdict, category);
    `part`: {key, points}; `criteria`: [{key, max_score}] of that part."""
    teams = sorted(teams, key=lambda t: t["id"])
    k = len(teams)
    index = {t["id"]: i for i, t in enumerate(teams)}
    rows = [r for r in rows if r[0] in index and r[1] in index]
    overall = bt.analyse(_table(rows, index, k), k, rounds=rounds, seed=seed)
    by_category = {}
    for offset, category in enumerate(categories, start=1):
        subset = [r for r in rows if r[3] == category]
        if subset:
            by_category[category] = _public(bt.analyse(_table(subset, index, k), k, rounds=rounds, seed=seed + offset))
    fraction = map_fraction(np.asarray(overall["expected_score"]), mapping)
    draws = map_fraction(overall["expected_score_draws"], mapping)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    both_bad = [0] * k
    shown = [0] * k
    for left, right, verdict, _category in rows:
        shown[index[left]] += 1
        shown[index[right]] += 1
        if verdict == "both_bad":
            both_bad[index[left]] += 1
            both_bad[index[right]] += 1
    mapped = []
    for i, team in enumerate(teams):
        scores = criterion_scores(fraction[i], criteria)
        mapped.append(
            {
                "team": team["id"],
                "fraction": float(fraction[i]),
                "fraction_interval": [float(low[i]), float(high[i])],
                "criterion_scores": scores,
                "points": part_points(scores, criteria, part["points"]),
                "points_interval": [float(part["points"]) * float(low[i]), float(part["points"]) * float(high[i])],
            }
        )
    order = sorted(range(k), key=lambda i: (-overall["strength"][i], teams[i]["slug"]))
    return {
        "teams": teams,
        "order": [teams[i]["id"] for i in order],
        "judgments": len(rows),
        "both_bad_share": [both_bad[i] / shown[i] if shown[i] else None for i in range(k)],
        "overall": _public(overall),
        "categories": by_category,
        "mapping": {"method": mapping, "part": part["key"], "part_points": str(part["points"]), "teams": mapped},
    }
