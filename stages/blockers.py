"""What stops a stage from being finalised, computed in one place: the stage page lists exactly
this, and stage_finalise refuses with exactly this, so the two cannot disagree."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from evaluation.models import RunStatus, TaskResult
from originality.models import OriginalityReport, ReportStatus, Verdict
from stages.models import (
    GateStatus,
    Nomination,
    NominationStatus,
    OriginalityGateItem,
    Stage,
    StageStatus,
)

# Verdicts that open an originality gate item; an "original" verdict needs no decision.
GATED_VERDICTS = frozenset({Verdict.DERIVED, Verdict.COMPONENT_REUSE})


class BlockerKind:
    NOT_FROZEN = "not_frozen"
    UNVERIFIED = "unverified"  # a nomination's files are still being re-checked
    RUN_WAITING = "run_waiting"  # the official run is queued or running
    RUN_FAILED = "run_failed"  # failed or cancelled: an admin may request it again
    RUN_EMPTY = "run_empty"  # succeeded without a single result
    ORIGINALITY = "originality"  # a gated verdict not yet decided


@dataclass(frozen=True)
class Blocker:
    kind: str
    message: str
    team: int | None = None  # team id
    nomination: int | None = None
    run: int | None = None
    verdict: str = ""


def gated_verdicts(nominations: list[Nomination]) -> dict[int, OriginalityReport]:
    """nomination id → the report whose verdict on its nominated checkpoint needs a decision."""
    reports = {
        r.checkpoint_id: r
        for r in OriginalityReport.objects.filter(
            checkpoint_id__in=[n.checkpoint_id for n in nominations],
            status=ReportStatus.DONE,
            verdict__in=GATED_VERDICTS,
        )
    }
    return {n.pk: reports[n.checkpoint_id] for n in nominations if n.checkpoint_id in reports}


def stage_blockers(stage: Stage) -> list[Blocker]:
    """Every reason the stage cannot be finalised now, in team order; empty when it can. Five
    queries whatever the number of teams."""
    if stage.status == StageStatus.FINALISED:
        return []
    blockers = []
    if stage.status != StageStatus.SCORING:
        blockers.append(Blocker(BlockerKind.NOT_FROZEN, _("Nominations are not frozen yet.")))
    nominations = [
        n
        for n in Nomination.objects.filter(stage=stage).select_related("team", "official_run").order_by("team__name_en")
        if n.status != NominationStatus.REJECTED
    ]
    runs = [n.official_run_id for n in nominations if n.official_run_id]
    with_results = set(TaskResult.objects.filter(run_id__in=runs).values_list("run_id", flat=True).distinct())
    verdicts = gated_verdicts(nominations)
    decided = set(
        OriginalityGateItem.objects.filter(nomination__in=list(verdicts))
        .exclude(status=GateStatus.OPEN)
        .values_list("nomination_id", "report_id", "verdict")
    )
    for n in nominations:
        team, run = n.team.name, n.official_run
        where = {"team": n.team_id, "nomination": n.pk, "run": n.official_run_id}
        if n.status == NominationStatus.NOMINATED and stage.status == StageStatus.SCORING:
            blockers.append(
                Blocker(
                    BlockerKind.UNVERIFIED,
                    _("%(team)s: the nominated checkpoint is still being verified.") % {"team": team},
                    **where,
                )
            )
        elif n.status == NominationStatus.ACCEPTED and run is not None:
            if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
                blockers.append(
                    Blocker(
                        BlockerKind.RUN_WAITING,
                        _("%(team)s: official run #%(run)s is %(status)s.")
                        % {"team": team, "run": run.pk, "status": run.get_status_display().lower()},
                        **where,
                    )
                )
            elif run.status in (RunStatus.FAILED, RunStatus.CANCELLED):
                blockers.append(
                    Blocker(
                        BlockerKind.RUN_FAILED,
                        _("%(team)s: official run #%(run)s %(status)s; request it again.")
                        % {"team": team, "run": run.pk, "status": run.get_status_display().lower()},
                        **where,
                    )
                )
            elif run.pk not in with_results:
                blockers.append(
                    Blocker(
                        BlockerKind.RUN_EMPTY,
                        _("%(team)s: official run #%(run)s has no results.") % {"team": team, "run": run.pk},
                        **where,
                    )
                )
        report = verdicts.get(n.pk)
        if report is not None and (n.pk, report.pk, report.verdict) not in decided:
            blockers.append(
                Blocker(
                    BlockerKind.ORIGINALITY,
                    _('%(team)s: the originality verdict "%(verdict)s" awaits an admin\'s decision.')
                    % {"team": team, "verdict": report.get_verdict_display()},
                    verdict=report.verdict,
                    **where,
                )
            )
    return blockers
