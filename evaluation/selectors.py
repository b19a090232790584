"""Reads for evaluation pages and the API. Private records are filtered through
core.permissions.private_team_scope, the same rule as VIEW_TEAM_PRIVATE."""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.permissions import Action, can, private_team_scope

from . import artefacts
from .models import Checkpoint, EvaluationRun, RunSample, RunShard, ShardStatus, SuiteTask, SuiteVersion, TaskResult


def suite_version_current(*, slug: str) -> SuiteVersion | None:
    """The suite's active version (the latest, unless an admin activated another)."""
    versions = SuiteVersion.objects.filter(suite__slug=slug)
    return (
        versions.filter(suite__active_version=F("pk")).first()
        or versions.filter(suite__active_version__isnull=True).order_by("-number").first()
    )


def suites_current() -> list[SuiteVersion]:
    """The active version of every suite, tasks prefetched."""
    versions = SuiteVersion.objects.select_related("suite").prefetch_related("tasks").order_by("suite__slug", "-number")
    current: dict[int, SuiteVersion] = {}
    for version in versions:
        if version.suite.active_version_id in (None, version.pk):
            current.setdefault(version.suite_id, version)
    return list(current.values())


def _scoped(queryset: QuerySet, user, team_field: str) -> QuerySet:
    scope = private_team_scope(user)
    return queryset if scope is None else queryset.filter(**{f"{team_field}__in": scope})


def checkpoints_visible_to(user) -> QuerySet[Checkpoint]:
    return _scoped(Checkpoint.objects.select_related("team", "submitted_by"), user, "team_id")


def checkpoint_detail(*, user, pk: int) -> Checkpoint | None:
    return (
        checkpoints_visible_to(user)
        .prefetch_related(Prefetch("runs", queryset=EvaluationRun.objects.select_related("suite_version__suite")))
        .filter(pk=pk)
        .first()
    )


def runs_visible_to(user) -> QuerySet[EvaluationRun]:
    return _scoped(
        EvaluationRun.objects.select_related("checkpoint__team", "suite_version__suite", "requested_by"),
        user,
        "checkpoint__team_id",
    )


def run_detail(*, user, pk: int) -> EvaluationRun | None:
    return (
        runs_visible_to(user)
        .prefetch_related(
            Prefetch("task_results", queryset=TaskResult.objects.order_by("id")),
            Prefetch("suite_version__tasks", queryset=SuiteTask.objects.order_by("position")),
        )
        .filter(pk=pk)
        .first()
    )


def sample_tasks_visible(*, user, run: EvaluationRun) -> list[str]:
    """Tasks whose per-sample log this user may browse: hidden tasks only for reviewers and admins."""
    staff = can(user, Action.VIEW_AUDIT)
    return [t.task for t in run.suite_version.tasks.all() if staff or not t.hidden]


def _sample_view(sample: dict) -> dict:
    """What a person reads from one harness sample: the prompt the model saw (chat turns
    rendered), the expected answer, the model's answer as scored (for multiple choice: the most
    likely choice; for a generation: the extracted answer), what it wrote with the reasoning
    removed and before that, and the per-sample scores."""
    arguments = sample.get("arguments") or []
    prompt = arguments[0][0] if arguments and isinstance(arguments[0], list | tuple) else ""
    response = sample.get("filtered_resps")
    target = sample.get("target")
    if (
        arguments
        and isinstance(arguments[0], list | tuple)
        and len(arguments[0]) > 1
        and isinstance(arguments[0][1], str)
        and isinstance(response, list)
        and response
        and isinstance(response[0], list | tuple)
    ):
        choices = [a[1].strip() for a in arguments]
        best = max(range(len(response)), key=lambda i: response[i][0])
        response = choices[best]
        if isinstance(target, int | str) and str(target).isdigit() and int(target) < len(choices):
            target = choices[int(target)]
    elif isinstance(response, list):
        response = " | ".join(str(r).strip() for r in response)
    output = raw_output = None
    resps = sample.get("resps")
    if (
        arguments
        and len(arguments) == 1
        and isinstance(resps, list)
        and resps
        and isinstance(resps[0], list)
        and resps[0]
        and isinstance(resps[0][0], str)
    ):
        # A generation: what the model wrote, with the reasoning and stop sequences removed
        # (the harness's output), and, where that cut anything, the raw text before it.
        output = resps[0][0]
        raw = sample.get("raw_resps")
        raw_output = raw[0] if isinstance(raw, list) and raw and raw[0] != output else None
    return {
        "doc_id": sample.get("doc_id"),
        "filter": sample.get("filter"),
        "prompt": prompt,
        "target": target,
        "response": response,
        "output": output,
        "raw_output": raw_output,
        "scores": {m: sample.get(m) for m in sample.get("metrics", [])},
        "tests": _test_outcomes(sample),
    }


