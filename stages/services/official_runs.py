"""An official run that failed (or was cancelled) is requested again by an admin, with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, require
from evaluation.models import RunStatus
from stages.models import Nomination, NominationStatus, Stage, StageStatus
from stages.services.stages import locked_open_stage

RETRYABLE = (RunStatus.FAILED, RunStatus.CANCELLED)


@transaction.atomic
def official_run_rerequest(*, actor, stage: Stage, nomination: Nomination, reason: str) -> Nomination:
    """Queue the nomination's official run again (evaluation's run_request, sent after commit);
    the nomination points at the new run. The failed run stays on record, named in the audit row."""
    from evaluation.services.runs import run_request

    require(actor, Action.MANAGE_STAGES)
    stage = locked_open_stage(stage)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Write why the official run is requested again.")]})
    if stage.status != StageStatus.SCORING:
        raise ValidationError(_("Official runs exist only once nominations are frozen."))
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("checkpoint", "official_run", "team")
        .filter(pk=nomination.pk, stage=stage)
        .first()
    )
    if nomination is None:
        raise ValidationError({"team": [_("This team has no nomination in the stage.")]})
    failed = nomination.official_run
    if nomination.status != NominationStatus.ACCEPTED or failed is None or failed.status not in RETRYABLE:
        raise ValidationError(_("Only an official run that failed or was cancelled can be requested again."))
    nomination.official_run = run_request(
        actor=actor, checkpoint=nomination.checkpoint, suite_version=stage.suite_version, official=True
    )
    nomination.save(update_fields=["official_run"])
    audit_record(
        actor=actor,
        action="stage.official_run_rerequest",
        target=nomination,
        before={"run": failed.pk, "run_status": failed.status},
        after={"stage": stage.slug, "team": nomination.team.slug, "run": nomination.official_run_id, "reason": reason},
    )
    return nomination
