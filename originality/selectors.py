"""Reads of originality reports, each a fixed number of queries. Reports are private to the
checkpoint's team, reviewers and admins: core.permissions.private_team_scope, the same rule
as VIEW_TEAM_PRIVATE."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from core.permissions import private_team_scope

from .models import OriginalityReport, ReferenceModel, ReportStatus, TensorMatch


@dataclass(frozen=True)
class OriginalityVerdict:
    """What a leaderboard row or a stage gate shows: the verdict and its short reason."""

    checkpoint_id: int
    status: str  # ReportStatus value
    verdict: str  # Verdict value, "" until checked
    verdict_label: str
    matched_share: float
    best_reference: str
    components: list[str] = field(default_factory=list)  # "model.layers.1.* ← Llama-3-8B"

    @property
    def flagged(self) -> bool:
        return self.status == ReportStatus.DONE and self.verdict != "original"


def _verdict(report: OriginalityReport) -> OriginalityVerdict:
    return OriginalityVerdict(
        checkpoint_id=report.checkpoint_id,
        status=report.status,
        verdict=report.verdict,
        verdict_label=report.get_verdict_display() if report.verdict else report.get_status_display(),
        matched_share=report.matched_share,
        best_reference=report.best_reference.name if report.best_reference else "",
        components=[f"{c['prefix']} ← {c['reference']}" for c in report.components],
    )


def originality_for_checkpoints(checkpoint_ids: Iterable[int], *, user=None) -> dict[int, OriginalityVerdict]:
    """checkpoint id → its verdict, in one query. Checkpoints never checked are absent.
    With `user`, only checkpoints whose private records that user may see."""
    reports = OriginalityReport.objects.filter(checkpoint_id__in=list(checkpoint_ids)).select_related("best_reference")
    if user is not None:
        scope = private_team_scope(user)
        if scope is not None:
            reports = reports.filter(checkpoint__team_id__in=scope)
    return {report.checkpoint_id: _verdict(report) for report in reports}


def originality_report_for_checkpoint(checkpoint) -> OriginalityReport | None:
    """The report with its matches and their references (two queries). The caller has
    already checked VIEW_TEAM_PRIVATE on the checkpoint."""
    return (
        OriginalityReport.objects.select_related("best_reference")
        .prefetch_related(Prefetch("matches", queryset=TensorMatch.objects.select_related("reference")))
        .filter(checkpoint=checkpoint)
        .first()
    )


def reports_visible_to(user) -> QuerySet[OriginalityReport]:
    reports = OriginalityReport.objects.select_related("checkpoint__team", "best_reference")
    scope = private_team_scope(user)
    return reports if scope is None else reports.filter(checkpoint__team_id__in=scope)


def references_list() -> QuerySet[ReferenceModel]:
    return ReferenceModel.objects.select_related("registered_by")
