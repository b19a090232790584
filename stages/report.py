"""The outcome as people read it: rows with part labels, a chart, and the CSV/XLSX export."""

import io

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def part_columns(inputs: dict) -> list[dict]:
    """Rubric parts in tree order with their label and depth."""
    parts, english = inputs["rubric"], _english()
    ordered = []

    def visit(parent, depth):
        for part in [p for p in parts if p["parent"] == parent]:
            ordered.append({**part, "depth": depth, "label": part["name_en"] if english else part["name_ko"]})
            visit(part["key"], depth + 1)

    visit(None, 0)
    return ordered


def result_rows(inputs: dict, outcome: dict) -> list[dict]:
    english = _english()
    columns = part_columns(inputs)
    reviewers = reviewers_per_team(inputs)
    rows = []
    for row in outcome["rows"]:
        rows.append(
            {
                **row,
                "name": row["name_en"] if english else row["name_ko"],
                "part_values": [row["parts"].get(c["key"]) for c in columns],
                "reviewers": reviewers.get(row["team"], 0),
            }
        )
    return rows


def reviewers_per_team(inputs: dict) -> dict[int, int]:
    """How many reviewers' (submitted) expert scores count for each team: fewer than the panel where
    a reviewer had a conflict of interest with the team."""
    seen: dict[int, set] = {}
    for score in inputs.get("expert_scores", []):
        seen.setdefault(score["team"], set()).add(score["reviewer"])
    return {team: len(people) for team, people in seen.items()}


def parts_chart(inputs: dict, outcome: dict) -> dict:
    """Stacked bars: each team's points per top-level part."""
    english = _english()
    tops = [c for c in part_columns(inputs) if c["depth"] == 0]
    names = [r["name_en"] if english else r["name_ko"] for r in outcome["rows"]]
    return {
        "data": [
            {
                "type": "bar",
                "name": part["label"],
                "x": names,
                "y": [r["parts"].get(part["key"], 0) for r in outcome["rows"]],
            }
            for part in tops
        ],
        "layout": {
            "barmode": "stack",
            "title": {"text": _("Points by part")},
            "margin": {"t": 40, "b": 80},
            "yaxis": {"range": [0, sum(float(p["points"]) for p in tops)]},
        },
    }


def export_frame(inputs: dict, outcome: dict) -> pd.DataFrame:
    columns = part_columns(inputs)
    records = []
    for row in result_rows(inputs, outcome):
        record = {
            "rank": row["rank"],
            "team": row["name"],
            "total": row["total"],
            "total 95% low": row["total_interval"][0],
            "total 95% high": row["total_interval"][1],
            "advances": row["advances"],
            "probability of advancing": row["probability_advancing"],
            "% of target": row["percent_of_target"],
            "goal met": row["goal_met"],
            "reviewers": row["reviewers"],
            "excluded (reason)": row["excluded_reason"] or None,
        }
        for column, value in zip(columns, row["part_values"]):
            record[f"{column['key']} ({column['points']})"] = value
        records.append(record)
    return pd.DataFrame.from_records(records)


def export(inputs: dict, outcome: dict, fmt: str) -> bytes:
    frame = export_frame(inputs, outcome)
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="stage result")
    return buffer.getvalue()
