"""Gathering a stage's inputs: everything the cut depends on, as one JSON-able dict."""

import hashlib
import json
from collections.abc import Iterable

from evaluation.models import RunSample, RunStatus, TaskResult
from evaluation.selectors import run_sample_log
from leaderboards.models import ReferenceScore
from leaderboards.selectors import suite_tasks_inputs
from leaderboards.types import TaskInput
from stages.models import ExpertScore, ExpertSubmission, Nomination, Stage, UserScore
from stages.resampling import BOOTSTRAP_ALGORITHM
from stages.types import StageInputs, TeamInput


def _item_scores(samples: Iterable[dict], tasks: list[TaskInput]) -> dict[str, list[float]]:
    """Per task, each item's score on the task's metric, from a run's per-sample log."""
    # "exact_match,strict-match": the metric's name, and the filter whose output it scores. The
    # harness logs a sample once per filter (GSM8K: strict-match and flexible-extract), so only
    # the suite metric's own filter's rows are the task's items.
    metric_of = {t["task"]: tuple(t["metric"].partition(",")[::2]) for t in tasks}
    items: dict[str, list[float]] = {}
    for sample in samples:
        metric, sample_filter = metric_of.get(sample.get("task"), (None, None))
        if (
            metric is not None
            and sample.get("filter", "none") == (sample_filter or "none")
            and sample.get(metric) is not None
        ):
            items.setdefault(sample["task"], []).append(float(sample[metric]))
    return items


def _run_item_scores(run, tasks: list[TaskInput]) -> dict[str, list[float]]:
    """_item_scores from the run's RunSample rows (whose `value` is set on the suite metric's own
    filter only), in the log's order, read in chunks; a run stored before the table from its log."""
    rows = RunSample.objects.filter(run_id=run.reused_from_id or run.pk)
    items: dict[str, list[float]] = {}
    values = (
        rows.filter(task__in=[t["task"] for t in tasks], value__isnull=False)
        .order_by("position")
        .values_list("task", "value")
    )
    for task, value in values.iterator(chunk_size=20000):
        items.setdefault(task, []).append(value)
    if not items and not rows.exists():
        return _item_scores(run_sample_log(run), tasks)
    return items


def _add_checks(teams: list[TeamInput]) -> None:
    """Each nomination's training-data compliance and originality verdict, as they stand: shown
    next to the originality gate and kept in the finalised record (they do not change a score)."""
    from datasets_registry.selectors import compliance_for_checkpoints
    from originality.selectors import originality_for_checkpoints

    ids = [t["nomination"]["checkpoint"] for t in teams if t["nomination"]]
    compliance = compliance_for_checkpoints(ids) if ids else {}
    originality = originality_for_checkpoints(ids) if ids else {}
    for team in teams:
        if team["nomination"]:
            pk = team["nomination"]["checkpoint"]
            team["nomination"]["compliance"] = str(compliance[pk].status) if pk in compliance else None
            team["nomination"]["originality"] = (
                (originality[pk].verdict or originality[pk].status) if pk in originality else None
            )


