"""Nominations: each team lead names one ready checkpoint before the deadline; then they freeze,
each is re-checked against its files, and the official runs are queued."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, require
from evaluation.checkpoint_files import CheckpointProblem, build_manifest, containment_root, resolve_source
from evaluation.models import Checkpoint, CheckpointStatus
from notifications.models import NotificationKind
from stages import dispatch
from stages.models import GateStatus, Nomination, NominationStatus, Stage, StageStatus, StageTeam
from stages.services.gate import gate_items_open
from stages.services.notices import notify_stage
from stages.services.stages import locked_open_stage

logger = logging.getLogger(__name__)


@transaction.atomic
def nomination_submit(*, actor, stage: Stage, checkpoint: Checkpoint) -> Nomination:
    if actor is not None:  # None: the platform itself (the demo)
        require(actor, Action.LEAD_TEAM, checkpoint.team)
    stage = locked_open_stage(stage)
    if stage.status != StageStatus.NOMINATING or timezone.now() >= stage.nomination_deadline:
        raise ValidationError(_("Nominations for this stage are closed."))
    if not StageTeam.objects.filter(stage=stage, team_id=checkpoint.team_id).exists():
        raise ValidationError({"checkpoint": [_("This team is not in the stage.")]})
    if checkpoint.status != CheckpointStatus.READY:
        raise ValidationError({"checkpoint": [_("Only a ready checkpoint can be nominated.")]})
    nomination = Nomination.objects.select_for_update().filter(stage=stage, team_id=checkpoint.team_id).first()
    before = None if nomination is None else {"checkpoint": nomination.checkpoint_id}
    if nomination is None:
        nomination = Nomination(stage=stage, team_id=checkpoint.team_id)
    nomination.checkpoint, nomination.manifest_digest = checkpoint, checkpoint.manifest_digest
    nomination.nominated_by, nomination.nominated_at = (
        actor if actor and actor.is_authenticated else None,
        timezone.now(),
    )
    nomination.save()
    audit_record(
        actor=actor,
        action="stage.nominate",
        target=nomination,
        before=before,
        after={"stage": stage.slug, "checkpoint": checkpoint.pk, "manifest_digest": checkpoint.manifest_digest},
    )
    # The gate follows the nominated checkpoint: an undecided item of the one it replaces goes, and a
    # verdict already reached on this one opens its item now.
    nomination.gate_items.filter(status=GateStatus.OPEN).exclude(report__checkpoint=checkpoint).delete()
    gate_items_open(checkpoint_id=checkpoint.pk)
    return nomination


@transaction.atomic
def nominations_freeze(*, actor, stage: Stage) -> list[int]:
    """After the deadline (or earlier by an admin): no more changes; each nomination is verified
    against its files and its official run queued, by a worker. Returns the nominations queued."""
    if actor is not None:
        require(actor, Action.MANAGE_STAGES)
    stage = locked_open_stage(stage)
    if stage.status != StageStatus.NOMINATING:
        raise ValidationError(_("Nominations are already frozen."))
    if actor is None and timezone.now() < stage.nomination_deadline:
        raise ValidationError(_("The nomination deadline has not passed."))
    stage.status = StageStatus.SCORING
    stage.save(update_fields=["status"])
    pending = list(stage.nominations.values_list("pk", flat=True))
    audit_record(actor=actor, action="stage.freeze", target=stage, after={"nominations": pending})
    notify_stage(stage, NotificationKind.STAGE_FROZEN)
    _send_verifications(pending)
    return pending


def nominations_freeze_due() -> list[str]:
    """Freeze every stage whose nomination deadline has passed (the beat); returns their slugs.
    A stage frozen meanwhile by an admin is skipped."""
    frozen = []
    for stage in Stage.objects.filter(status=StageStatus.NOMINATING, nomination_deadline__lte=timezone.now()):
        try:
            nominations_freeze(actor=None, stage=stage)
            frozen.append(stage.slug)
        except ValidationError:
            logger.info("stage %s was frozen meanwhile", stage.slug)
    return frozen


def _send_verifications(nomination_ids: list[int]) -> None:
    """After commit; with the broker down the freeze still stands, and the beat sends them later."""
    Nomination.objects.filter(pk__in=nomination_ids).update(verification_sent_at=timezone.now())
    for pk in nomination_ids:
        dispatch.send_verify_nomination(pk)


VERIFY_RESEND_AFTER = datetime.timedelta(minutes=30)


def nominations_resend_unverified(*, waiting_for: datetime.timedelta = VERIFY_RESEND_AFTER) -> list[int]:
    """Nominations of a frozen stage still unverified long after their verification was sent (the
    message was lost: a broker outage or restart) are sent again, at most once per `waiting_for`.
    Harmless if the first message still arrives: a verification locks its nomination and acts once."""
    waiting = list(
        Nomination.objects.filter(
            status=NominationStatus.NOMINATED,
            stage__status=StageStatus.SCORING,
            verification_sent_at__lt=timezone.now() - waiting_for,
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        _send_verifications(waiting)
    return waiting


def _current_digest(checkpoint: Checkpoint) -> str:
    root = settings.CHECKPOINT_ROOT
    path = resolve_source(checkpoint.source, team_slug=checkpoint.team.slug, root=root, allow_hub=False)
    _manifest, digest, _size = build_manifest(
        path, team_root=containment_root(checkpoint.source, team_slug=checkpoint.team.slug, root=root)
    )
    return digest


def nomination_verify(*, nomination_id: int) -> Nomination:
    """Re-hash the nominated files (outside any transaction); a changed manifest is rejected,
    an unchanged one gets its official run."""
    from evaluation.services.runs import run_request

    nomination = Nomination.objects.select_related("checkpoint__team", "stage").get(pk=nomination_id)
    if nomination.status != NominationStatus.NOMINATED:
        return nomination  # verified already: a redelivered message changes nothing
    try:
        digest = _current_digest(nomination.checkpoint)
        problem = (
            ""
            if digest == nomination.manifest_digest
            else _("The checkpoint's files changed after nomination (manifest %(now)s, nominated %(then)s).")
            % {"now": digest[:12], "then": nomination.manifest_digest[:12]}
        )
    except CheckpointProblem as error:
        problem = _("The nominated checkpoint cannot be read: %(error)s") % {"error": error}
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().select_related("stage", "checkpoint").get(pk=nomination_id)
        if nomination.status != NominationStatus.NOMINATED:
            return nomination
        if not problem:
            try:
                nomination.official_run = run_request(
                    actor=None,
                    checkpoint=nomination.checkpoint,
                    suite_version=nomination.stage.suite_version,
                    official=True,
                )
            except ValidationError as error:
                problem = " ".join(error.messages)
        if problem:
            nomination.status, nomination.rejection_reason = NominationStatus.REJECTED, problem
        else:
            nomination.status = NominationStatus.ACCEPTED
        nomination.save()
        audit_record(
            actor=None,
            action=f"stage.nomination_{nomination.status}",
            target=nomination,
            after={
                "stage": nomination.stage.slug,
                "run": nomination.official_run_id,
                "reason": nomination.rejection_reason,
            },
        )
    return nomination
