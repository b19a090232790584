"""Integrity flags for panel members (pure: no database).

A panel member is flagged, once they have at least `minimum` judgments, when they
- pick the same side (A, or B) in at least `same_side_share` of their decisive verdicts;
- take a median time under `min_seconds` per pair;
- disagree with the rest of the panel in at least `disagreement_share` of their decisive verdicts
  on a team pair where the others have a preference (the others' wins on that pair, ties half).
A flag is information for an admin, who may exclude the member with a reason.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

SAME_SIDE, FAST, DISAGREES = "same_side", "fast", "disagrees"


def flags(
    rows: list[tuple], *, minimum: int, same_side_share: float, min_seconds: float, disagreement_share: float
) -> dict[int, dict]:
    """rows: (member id, left team, right team, verdict, seconds). Returns per member: counts,
    shares and the list of flags raised."""
    pair_wins: dict[tuple, float] = defaultdict(float)  # (winner, loser) → wins of the whole panel
    mine: dict[int, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    by_member: dict[int, list[tuple]] = defaultdict(list)
    for member, left, right, verdict, seconds in rows:
        by_member[member].append((left, right, verdict, seconds))
        if verdict in ("left", "right"):
            winner, loser = (left, right) if verdict == "left" else (right, left)
            pair_wins[(winner, loser)] += 1
            mine[member][(winner, loser)] += 1
    out = {}
    for member, judged in by_member.items():
        decisive = [j for j in judged if j[2] in ("left", "right")]
        lefts = sum(1 for j in decisive if j[2] == "left")
        side = max(lefts, len(decisive) - lefts) / len(decisive) if decisive else 0.0
        middle = median(j[3] for j in judged) if judged else None
        disagreements = consensus = 0
        for left, right, verdict, _seconds in decisive:
            winner, loser = (left, right) if verdict == "left" else (right, left)
            others_for = pair_wins[(winner, loser)] - mine[member][(winner, loser)]
            others_against = pair_wins[(loser, winner)] - mine[member][(loser, winner)]
            if others_for != others_against:
                consensus += 1
                disagreements += others_against > others_for
        disagree = disagreements / consensus if consensus else 0.0
        raised = []
        if len(judged) >= minimum:
            if decisive and side >= same_side_share:
                raised.append(SAME_SIDE)
            if middle is not None and middle < min_seconds:
                raised.append(FAST)
            if consensus and disagree >= disagreement_share:
                raised.append(DISAGREES)
        out[member] = {
            "judged": len(judged),
            "same_side_share": round(side, 4),
            "median_seconds": None if middle is None else round(middle, 2),
            "disagreement_share": round(disagree, 4),
            "flags": raised,
        }
    return out
