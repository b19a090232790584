"""The reader's choices — scale, category, team filter, sort — parsed once from the query
string and applied the same way for the page, the API, the exports and the charts."""

from dataclasses import dataclass

from leaderboards.table import Row, Scale, Table


@dataclass(frozen=True)
class ViewOptions:
    scale: str = Scale.NORMALISED
    category: str = ""  # only this category's task columns
    team: str = ""  # rows whose team name or slug contains this
    sort: str = "rank"  # rank | team | overall | category:<key> | task:<name>
    descending: bool = False

    @classmethod
    def from_query(cls, query) -> "ViewOptions":
        scale = query.get("scale", Scale.NORMALISED)
        return cls(
            scale=scale if scale in Scale.ALL else Scale.NORMALISED,
            category=query.get("category", "").strip(),
            team=query.get("team", "").strip(),
            sort=query.get("sort", "rank").strip() or "rank",
            descending=query.get("order", "") == "desc",
        )

    def visible_tasks(self, table: Table) -> list[dict]:
        return [t for t in table.tasks if not self.category or t["category"] == self.category]

    def visible_categories(self, table: Table) -> list[str]:
        return [c for c in table.categories if not self.category or c == self.category]


def _sort_value(row: Row, sort: str):
    if sort == "team":
        return row.label
    if sort == "overall":
        cell = row.overall
    elif sort.startswith("category:"):
        cell = row.categories.get(sort.partition(":")[2])
    elif sort.startswith("task:"):
        cell = row.tasks.get(sort.partition(":")[2])
    else:  # rank; unranked rows last
        return row.rank if row.rank is not None else 10**9
    return cell.value if cell is not None and cell.known else None


def apply(table: Table, options: ViewOptions) -> list[Row]:
    """The team rows to show, filtered and sorted (missing values always last)."""
    needle = options.team.casefold()
    rows = [
        r
        for r in table.rows
        if not needle
        or needle in r.label.casefold()
        or needle in (r.team or {}).get("slug", "")
        or needle in (r.team or {}).get("name_en", "").casefold()
    ]
    present = [r for r in rows if _sort_value(r, options.sort) is not None]
    missing = [r for r in rows if _sort_value(r, options.sort) is None]
    descending = options.descending
    if options.sort not in ("rank", "team"):
        descending = not descending  # scores read best first unless asked otherwise
    present.sort(key=lambda r: _sort_value(r, options.sort), reverse=descending)
    return present + missing
