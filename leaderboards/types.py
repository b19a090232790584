"""The shapes of a leaderboard's inputs: plain JSON (a published snapshot stores them as they are),
typed so that a reader and the type checker know each key."""

from typing import TypedDict


class TaskInput(TypedDict):
    """One task of the suite version, as the table and the stage cut weigh it."""

    task: str
    metric: str  # the harness metric and its filter, e.g. "exact_match,strict-match"
    category: str
    weight: float
    random_baseline: float
    higher_is_better: bool


class TeamRef(TypedDict):
    id: int
    slug: str
    name_ko: str
    name_en: str


class CheckpointRef(TypedDict):
    id: int
    name: str
    declared_target_model: str
    manifest_digest: str


class RunRef(TypedDict):
    id: int
    finished_at: str | None  # ISO 8601


class EntryInput(TypedDict):
    """One row: a team's chosen run and its per-task [value, stderr]."""

    key: str
    label: str
    team: TeamRef
    checkpoint: CheckpointRef
    run: RunRef
    results: dict[str, list[float | None]]


class ReferenceInput(TypedDict):
    """A frontier model's published scores: per task [value, stderr]; shown, never ranked."""

    name: str
    results: dict[str, list[float | None]]


class TableInputs(TypedDict):
    leaderboard: str
    suite_version: int
    rule: str
    tasks: list[TaskInput]
    entries: list[EntryInput]
    references: list[ReferenceInput]
    history: dict[str, list[list]]  # team id → [[finished_at, overall score], …] each time it improved
