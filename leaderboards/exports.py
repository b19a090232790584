"""CSV, XLSX and JSON exports of exactly the table the page shows (same inputs, options, numbers)."""

import io
import json

import pandas as pd

from leaderboards.options import ViewOptions, apply
from leaderboards.table import Cell, Table

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _cell_columns(prefix: str, cell: Cell | None) -> dict:
    cell = cell or Cell(None)
    return {prefix: cell.value, f"{prefix} 95% low": cell.low, f"{prefix} 95% high": cell.high}


def table_records(table: Table, options: ViewOptions) -> list[dict]:
    """One flat record per row (teams, then references): the page's numbers, unrounded."""
    records = []
    for row in apply(table, options) + table.references:
        record = {
            "rank": row.rank,
            "rank range": row.rank_range,
            "tied with next": row.tied_with_next,
            "reference": row.is_reference,
            "team": row.label,
            "checkpoint": (row.checkpoint or {}).get("name"),
            "run": (row.run or {}).get("id"),
            "target model": row.target or None,
            "% of target": row.percent_of_target,
            **_cell_columns("overall", row.overall),
        }
        for category in options.visible_categories(table):
            record.update(_cell_columns(category, row.categories.get(category)))
        for task in options.visible_tasks(table):
            cell = row.tasks.get(task["task"])
            record.update(_cell_columns(task["task"], cell))
            record[f"{task['task']} % of target"] = cell.percent_of_target if cell else None
        records.append(record)
    return records


def export(table: Table, options: ViewOptions, fmt: str) -> bytes:
    records = table_records(table, options)
    if fmt == "json":
        return json.dumps({"scale": table.scale, "rows": records}, ensure_ascii=False, indent=1).encode()
    frame = pd.DataFrame.from_records(records)
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")  # the BOM lets Excel read Korean
    if fmt == "xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name="leaderboard")
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")
