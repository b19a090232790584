"""Reads for leaderboards. Visibility is decided in `leaderboard_inputs_for`, which the page,
the API, the exports and the chart data all go through."""

from __future__ import annotations

from django.db import connection

from core.permissions import private_team_scope
from evaluation.models import EvaluationRun, RunStatus, SuiteTask, TaskResult
from leaderboards import nominations
from leaderboards.models import Leaderboard, ReferenceModel, ReferenceScore, RowRule, Snapshot
from leaderboards.types import EntryInput, ReferenceInput, TableInputs, TaskInput


def leaderboards_all() -> list[Leaderboard]:
    return list(Leaderboard.objects.select_related("suite_version__suite").order_by("-created_at"))


def leaderboard_by_slug(slug: str) -> Leaderboard | None:
    return Leaderboard.objects.select_related("suite_version__suite").filter(slug=slug).first()


def _inputs_fingerprint(leaderboard: Leaderboard) -> tuple:
    """One statement: what every input of the leaderboard's tables was last changed by (the
    suite's succeeded runs: newest id and count; its reference scores; the latest snapshot; the
    stage's latest nomination), each a small aggregate. The runs are the
    whole suite's, not the viewer's: another team's new run only makes a member's cached table be
    computed again, never shows a stale one. Plain SQL on purpose: built with the ORM, the same
    statement took longer to compile than to run."""
    runs = EvaluationRun._meta.db_table
    counted = f"{runs} WHERE suite_version_id = %(suite)s AND status = %(succeeded)s AND NOT preview"
    sql = (
        f"SELECT (SELECT MAX(id) FROM {counted}), (SELECT COUNT(*) FROM {counted}), "
        f"(SELECT MAX(s.id) FROM {ReferenceScore._meta.db_table} s JOIN {ReferenceModel._meta.db_table} m "
        f"ON m.id = s.reference_id WHERE m.suite_version_id = %(suite)s), "
        f"(SELECT MAX(id) FROM {Snapshot._meta.db_table} WHERE leaderboard_id = %(leaderboard)s), "
        f"{nominations.source().last_change_sql()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "suite": leaderboard.suite_version_id,
                "succeeded": RunStatus.SUCCEEDED.value,
                "leaderboard": leaderboard.pk,
                "stage": leaderboard.stage_id,
            },
        )
        return tuple(str(value) for value in cursor.fetchone())


def leaderboard_for_viewer(slug: str, user) -> Leaderboard | None:
    """The leaderboard, with `view_version`: the viewer's scope and a fingerprint of every input
    their table is computed from. Equal versions mean an equal table, so the computed table may be
    cached under it (leaderboards.caching)."""
    leaderboard = leaderboard_by_slug(slug)
    if leaderboard is not None:
        scope = private_team_scope(user)
        leaderboard.view_version = (
            None if scope is None else tuple(sorted(scope)),
            leaderboard.rule,
            _inputs_fingerprint(leaderboard),
        )
    return leaderboard


def _succeeded(leaderboard: Leaderboard):
    """The runs a leaderboard may show: succeeded on its suite version (so under its one
    protocol), on every item (previews never)."""
    return EvaluationRun.objects.filter(
        suite_version_id=leaderboard.suite_version_id, status=RunStatus.SUCCEEDED, preview=False
    )


def _runs_and_history(leaderboard: Leaderboard, team_ids) -> tuple[list[int], dict[str, list]]:
    """The run that stands for each team under the leaderboard's rule, and each team's best
    overall score over time (each time it improved): both from one pass over the scope's runs
    (one query; two for the nominated rule)."""
    runs = _succeeded(leaderboard)
    if team_ids is not None:
        runs = runs.filter(checkpoint__team_id__in=team_ids)
    history: dict[str, list] = {}
    best: dict[int, tuple] = {}  # team → (score, run) of its best run so far
    latest: dict[int, int] = {}
    for run_id, team_id, finished_at, score in runs.order_by("finished_at", "pk").values_list(
        "pk", "checkpoint__team_id", "finished_at", "overall_score"
    ):
        latest[team_id] = run_id  # ordered by time: the last one seen is the latest
        if score is not None and score > best.get(team_id, (float("-inf"),))[0]:
            best[team_id] = (score, run_id)  # strictly better: ties keep the earlier run
            history.setdefault(str(team_id), []).append([finished_at.isoformat(), score])
    if leaderboard.rule == RowRule.NOMINATED:
        chosen = nominations.source().official_run_ids(stage_id=leaderboard.stage_id, team_ids=team_ids)
    elif leaderboard.rule == RowRule.BEST:
        chosen = [run_id for _score, run_id in best.values()]
    else:
        chosen = list(latest.values())
    return chosen, history


def suite_tasks_inputs(suite_version_id: int) -> list[TaskInput]:
    return [
        {
            "task": t.task,
            "metric": t.metric,
            "category": t.category,
            "weight": float(t.weight),
            "random_baseline": t.random_baseline,
            "higher_is_better": t.higher_is_better,
        }
        for t in SuiteTask.objects.filter(suite_version_id=suite_version_id).order_by("position")
    ]


def references_inputs(suite_version_id: int) -> list[ReferenceInput]:
    references: dict[str, dict] = {}
    for name, task, value, stderr in (
        ReferenceScore.objects.filter(reference__suite_version_id=suite_version_id)
        .order_by("reference__name", "task")
        .values_list("reference__name", "task", "value", "stderr")
    ):
        references.setdefault(name, {"name": name, "results": {}})["results"][task] = [value, stderr]
    return list(references.values())


