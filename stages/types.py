"""The shapes of a stage's inputs and outcome: plain JSON (a finalised result stores both as they
are and hashes the inputs), typed so that a reader and the type checker know each key.

Decimals travel as strings (points, scores, fractions): the digest must not depend on float printing."""

from typing import NotRequired, TypedDict

from leaderboards.types import TaskInput


class StageSettings(TypedDict):
    slug: str
    advancing_count: int
    suite_version: int
    benchmark_scoring: str  # "normalised" or "target_ratio"
    expert_aggregation: str  # "mean", "median" or "trimmed_mean"
    trim_fraction: str
    tie_break: list[str]  # rubric part keys, in order
    target_goal_percent: str
    bootstrap_samples: int
    bootstrap_seed: int
    # stages.resampling: absent in stages finalised before version 2, which recompute with version 1
    bootstrap_algorithm: NotRequired[int]


class RubricPartInput(TypedDict):
    key: str
    parent: str | None
    kind: str  # PartKind: group, benchmark, expert, user
    category: str
    points: str
    name_ko: str
    name_en: str


class CriterionInput(TypedDict):
    key: str
    part: str
    max_score: str
    name_ko: str
    name_en: str


class NominationInput(TypedDict, total=False):
    checkpoint: int
    checkpoint_name: str
    manifest_digest: str
    status: str
    run: int | None
    target_model: str
    compliance: str | None  # training-data compliance as it stood (shown, never scored)
    originality: str | None


class TeamInput(TypedDict):
    id: int
    slug: str
    name_ko: str
    name_en: str
    excluded_reason: str
    nomination: NominationInput | None
    scores: dict[str, float]  # task → the official run's score
    target_scores: dict[str, float]  # task → the declared target model's score
    samples: dict[str, list[float]]  # task → each item's score on the suite metric's own filter


class ExpertScoreInput(TypedDict):
    reviewer: int
    team: int
    criterion: str
    score: str


class UserScoreInput(TypedDict):
    evaluator: str
    team: int
    criterion: str
    score: str


class StageInputs(TypedDict):
    stage: StageSettings
    rubric: list[RubricPartInput]
    criteria: list[CriterionInput]
    tasks: list[TaskInput]
    teams: list[TeamInput]
    expert_scores: list[ExpertScoreInput]
    user_scores: list[UserScoreInput]


class ResultRow(TypedDict):
    team: int
    slug: str
    name_ko: str
    name_en: str
    rank: int
    parts: dict[str, float]  # rubric part key (and "total") → points
    total: float
    total_interval: list[float]  # bootstrap 95% [low, high]
    advances: bool
    excluded_reason: str
    probability_advancing: float | None
    percent_of_target: float | None
    goal_met: bool | None
    missing: list[str]  # what could not be scored ("score:task", "expert:criterion", …): never a silent zero


class BootstrapSettings(TypedDict):
    samples: int
    seed: int
    algorithm: NotRequired[int]


class StageOutcome(TypedDict):
    rows: list[ResultRow]
    cut_statistically_tied: bool
    exact_tie_broken_by_slug: bool
    reviewers: int
    user_evaluators: int
    bootstrap: BootstrapSettings