def _test_outcomes(sample: dict) -> list[dict]:
    """A coding sample's test runs in the sandbox: passed, failed, timed out or killed by a limit,
    why (the limit in the reader's language; for a failure, the program's own error), and the
    start of what the program printed."""
    from .sandbox.outcomes import Outcome, limit_reached

    tests = []
    for run in sample.get("code_execution") or []:
        outcome = run.get("outcome")
        label = Outcome(outcome).label if outcome in Outcome.values else outcome
        detail = limit_reached(run["limit"]) if run.get("limit") else run.get("detail", "")
        tests.append(
            {
                "outcome": outcome,
                "label": str(label),
                "detail": detail,
                "seconds": run.get("seconds"),
                "output": (run.get("output") or "")[:2000],
            }
        )
    return tests


def samples_path(samples_file: str) -> Path | None:
    """A run's per-sample log from before sharded runs, only if it is a file inside EVAL_RUNS_DIR
    (symlinks resolved): whatever the stored name says, nothing outside the runs folder is read."""
    if not samples_file:
        return None
    runs_dir = Path(settings.EVAL_RUNS_DIR).resolve()
    path = (runs_dir / samples_file).resolve()
    return path if path.is_relative_to(runs_dir) and path.is_file() else None


def _shard_logs(run: EvaluationRun, task: str | None) -> list[str]:
    """The run's per-sample logs in the artefact store (a reused run reads its original's), in
    shard order: a sharded subtask's documents come back in document order."""
    shards = RunShard.objects.filter(run_id=run.reused_from_id or run.pk, status=ShardStatus.SUCCEEDED)
    if task is not None:
        shards = shards.filter(task=task)
    return list(shards.order_by("position").values_list("samples_artefact", flat=True))


def run_sample_log(run: EvaluationRun, *, task: str | None = None) -> Iterator[dict]:
    """Every logged sample of the run (of one task), whichever host ran it."""
    for name in _shard_logs(run, task):
        yield from artefacts.iter_jsonl_gz(name)
    if run.samples_file and not RunShard.objects.filter(run_id=run.reused_from_id or run.pk).exists():
        path = samples_path(run.samples_file)
        if path is not None:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    sample = json.loads(line)
                    if task is None or sample.get("task") == task:
                        yield sample


def run_has_samples(run: EvaluationRun) -> bool:
    return (
        bool(run.samples_file)
        or RunShard.objects.filter(run_id=run.reused_from_id or run.pk, status=ShardStatus.SUCCEEDED)
        .exclude(samples_artefact="")
        .exists()
    )


SEARCH_COUNT_CAP = 1000


class SampleFilter:
    """What the sample browser narrows a task's samples to."""

    OUTCOMES = ("correct", "incorrect")

    def __init__(self, *, subtask: str = "", outcome: str = "", query: str = ""):
        self.subtask, self.query = subtask.strip(), query.strip()[:200]
        self.outcome = outcome if outcome in self.OUTCOMES else ""

    def __bool__(self) -> bool:
        return bool(self.subtask or self.outcome or self.query)

    def apply(self, rows: QuerySet) -> QuerySet:
        if self.subtask:
            rows = rows.filter(subtask=self.subtask)
        if self.outcome:
            rows = rows.filter(correct=self.outcome == "correct")
        if self.query:  # a trigram index on PostgreSQL (evaluation migration 0010); a scan on SQLite
            rows = rows.filter(search_text__icontains=self.query)
        return rows


def _sample_rows(run: EvaluationRun) -> QuerySet[RunSample]:
    return RunSample.objects.filter(run_id=run.reused_from_id or run.pk)


