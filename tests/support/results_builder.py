"""Suite versions, checkpoints and succeeded runs written straight to the database, for tests of
what is computed from results (leaderboards, stages) without running the harness."""

import datetime
import hashlib
import itertools

from django.utils import timezone

from evaluation.models import (
    Checkpoint,
    CheckpointStatus,
    EvaluationRun,
    RunStatus,
    Suite,
    SuiteTask,
    SuiteVersion,
    TaskResult,
)
from evaluation.scoring import normalised_score, overall_score

_counter = itertools.count(1)

# task, category, random baseline, weight
DEFAULT_TASKS = [
    ("nia_mc", "nia", 0.25, 1.0),
    ("global_mc", "global_common", 0.5, 1.0),
    ("global_gen", "global_common", 0.0, 1.0),
    ("chosen_gen", "team_chosen", 0.0, 1.0),
]


def make_suite_version(tasks=DEFAULT_TASKS, slug=None) -> SuiteVersion:
    n = next(_counter)
    suite = Suite.objects.create(slug=slug or f"suite-{n}", name_ko=f"스위트 {n}", name_en=f"Suite {n}")
    version = SuiteVersion.objects.create(suite=suite, number=1, digest=f"{n:064d}")
    for position, (task, category, baseline, weight) in enumerate(tasks):
        SuiteTask.objects.create(
            suite_version=version,
            position=position,
            task=task,
            metric="acc,none",
            category=category,
            random_baseline=baseline,
            weight=weight,
        )
    return version


def make_checkpoint(team, *, name=None, target="", digest=None) -> Checkpoint:
    n = next(_counter)
    return Checkpoint.objects.create(
        team=team,
        name=name or f"ckpt-{n}",
        source=f"ckpt-{n}",
        status=CheckpointStatus.READY,
        declared_target_model=target,
        manifest_digest=digest or hashlib.sha256(str(n).encode()).hexdigest(),
    )


def make_run(
    checkpoint, suite_version, scores: dict, *, finished_at=None, samples_file="", preview=False
) -> EvaluationRun:
    """A succeeded run with {task: value or (value, stderr)}."""
    tasks = list(suite_version.tasks.all())
    rows = []
    for task in tasks:
        if task.task not in scores:
            continue
        value = scores[task.task]
        value, stderr = value if isinstance(value, tuple) else (value, None)
        rows.append(
            {
                "task": task.task,
                "metric": task.metric,
                "value": value,
                "stderr": stderr,
                "n_samples": 100,
                "normalised_score": normalised_score(value, task.random_baseline, task.higher_is_better),
            }
        )
    finished_at = finished_at or timezone.now()
    run = EvaluationRun.objects.create(
        checkpoint=checkpoint,
        suite_version=suite_version,
        status=RunStatus.SUCCEEDED,
        results={"results": {}},
        started_at=finished_at - datetime.timedelta(minutes=1),
        finished_at=finished_at,
        manifest_digest=checkpoint.manifest_digest,
        overall_score=overall_score(rows, tasks),
        progress_done=len(tasks),
        progress_total=len(tasks),
        samples_file=samples_file,
        preview=preview,
    )
    TaskResult.objects.bulk_create(TaskResult(run=run, **row) for row in rows)
    return run
