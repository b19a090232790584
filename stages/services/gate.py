"""The originality gate: a "derived" or "component reuse" verdict on a nominated checkpoint opens
an item that an admin decides, with a reason (cleared, or the team excluded from advancing)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, require
from stages.blockers import gated_verdicts
from stages.models import (
    GateStatus,
    Nomination,
    NominationStatus,
    OriginalityGateItem,
    Stage,
    StageStatus,
)
from stages.services.stages import locked_open_stage, team_exclude

DECISIONS = (GateStatus.CLEARED, GateStatus.EXCLUDED)


def _open_items(nominations: list[Nomination]) -> list[OriginalityGateItem]:
    """An open item for each gated verdict that has none yet (platform writes, audited)."""
    opened = []
    for nomination_id, report in gated_verdicts(nominations).items():
        nomination = next(n for n in nominations if n.pk == nomination_id)
        item, created = OriginalityGateItem.objects.get_or_create(
            nomination=nomination,
            report=report,
            verdict=report.verdict,
            defaults={"stage_id": nomination.stage_id, "opened_at": timezone.now()},
        )
        if created:
            audit_record(
                actor=None,
                action="stage.gate_open",
                target=item,
                after={
                    "stage": nomination.stage.slug,
                    "team": nomination.team_id,
                    "checkpoint": nomination.checkpoint_id,
                    "verdict": report.verdict,
                },
            )
            opened.append(item)
    return opened


@transaction.atomic
def gate_items_open(*, checkpoint_id: int) -> list[OriginalityGateItem]:
    """After an originality verdict (the stages.open_originality_gate task) or a nomination: open
    an item for every open stage that nominates this checkpoint with a gated verdict."""
    nominations = list(
        Nomination.objects.select_related("stage")
        .filter(checkpoint_id=checkpoint_id, stage__status__in=[StageStatus.NOMINATING, StageStatus.SCORING])
        .exclude(status=NominationStatus.REJECTED)
    )
    return _open_items(nominations)


@transaction.atomic
def gate_item_decide(*, actor, stage: Stage, nomination: Nomination, decision: str, reason: str) -> OriginalityGateItem:
    """An admin decides the nomination's current gated verdict: cleared, or excluded (the team
    does not advance, with the same reason shown in the result). Decided once."""
    require(actor, Action.PUBLISH_RESULTS)
    stage = locked_open_stage(stage)
    reason = reason.strip()
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = [_("Choose cleared or excluded.")]
    if not reason:
        errors["reason"] = [_("Write the reason for the decision; it is kept with the record.")]
    if errors:
        raise ValidationError(errors)
    nomination = Nomination.objects.select_for_update().select_related("stage", "team").get(pk=nomination.pk)
    if nomination.stage_id != stage.pk:
        raise ValidationError({"team": [_("This team has no nomination in the stage.")]})
    opened = _open_items([nomination])
    report = gated_verdicts([nomination]).get(nomination.pk)
    if report is None:
        raise ValidationError(_("No originality verdict on this nomination awaits a decision."))
    item = OriginalityGateItem.objects.select_for_update().get(
        nomination=nomination, report=report, verdict=report.verdict
    )
    if item.status != GateStatus.OPEN:
        raise ValidationError(
            _("This verdict was already decided: %(status)s.") % {"status": item.get_status_display()}
        )
    if decision == GateStatus.EXCLUDED:
        team_exclude(actor=actor, stage=stage, team=nomination.team, reason=reason)
    item.status, item.reason, item.decided_by, item.decided_at = decision, reason, actor, timezone.now()
    item.save()
    audit_record(
        actor=actor,
        action="stage.gate_decide",
        target=item,
        before={"status": GateStatus.OPEN},
        after={
            "stage": stage.slug,
            "team": nomination.team.slug,
            "verdict": item.verdict,
            "status": decision,
            "reason": reason,
            "opened_now": bool(opened),
        },
    )
    return item
