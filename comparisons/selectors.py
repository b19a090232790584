"""Two checkpoints side by side per task: each one's score, the difference, and the paired
bootstrap interval over the items both answered. Access: COMPARE_CHECKPOINTS on each checkpoint
(a team its own, reviewers and admins any); hidden tasks (private benchmarks) only for staff,
as evaluation.selectors.sample_tasks_visible."""

import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.permissions import Action, can, require
from evaluation.models import (
    Checkpoint,
    EvaluationRun,
    RunStatus,
    SuiteTask,
    TaskResult,
)
from evaluation.selectors import checkpoints_visible_to

from .bootstrap import LEVEL, paired_difference, paired_items
from .items import item_scores

BOOTSTRAP_SEED = 20251230


@dataclass
class Comparison:
    a: Checkpoint
    b: Checkpoint
    run_a: EvaluationRun
    run_b: EvaluationRun
    rows: list[dict] = field(default_factory=list)
    samples: int = 0
    seed: int = BOOTSTRAP_SEED
    level: float = LEVEL
    hidden_left_out: int = 0


def comparable_checkpoints(user):
    """The checkpoints the person may put side by side (their team's; staff: all)."""
    if not can(user, Action.COMPARE_CHECKPOINTS):
        return Checkpoint.objects.none()
    return checkpoints_visible_to(user).order_by("team__slug", "-submitted_at")


def succeeded_runs(checkpoint_ids) -> list[EvaluationRun]:
    """Runs that may be compared: succeeded, scored on every item (no preview), newest first."""
    return list(
        EvaluationRun.objects.filter(checkpoint_id__in=list(checkpoint_ids), status=RunStatus.SUCCEEDED, preview=False)
        .select_related("suite_version__suite")
        .order_by("-finished_at", "-pk")
    )


def _pick_runs(a: Checkpoint, b: Checkpoint, run_a: int | None, run_b: int | None):
    runs = succeeded_runs([a.pk, b.pk])
    of_a = [r for r in runs if r.checkpoint_id == a.pk]
    of_b = [r for r in runs if r.checkpoint_id == b.pk]
    if run_a is not None or run_b is not None:
        chosen_a = next((r for r in of_a if r.pk == run_a), None) if run_a is not None else None
        chosen_b = next((r for r in of_b if r.pk == run_b), None) if run_b is not None else None
        if (run_a is not None and chosen_a is None) or (run_b is not None and chosen_b is None):
            raise ValidationError({"run": [_("Choose succeeded runs of the two checkpoints.")]})
        # One run chosen: the other checkpoint's latest on the same suite version.
        version = (chosen_a or chosen_b).suite_version_id
        chosen_a = chosen_a or next((r for r in of_a if r.suite_version_id == version), None)
        chosen_b = chosen_b or next((r for r in of_b if r.suite_version_id == version), None)
        if chosen_a is None or chosen_b is None or chosen_a.suite_version_id != chosen_b.suite_version_id:
            raise ValidationError({"run": [_("The two runs must be on the same suite version.")]})
        return chosen_a, chosen_b
    # The suite version both were last evaluated on: newest finish first.
    versions_b = {r.suite_version_id for r in of_b}
    for run in of_a:
        if run.suite_version_id in versions_b:
            return run, next(r for r in of_b if r.suite_version_id == run.suite_version_id)
    raise ValidationError({"run": [_("The two checkpoints have no succeeded runs on the same suite version.")]})


def _checkpoint(user, pk: int) -> Checkpoint | None:
    return checkpoints_visible_to(user).filter(pk=pk).first()


def checkpoint_comparison(
    *, user, a: int, b: int, run_a: int | None = None, run_b: int | None = None, samples: int | None = None
) -> Comparison | None:
    """None when either checkpoint is not visible to the person (a 404: nothing says it exists)."""
    first, second = _checkpoint(user, a), _checkpoint(user, b)
    if first is None or second is None:
        return None
    require(user, Action.COMPARE_CHECKPOINTS, first)
    require(user, Action.COMPARE_CHECKPOINTS, second)
    left, right = _pick_runs(first, second, run_a, run_b)
    staff = can(user, Action.VIEW_AUDIT)
    tasks = list(SuiteTask.objects.filter(suite_version_id=left.suite_version_id).order_by("position"))
    shown = [t for t in tasks if staff or not t.hidden]
    scores = {
        (run_id, task): value
        for run_id, task, value in TaskResult.objects.filter(run_id__in=[left.pk, right.pk]).values_list(
            "run_id", "task", "value"
        )
    }
    metrics = {t.task: t.metric for t in shown}
    items_a, items_b = item_scores(left, metrics), item_scores(right, metrics)
    samples = samples or settings.COMPARISON_BOOTSTRAP_SAMPLES
    comparison = Comparison(
        a=first, b=second, run_a=left, run_b=right, samples=samples, hidden_left_out=len(tasks) - len(shown)
    )
    for task in shown:
        score_a, score_b = scores.get((left.pk, task.task)), scores.get((right.pk, task.task))
        # Seeded per task by its name: a task's interval does not depend on which others are shown.
        paired = paired_difference(
            *paired_items(items_a[task.task], items_b[task.task]),
            samples=samples,
            seed=[BOOTSTRAP_SEED, zlib.crc32(task.task.encode())],
        )
        comparison.rows.append(
            {
                "task": task.task,
                "category": task.category,
                "metric": task.metric,
                "higher_is_better": task.higher_is_better,
                "hidden": task.hidden,
                "score_a": score_a,
                "score_b": score_b,
                "difference": None if score_a is None or score_b is None else score_b - score_a,
                "shared_items": paired.n,
                "mean_item_difference": paired.mean,
                "low": paired.low,
                "high": paired.high,
            }
        )
    return comparison
