"""Plotly figures (plain JSON-able dicts, drawn by plotly.js in the page) from the same table."""

from django.utils.translation import gettext as _

from leaderboards.table import Row, Table


def _category_label(key: str) -> str:
    from evaluation.models import TaskCategory

    return str(TaskCategory(key).label) if key in TaskCategory.values else key


def overall_bars(rows: list[Row], table: Table) -> dict:
    shown = [r for r in rows if r.overall.known] + [r for r in table.references if r.overall.known]
    return {
        "data": [
            {
                "type": "bar",
                "x": [r.label for r in shown],
                "y": [r.overall.value for r in shown],
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [r.overall.high - r.overall.value for r in shown],
                    "arrayminus": [r.overall.value - r.overall.low for r in shown],
                },
                "marker": {"color": ["#9aa5b1" if r.is_reference else "#1f6feb" for r in shown]},
                "hovertemplate": "%{x}: %{y:.2f}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": _("Overall score with its %(level)s interval") % {"level": "95%"}},
            "margin": {"t": 40, "b": 80},
            "yaxis": {"rangemode": "tozero"},
        },
    }


def category_radar(rows: list[Row], table: Table) -> dict:
    labels = [_category_label(c) for c in table.categories]
    traces = []
    for row in rows:
        values = [
            row.categories[c].value if c in row.categories and row.categories[c].known else 0 for c in table.categories
        ]
        traces.append(
            {
                "type": "scatterpolar",
                "name": row.label,
                "fill": "toself",
                "r": values + values[:1],
                "theta": labels + labels[:1],
            }
        )
    return {
        "data": traces,
        "layout": {
            "title": {"text": _("Score by category")},
            "polar": {"radialaxis": {"visible": True}},
            "margin": {"t": 40},
        },
    }


def best_over_time(rows: list[Row], table: Table) -> dict:
    names = {str(r.team["id"]): r.label for r in rows if r.team}
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "line": {"shape": "hv"},
            "name": names[team_id],
            "x": [point[0] for point in points],
            "y": [point[1] for point in points],
        }
        for team_id, points in sorted(table.history.items())
        if team_id in names
    ]
    return {
        "data": traces,
        "layout": {"title": {"text": _("Best overall score over time (normalised)")}, "margin": {"t": 40}},
    }


def figures(rows: list[Row], table: Table) -> dict:
    return {
        "bars": overall_bars(rows, table),
        "radar": category_radar(rows, table),
        "history": best_over_time(rows, table),
    }
