"""The comparison's Plotly figure (a plain JSON-able dict, drawn by plotly.js in the page)."""

from django.utils.translation import gettext as _


def difference_bars(rows: list[dict], *, label_a: str, label_b: str) -> dict:
    """Per task, the mean item difference (B − A) with its 95% paired bootstrap interval."""
    shown = [r for r in rows if r["mean_item_difference"] is not None]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [r["task"] for r in shown],
                "x": [r["mean_item_difference"] for r in shown],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [(r["high"] - r["mean_item_difference"]) if r["high"] is not None else 0 for r in shown],
                    "arrayminus": [
                        (r["mean_item_difference"] - r["low"]) if r["low"] is not None else 0 for r in shown
                    ],
                },
                "marker": {
                    "color": [
                        "#9aa5b1"
                        if r["low"] is None or r["low"] <= 0 <= r["high"]
                        else ("#1a7f37" if (r["low"] > 0) == r["higher_is_better"] else "#d1242f")
                        for r in shown
                    ]
                },
                "hovertemplate": "%{y}: %{x:.4f}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": _("%(b)s minus %(a)s, per task, with 95%% intervals") % {"a": label_a, "b": label_b}},
            "margin": {"t": 40, "l": 160},
            "xaxis": {"zeroline": True, "zerolinewidth": 2},
            "yaxis": {"autorange": "reversed"},
            "height": 120 + 40 * len(shown),
        },
    }