def run_samples(
    *, user, run: EvaluationRun, task: str, page: int = 1, page_size: int = 20, narrow: SampleFilter | None = None
) -> tuple[list[dict], int]:
    """One page of a task's samples and how many there are, from RunSample in two queries whatever
    the run's size (the count; the page's rows, chosen by position in the index); a run stored
    before the table (no rows) is read from its per-sample log."""
    if task not in sample_tasks_visible(user=user, run=run):
        return [], 0
    narrow = narrow or SampleFilter()
    rows = narrow.apply(_sample_rows(run).filter(task=task))
    # A search counts its matches up to a cap: a common word matches most of a run, and counting
    # every match re-reads every row's text.
    total = rows.order_by()[: SEARCH_COUNT_CAP + 1].count() if narrow.query else rows.count()
    if not total and not narrow and not _sample_rows(run).exists():
        return _run_samples_from_log(run, task, page, page_size)
    start = (page - 1) * page_size
    # The page's positions from the index alone, then only those rows' samples are read.
    chosen = rows.order_by("position").values("pk")[start : start + page_size]
    samples = RunSample.objects.filter(pk__in=chosen).order_by("position").values_list("sample", flat=True)
    if narrow.query and total > SEARCH_COUNT_CAP and connection.vendor == "postgresql":
        # A common query: its first matches come early in position order. The trigram index
        # would re-check every match (most of the task) before sorting them.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            samples = list(samples)
    return [_sample_view(sample) for sample in samples], total


def _run_samples_from_log(run: EvaluationRun, task: str, page: int, page_size: int) -> tuple[list[dict], int]:
    """A run stored before the RunSample table and not backfilled (manage.py index_run_samples):
    its per-sample log, read through to the page."""
    start, rows, total = (page - 1) * page_size, [], 0
    for sample in run_sample_log(run, task=task):
        if start <= total < start + page_size:
            rows.append(_sample_view(sample))
        total += 1
    return rows, total


def run_subtasks(run: EvaluationRun, task: str) -> list[str]:
    """The harness tasks a suite task's shards ran (a group's subtasks), from the shard plan."""
    pieces = RunShard.objects.filter(run_id=run.reused_from_id or run.pk, task=task).values_list("pieces", flat=True)
    return sorted({p["subtask"] for shard_pieces in pieces for p in shard_pieces if p.get("subtask") != task})


def run_samples_export(*, user, run: EvaluationRun, task: str = "") -> Iterator[bytes] | None:
    """The run's samples (of one task) as JSON lines, exactly as the harness logged them: each
    shard's stored log read and decompressed block by block, in shard order, so memory stays flat
    whatever the run's size (nothing is parsed). Only the tasks this user may browse (teams: not
    hidden ones); None when the task is not one of them."""
    tasks = sample_tasks_visible(user=user, run=run)
    if task and task not in tasks:
        return None
    chosen = [task] if task else tasks
    names = list(
        RunShard.objects.filter(run_id=run.reused_from_id or run.pk, status=ShardStatus.SUCCEEDED, task__in=chosen)
        .exclude(samples_artefact="")
        .order_by("position")
        .values_list("samples_artefact", flat=True)
    )
    if names or not run.samples_file:
        return _decompressed(names)
    # A run from before sharded runs: its one log file, read line by line.
    return (
        (json.dumps(sample, ensure_ascii=False) + "\n").encode()
        for sample in run_sample_log(run)
        if sample.get("task") in chosen
    )


def _decompressed(names: list[str]) -> Iterator[bytes]:
    for name in names:
        yield from artefacts.iter_gunzipped(name)


def run_shards(run: EvaluationRun) -> list[RunShard]:
    """The run's shards for its page (a reused run has none of its own)."""
    return list(
        run.shards.order_by("position").only(
            "position",
            "task",
            "pieces",
            "documents",
            "status",
            "attempts",
            "worker_host",
            "gpus",
            "started_at",
            "finished_at",
            "run_id",
        )
    )


def _private_tasks(run: EvaluationRun) -> set[str]:
    return {t.task for t in run.suite_version.tasks.all() if t.hidden}


def run_results_for(*, user, run: EvaluationRun) -> dict | None:
    """The harness's results as this user may read them: a hidden task's configuration (its prompt
    template, for a private benchmark) only for reviewers and admins."""
    hidden = _private_tasks(run)
    if not run.results or not hidden or can(user, Action.VIEW_AUDIT):
        return run.results
    return {**run.results, "configs": {t: c for t, c in (run.results.get("configs") or {}).items() if t not in hidden}}


def run_log_for(*, user, run: EvaluationRun) -> str:
    """The harness's log only where it cannot carry a private item: runs without hidden tasks, or staff."""
    return run.log_tail if can(user, Action.VIEW_AUDIT) or not _private_tasks(run) else ""


def run_error_for(*, user, run: EvaluationRun) -> str:
    """Why a run failed, as this user may read it: a run on a suite with a private (hidden) task
    may fail with the harness's words about an item, so teams read that it failed, not why."""
    if not run.error or can(user, Action.VIEW_AUDIT) or not _private_tasks(run):
        return run.error
    return _(
        "The run failed. It includes a private benchmark, so the reason is shown to reviewers and admins "
        "only; they can tell you whether it concerns your checkpoint."
    )