def stage_inputs(stage: Stage, *, with_samples: bool = True) -> StageInputs:
    tasks = suite_tasks_inputs(stage.suite_version_id)
    parts = list(stage.rubric.all().select_related("parent").prefetch_related("criteria"))
    nominations = {
        n.team_id: n for n in Nomination.objects.filter(stage=stage).select_related("checkpoint", "official_run")
    }
    run_ids = [
        n.official_run_id
        for n in nominations.values()
        if n.official_run_id and n.official_run.status == RunStatus.SUCCEEDED and not n.official_run.preview
    ]
    scores: dict[int, dict] = {}
    for run_id, task, value in TaskResult.objects.filter(run_id__in=run_ids).values_list("run_id", "task", "value"):
        scores.setdefault(run_id, {})[task] = value
    targets: dict[str, dict] = {}
    for name, task, value in ReferenceScore.objects.filter(
        reference__suite_version_id=stage.suite_version_id
    ).values_list("reference__name", "task", "value"):
        targets.setdefault(name.strip().casefold(), {})[task] = value
    teams = []
    for entry in stage.entries.select_related("team").order_by("team_id"):
        nomination = nominations.get(entry.team_id)
        run = nomination.official_run if nomination and nomination.official_run_id in run_ids else None
        target_name = nomination.checkpoint.declared_target_model.strip() if nomination else ""
        teams.append(
            {
                "id": entry.team_id,
                "slug": entry.team.slug,
                "name_ko": entry.team.name_ko,
                "name_en": entry.team.name_en,
                "excluded_reason": entry.excluded_reason,
                "nomination": None
                if nomination is None
                else {
                    "checkpoint": nomination.checkpoint_id,
                    "checkpoint_name": nomination.checkpoint.name,
                    "manifest_digest": nomination.manifest_digest,
                    "status": nomination.status,
                    "run": nomination.official_run_id,
                    "target_model": target_name,
                },
                "scores": scores.get(run.pk, {}) if run else {},
                "target_scores": targets.get(target_name.casefold(), {}) if target_name else {},
                "samples": _run_item_scores(run, tasks) if run and with_samples else {},
            }
        )
    _add_checks(teams)
    submitted = set(ExpertSubmission.objects.filter(stage=stage).values_list("reviewer_id", flat=True))
    return {
        "stage": {
            "slug": stage.slug,
            "advancing_count": stage.advancing_count,
            "suite_version": stage.suite_version_id,
            "benchmark_scoring": stage.benchmark_scoring,
            "expert_aggregation": stage.expert_aggregation,
            "trim_fraction": str(stage.trim_fraction),
            "tie_break": list(stage.tie_break),
            "target_goal_percent": str(stage.target_goal_percent),
            "bootstrap_samples": stage.bootstrap_samples,
            "bootstrap_seed": stage.bootstrap_seed,
            "bootstrap_algorithm": BOOTSTRAP_ALGORITHM,
        },
        "rubric": [
            {
                "key": p.key,
                "parent": p.parent.key if p.parent else None,
                "kind": p.kind,
                "category": p.category,
                "points": str(p.points),
                "name_ko": p.name_ko,
                "name_en": p.name_en,
            }
            for p in parts
        ],
        "criteria": [
            {"key": c.key, "part": p.key, "max_score": str(c.max_score), "name_ko": c.name_ko, "name_en": c.name_en}
            for p in parts
            for c in p.criteria.all()
        ],
        "tasks": tasks,
        "teams": teams,
        # Only submitted reviewers count: a draft may still change.
        "expert_scores": [
            {"reviewer": r, "team": t, "criterion": c, "score": str(s)}
            for r, t, c, s in ExpertScore.objects.filter(stage=stage, reviewer_id__in=submitted)
            .order_by("reviewer_id", "team_id", "criterion__key")
            .values_list("reviewer_id", "team_id", "criterion__key", "score")
        ],
        "user_scores": [
            {"evaluator": e, "team": t, "criterion": c, "score": str(s)}
            for e, t, c, s in UserScore.objects.filter(stage=stage)
            .order_by("evaluator", "team_id", "criterion__key")
            .values_list("evaluator", "team_id", "criterion__key", "score")
        ],
    }


def inputs_digest(inputs: StageInputs) -> str:
    """SHA-256 of the inputs' canonical JSON: what a finalised result records, and the key under
    which a computed outcome may be cached. The JSON is hashed as it is encoded, never held whole
    (a stage's items run to hundreds of thousands); the same bytes as json.dumps would give."""
    digest = hashlib.sha256()
    for chunk in json.JSONEncoder(sort_keys=True, ensure_ascii=False).iterencode(inputs):
        digest.update(chunk.encode())
    return digest.hexdigest()
