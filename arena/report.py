"""The stored result as people read it: table rows, the strengths chart (Plotly), the win-rate
matrix, per-category rows. Pure: reads the result dict only."""

from django.utils import translation
from django.utils.translation import gettext as _

from arena.models import PromptCategory


def _english() -> bool:
    return (translation.get_language() or "ko").startswith("en")


def _names(data: dict) -> list[str]:
    english = _english()
    return [t["name_en"] if english else t["name_ko"] for t in data["teams"]]


def result_rows(data: dict) -> list[dict]:
    names, overall = _names(data), data["overall"]
    mapped = {m["team"]: m for m in data["mapping"]["teams"]}
    rows = []
    for i, team in enumerate(data["teams"]):
        rows.append(
            {
                "name": names[i],
                "strength": overall["strength"][i],
                "strength_interval": overall["strength_interval"][i],
                "expected": overall["expected_score"][i],
                "expected_interval": overall["expected_score_interval"][i],
                "both_bad": data["both_bad_share"][i],
                "points": mapped[team["id"]]["points"],
                "points_interval": mapped[team["id"]]["points_interval"],
                "team": team["id"],
            }
        )
    order = {team_id: position for position, team_id in enumerate(data["order"])}
    return sorted(rows, key=lambda r: order[r["team"]])


def win_rate_matrix(data: dict) -> dict:
    names = _names(data)
    matrix = data["overall"]["win_rate"]
    return {"names": names, "rows": [{"name": names[i], "cells": row} for i, row in enumerate(matrix)]}


def category_rows(data: dict) -> list[dict]:
    names = _names(data)
    out = []
    for key, analysis in data["categories"].items():
        label = str(PromptCategory(key).label) if key in PromptCategory.values else key
        out.append(
            {
                "label": label,
                "judgments": analysis["judgments"],
                "teams": [
                    {
                        "name": names[i],
                        "expected": analysis["expected_score"][i],
                        "interval": analysis["expected_score_interval"][i],
                    }
                    for i in range(len(names))
                ],
            }
        )
    return out


def strengths_chart(data: dict) -> dict:
    """Each team's strength (log scale, Σ = 0) with its bootstrap 95% interval."""
    rows = result_rows(data)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": [r["strength"] for r in rows],
                "y": [r["name"] for r in rows],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [r["strength_interval"][1] - r["strength"] for r in rows],
                    "arrayminus": [r["strength"] - r["strength_interval"][0] for r in rows],
                },
                "marker": {"size": 12, "color": "#1f6feb"},
                "hovertemplate": "%{y}: %{x:.3f}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": _("Bradley–Terry strength with its %(level)s interval") % {"level": "95%"}},
            "margin": {"t": 40, "l": 140},
            "yaxis": {"autorange": "reversed"},
            "xaxis": {"zeroline": True, "title": {"text": _("strength (log scale, mean 0)")}},
        },
    }
