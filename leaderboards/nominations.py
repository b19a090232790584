"""Where the "nominated" row rule finds its rows: a stage's official runs.

Stages are the layer above leaderboards (a stage's cut reads the leaderboards' reference scores),
so this app never imports them: the stages app registers its source when it loads
(stages/apps.py → stages.leaderboard_source). One source, three questions."""

from typing import Protocol


class NominationSource(Protocol):
    def official_run_ids(self, *, stage_id: int, team_ids: frozenset[int] | None) -> list[int]:
        """The succeeded, non-preview official runs of the stage's nominations (of these teams)."""

    def last_change_sql(self) -> str:
        """An SQL scalar subquery, `%(stage)s` its parameter: when the stage's nominations last changed."""

    def stage_id_by_slug(self, slug: str) -> int | None:
        """The stage a new leaderboard is bound to."""


_source: NominationSource | None = None


def register(source: NominationSource) -> None:
    global _source
    _source = source


def source() -> NominationSource:
    if _source is None:
        raise RuntimeError("no nomination source registered: the stages app is not installed")
    return _source