def entries_for_runs(run_ids) -> list[EntryInput]:
    """One entry per run: its team, checkpoint and per-task [value, stderr] (one query)."""
    results = (
        TaskResult.objects.filter(run_id__in=run_ids)
        .select_related("run__checkpoint__team")
        .only(
            "task",
            "value",
            "stderr",
            "run__finished_at",
            "run__checkpoint__name",
            "run__checkpoint__declared_target_model",
            "run__checkpoint__manifest_digest",
            "run__checkpoint__team__slug",
            "run__checkpoint__team__name_ko",
            "run__checkpoint__team__name_en",
        )
        .order_by("run__checkpoint__team__slug", "run_id")
    )
    entries: dict[int, EntryInput] = {}
    for result in results:
        run = result.run
        entry = entries.get(run.pk)
        if entry is None:
            team, checkpoint = run.checkpoint.team, run.checkpoint
            entry = entries[run.pk] = {
                "key": f"team:{team.slug}",
                "label": team.name_ko,
                "team": {"id": team.pk, "slug": team.slug, "name_ko": team.name_ko, "name_en": team.name_en},
                "checkpoint": {
                    "id": checkpoint.pk,
                    "name": checkpoint.name,
                    "declared_target_model": checkpoint.declared_target_model,
                    "manifest_digest": checkpoint.manifest_digest,
                },
                "run": {"id": run.pk, "finished_at": run.finished_at.isoformat() if run.finished_at else None},
                "results": {},
            }
        entry["results"][result.task] = [result.value, result.stderr]
    return list(entries.values())


def leaderboard_live_inputs(leaderboard: Leaderboard, *, team_ids=None) -> TableInputs:
    """Everything the table needs, straight from the runs (team_ids=None: every team)."""
    chosen, history = _runs_and_history(leaderboard, team_ids)
    return {
        "leaderboard": leaderboard.slug,
        "suite_version": leaderboard.suite_version_id,
        "rule": leaderboard.rule,
        "tasks": suite_tasks_inputs(leaderboard.suite_version_id),
        "entries": entries_for_runs(chosen),
        "references": references_inputs(leaderboard.suite_version_id),
        "history": history,
    }


def latest_snapshot(leaderboard: Leaderboard) -> Snapshot | None:
    return leaderboard.snapshots.order_by("-published_at", "-pk").first()


def snapshots_of(leaderboard: Leaderboard) -> list[Snapshot]:
    return list(leaderboard.snapshots.select_related("published_by").defer("inputs").order_by("-published_at", "-pk"))


class Source:
    LIVE = "live"  # reviewers and admins: every team's current results
    SNAPSHOT = "snapshot"  # the latest published snapshot
    MIXED = "mixed"  # the latest snapshot, with the viewer's own team(s) live
    NONE = "none"  # nothing published yet


def leaderboard_inputs_for(user, leaderboard: Leaderboard) -> tuple[TableInputs, str, Snapshot | None]:
    """The ONE visibility rule for leaderboard data: reviewers and admins see everything live;
    a team sees its own results at once; everyone else sees only what an admin has published."""
    scope = private_team_scope(user)
    if scope is None:
        return leaderboard_live_inputs(leaderboard), Source.LIVE, None
    snapshot = latest_snapshot(leaderboard)
    if snapshot is not None:
        inputs = dict(snapshot.inputs)
        source = Source.SNAPSHOT
    else:
        inputs = {
            "leaderboard": leaderboard.slug,
            "suite_version": leaderboard.suite_version_id,
            "rule": leaderboard.rule,
            "tasks": suite_tasks_inputs(leaderboard.suite_version_id),
            "entries": [],
            "references": references_inputs(leaderboard.suite_version_id),
            "history": {},
        }
        source = Source.NONE
    if scope:
        chosen, own_history = _runs_and_history(leaderboard, scope)
        own_entries = entries_for_runs(chosen)
        inputs["entries"] = [e for e in inputs["entries"] if e["team"]["id"] not in scope] + own_entries
        inputs["history"] = {k: v for k, v in inputs["history"].items() if int(k) not in scope} | own_history
        source = Source.MIXED if snapshot is not None or own_entries else Source.NONE
    return inputs, source, snapshot


def checkpoint_flags(user, checkpoint_teams: dict[int, int]) -> dict[str, dict]:
    """Training-data compliance (#6) and originality (#7) of checkpoints {checkpoint id: team id},
    for those whose team's private records this viewer may see (reviewers and admins: all; a
    member: its own team's). Keyed by checkpoint id as a string (a JSON key)."""
    from datasets_registry.selectors import compliance_for_checkpoints
    from originality.selectors import originality_for_checkpoints

    scope = private_team_scope(user)
    ids = [pk for pk, team_id in checkpoint_teams.items() if scope is None or team_id in scope]
    if not ids:
        return {}
    compliance = compliance_for_checkpoints(ids)
    originality = originality_for_checkpoints(ids)
    flags = {}
    for pk in ids:
        flag = {}
        if pk in compliance:
            c = compliance[pk]
            flag["compliance"] = {
                "status": str(c.status),
                "label": str(c.label),
                "reasons": [str(r) for r in c.reasons],
            }
        if pk in originality:
            o = originality[pk]
            flag["originality"] = {
                "status": o.status,
                "verdict": o.verdict,
                "label": str(o.verdict_label),
                "flagged": o.flagged,
                "components": o.components,
            }
        flags[str(pk)] = flag
    return flags


def row_flags(user, inputs: dict) -> dict[str, dict]:
    """checkpoint_flags for the checkpoints behind a leaderboard's rows."""
    return checkpoint_flags(user, {e["checkpoint"]["id"]: e["team"]["id"] for e in inputs["entries"]})
