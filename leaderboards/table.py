"""The leaderboard table, computed from plain inputs (live or a published snapshot) by one code path.

Pure: no database. `inputs` is the JSON-able dict selectors.leaderboard_inputs() builds and a
Snapshot stores, so a published table is recomputed exactly as it was.

Scores: a task cell is the raw metric or its normalised score (Open LLM Leaderboard v2:
0 at or below the random baseline, else 100·(raw − lb)/(1 − lb)). Category and overall
scores are suite-weighted means of the task cells. Every cell carries a 95% interval:
raw ± 1.96·stderr for a task (mapped through the normalisation, which is monotone), and for
a mean the stderr of a weighted mean of independent tasks. Ranks use the normalised overall
score; a team's rank range counts the teams whose intervals are entirely above or below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils import translation

from evaluation.scoring import normalised_score
from leaderboards.types import EntryInput, ReferenceInput, TableInputs, TaskInput

Z95 = 1.959963984540054
CATEGORIES = ("nia", "global_common", "team_chosen", "other")


class Scale:
    NORMALISED = "normalised"
    RAW = "raw"
    ALL = (NORMALISED, RAW)


@dataclass(frozen=True)
class Cell:
    value: float | None
    low: float | None = None
    high: float | None = None
    stderr: float | None = None
    percent_of_target: float | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


EMPTY = Cell(None)


@dataclass
class Row:
    key: str  # "team:<slug>" or "reference:<name>"
    label: str
    is_reference: bool
    team: dict | None = None
    checkpoint: dict | None = None
    run: dict | None = None
    target: str = ""  # the declared target model, where one is entered as a reference
    tasks: dict[str, Cell] = field(default_factory=dict)
    categories: dict[str, Cell] = field(default_factory=dict)
    overall: Cell = EMPTY
    ranking: Cell = EMPTY  # normalised overall, whatever the display scale
    percent_of_target: float | None = None
    rank: int | None = None
    rank_best: int | None = None
    rank_worst: int | None = None
    tied_with_next: bool = False

    @property
    def rank_range(self) -> str:
        if self.rank_best is None:
            return ""
        return str(self.rank_best) if self.rank_best == self.rank_worst else f"{self.rank_best}–{self.rank_worst}"


@dataclass
class Table:
    tasks: list[dict]
    categories: list[str]
    rows: list[Row]
    references: list[Row]
    scale: str
    history: dict = field(default_factory=dict)


def _task_cell(task: TaskInput, value: float, stderr: float | None, scale: str) -> Cell:
    se = stderr or 0.0
    low, high = value - Z95 * se, value + Z95 * se
    if scale == Scale.RAW:
        return Cell(value, low, high, stderr)
    norm = normalised_score(value, task["random_baseline"], task["higher_is_better"])
    if norm is None:
        return EMPTY
    lb = task["random_baseline"]
    return Cell(
        norm,
        normalised_score(low, lb),
        min(100.0, normalised_score(high, lb)),
        100 * se / (1 - lb) if stderr is not None else None,
    )


def _mean_cell(cells: list[tuple[float, Cell]], scale: str) -> Cell:
    """Weighted mean of independent cells, with the stderr of that mean."""
    known = [(w, c) for w, c in cells if c.known and w > 0]
    total = sum(w for w, _c in known)
    if not total:
        return EMPTY
    value = sum(w * c.value for w, c in known) / total
    se = math.sqrt(sum((w * (c.stderr or 0.0)) ** 2 for w, c in known)) / total
    low, high = value - Z95 * se, value + Z95 * se
    if scale == Scale.NORMALISED:
        low, high = max(0.0, low), min(100.0, high)
    return Cell(value, low, high, se)


def _percent(value: float, target: float | None) -> float | None:
    return 100 * value / target if target else None


def _label(entry: EntryInput) -> str:
    team = entry.get("team")
    if not team:
        return entry["label"]
    english = (translation.get_language() or "ko").startswith("en")
    return (team["name_en"] if english else team["name_ko"]) or team["name_ko"]


def _row(
    entry: EntryInput, tasks: list[TaskInput], scale: str, references: dict[str, ReferenceInput], *, is_reference: bool
) -> Row:
    results = entry["results"]
    target_name = "" if is_reference else (entry.get("checkpoint") or {}).get("declared_target_model", "")
    target = references.get(target_name.strip().casefold()) if target_name else None
    row = Row(
        key=entry["key"],
        label=_label(entry),
        is_reference=is_reference,
        team=entry.get("team"),
        checkpoint=entry.get("checkpoint"),
        run=entry.get("run"),
        target=target["name"] if target else "",
    )
    ranking_cells, percents = [], []
    for task in tasks:
        name = task["task"]
        if name not in results:
            row.tasks[name] = EMPTY
            continue
        value, stderr = results[name]
        percent = _percent(value, target["results"].get(name, [None])[0]) if target else None
        cell = _task_cell(task, value, stderr, scale)
        row.tasks[name] = Cell(cell.value, cell.low, cell.high, cell.stderr, percent)
        ranking_cells.append((task["weight"], _task_cell(task, value, stderr, Scale.NORMALISED)))
        if percent is not None:
            percents.append((task["weight"], percent))
    for category in CATEGORIES:
        members = [(t["weight"], row.tasks[t["task"]]) for t in tasks if t["category"] == category]
        if members:
            row.categories[category] = _mean_cell(members, scale)
    row.overall = _mean_cell([(t["weight"], row.tasks[t["task"]]) for t in tasks], scale)
    row.ranking = _mean_cell(ranking_cells, Scale.NORMALISED)
    if percents:
        row.percent_of_target = sum(w * p for w, p in percents) / sum(w for w, _p in percents)
    return row


def rank_rows(rows: list[Row]) -> list[Row]:
    """Sort by the normalised overall score; competition ranks, rank ranges and ties between neighbours."""
    ranked = sorted((r for r in rows if r.ranking.known), key=lambda r: (-r.ranking.value, r.label))
    unranked = sorted((r for r in rows if not r.ranking.known), key=lambda r: r.label)
    for row in ranked:
        others = [o for o in ranked if o is not row]
        row.rank = 1 + sum(o.ranking.value > row.ranking.value for o in others)
        row.rank_best = 1 + sum(o.ranking.low > row.ranking.high for o in others)
        row.rank_worst = 1 + sum(o.ranking.high >= row.ranking.low for o in others)
    for above, below in zip(ranked, ranked[1:]):
        above.tied_with_next = above.ranking.low <= below.ranking.high
    return ranked + unranked


def compute_table(inputs: TableInputs, *, scale: str = Scale.NORMALISED) -> Table:
    if scale not in Scale.ALL:
        raise ValueError(f"unknown scale {scale!r}")
    tasks = inputs["tasks"]
    references = {ref["name"].strip().casefold(): ref for ref in inputs["references"]}
    rows = [_row(e, tasks, scale, references, is_reference=False) for e in inputs["entries"]]
    refs = [
        _row(
            {"key": f"reference:{r['name']}", "label": r["name"], "results": r["results"]},
            tasks,
            scale,
            {},
            is_reference=True,
        )
        for r in inputs["references"]
    ]
    categories = [c for c in CATEGORIES if any(t["category"] == c for t in tasks)]
    return Table(
        tasks=tasks,
        categories=categories,
        rows=rank_rows(rows),
        references=sorted(refs, key=lambda r: -(r.ranking.value or 0)),
        scale=scale,
        history=inputs.get("history", {}),
    )
