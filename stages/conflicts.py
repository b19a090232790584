"""Whom a reviewer may not score: the conflict-of-interest rule the expert scores obey.

The rule and its records belong to the governance app, the layer above stages; it registers the
rule when it loads (governance/apps.py), so this app never imports it. Without a registered rule
every score is refused rather than silently allowed."""

from collections.abc import Callable, Iterable

ConflictRule = Callable[..., dict[int, str]]  # (reviewer, team_ids=None) -> {team id: why}
_rule: ConflictRule | None = None


def register(rule: ConflictRule) -> None:
    global _rule
    _rule = rule


def conflicts_of(reviewer, team_ids: Iterable[int] | None = None) -> dict[int, str]:
    """{team id: why} for every team (of team_ids) the reviewer may not score."""
    if _rule is None:
        raise RuntimeError("no conflict-of-interest rule registered: the governance app is not installed")
    return _rule(reviewer, team_ids)
