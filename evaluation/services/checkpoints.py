"""Submitting and validating checkpoints."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from consortium.models import Team
from core.permissions import Action, require
from evaluation import dispatch
from evaluation.checkpoint_files import (
    CheckpointProblem,
    build_manifest,
    containment_root,
    inspect_checkpoint,
    resolve_source,
)
from evaluation.models import Checkpoint, CheckpointStatus, Precision, Suite

logger = logging.getLogger(__name__)


@transaction.atomic
def checkpoint_submit(
    *,
    actor,
    team: Team,
    name: str,
    source: str,
    precision: str = "",
    precision_reason: str = "",
    declared_target_model: str = "",
    notes: str = "",
    suites: list[str] | tuple[str, ...] = (),
) -> Checkpoint:
    """Record a submission and queue its validation; `suites` are evaluated once it is ready.
    The precision is read from the weights when validated; a submitter who sets another one
    states why (recorded, and shown with every run)."""
    if actor is not None:
        require(actor, Action.SUBMIT_CHECKPOINT, team)
    precision_reason = precision_reason.strip()
    if precision and not precision_reason:
        raise ValidationError(
            {"precision_reason": [_("Say why the checkpoint should not be evaluated in the precision of its weights.")]}
        )
    if precision_reason and not precision:
        raise ValidationError({"precision": [_("Choose the precision that the reason is for.")]})
    unknown = sorted(set(suites) - set(Suite.objects.filter(slug__in=suites).values_list("slug", flat=True)))
    if unknown:
        raise ValidationError({"suites": [_("Unknown suite: %(slugs)s") % {"slugs": ", ".join(unknown)}]})
    checkpoint = Checkpoint(
        team=team,
        name=name.strip(),
        source=source.strip(),
        precision=precision or Precision.FLOAT32,
        precision_reason=precision_reason,
        declared_target_model=declared_target_model,
        notes=notes,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        requested_suites=list(suites),
    )
    checkpoint.full_clean(exclude=["submitted_by"])
    checkpoint.save()
    audit_record(actor=actor, action="checkpoint.submit", target=checkpoint, after=snapshot(checkpoint))
    # A broker outage must not lose the submission; checkpoint_revalidate_stale sends it later.
    dispatch.send_validate_checkpoint(checkpoint.pk)
    return checkpoint


def _set_progress(checkpoint_id: int, percent: int) -> None:
    Checkpoint.objects.filter(pk=checkpoint_id, progress__lt=percent).update(
        progress=percent, validation_heartbeat_at=timezone.now()
    )


VALIDATION_STALE_AFTER = datetime.timedelta(minutes=30)


def checkpoint_revalidate_stale(*, stale_after: datetime.timedelta = VALIDATION_STALE_AFTER) -> list[int]:
    """Validations whose worker vanished (or whose message was lost) start again."""
    since = timezone.now() - stale_after
    stale = list(
        Checkpoint.objects.filter(status__in=[CheckpointStatus.RECEIVED, CheckpointStatus.VALIDATING])
        .filter(Q(validation_heartbeat_at__lt=since) | Q(validation_heartbeat_at__isnull=True, submitted_at__lt=since))
        .values_list("pk", flat=True)
    )
    for pk in stale:
        with transaction.atomic():
            Checkpoint.objects.filter(pk=pk).update(
                status=CheckpointStatus.RECEIVED, progress=0, validation_heartbeat_at=timezone.now()
            )
            dispatch.send_validate_checkpoint(pk)
    return stale


def _start_validation(checkpoint_id: int) -> Checkpoint | None:
    with transaction.atomic():
        checkpoint = Checkpoint.objects.select_for_update().select_related("team").get(pk=checkpoint_id)
        if checkpoint.status != CheckpointStatus.RECEIVED:
            return None  # another worker has it, or it is done: validating twice changes nothing
        checkpoint.status, checkpoint.validation_heartbeat_at = CheckpointStatus.VALIDATING, timezone.now()
        checkpoint.save(update_fields=["status", "validation_heartbeat_at"])
        return checkpoint


@transaction.atomic
def _finish_validation(checkpoint: Checkpoint, **fields) -> Checkpoint:
    before = snapshot(Checkpoint.objects.select_for_update().get(pk=checkpoint.pk))
    for key, value in fields.items():
        setattr(checkpoint, key, value)
    checkpoint.validated_at = timezone.now()
    checkpoint.save()
    audit_record(
        actor=None,
        action=f"checkpoint.{checkpoint.status}",
        target=checkpoint,
        before=before,
        after=snapshot(checkpoint),
    )
    return checkpoint


def checkpoint_validate(*, checkpoint_id: int) -> Checkpoint | None:
    """received → validating → ready / rejected. Hashing runs outside any transaction,
    reporting progress as it goes; the outcome is written in one."""
    checkpoint = _start_validation(checkpoint_id)
    if checkpoint is None:
        return None
    root = settings.CHECKPOINT_ROOT
    try:
        path = resolve_source(
            checkpoint.source, team_slug=checkpoint.team.slug, root=root, allow_hub=settings.EVAL_ALLOW_HUB
        )
        # The manifest checks every file stays inside the team's folder before anything is read.
        manifest, digest, size = build_manifest(
            path,
            team_root=containment_root(checkpoint.source, team_slug=checkpoint.team.slug, root=root),
            on_progress=lambda percent: _set_progress(checkpoint.pk, percent),
        )
        inspection = inspect_checkpoint(path)
    except CheckpointProblem as problem:
        return _finish_validation(checkpoint, status=CheckpointStatus.REJECTED, rejection_reason=str(problem))
    except Exception as exc:  # noqa: BLE001 - every validation ends ready or rejected, never stuck
        logger.exception("checkpoint %s: validation failed unexpectedly", checkpoint.pk)
        return _finish_validation(
            checkpoint,
            status=CheckpointStatus.REJECTED,
            rejection_reason=_("Could not read the checkpoint: %(error)s") % {"error": exc},
        )
    refusal = _chat_template_refusal(checkpoint, inspection.has_chat_template)
    if refusal:
        return _finish_validation(checkpoint, status=CheckpointStatus.REJECTED, rejection_reason=refusal)
    precision = checkpoint.precision if checkpoint.precision_reason else inspection.precision
    # "ready" and its runs are committed together: a page that sees the checkpoint ready sees its
    # runs too (the checkpoint page stops refreshing once it is ready).
    with transaction.atomic():
        checkpoint = _finish_validation(
            checkpoint,
            status=CheckpointStatus.READY,
            resolved_path=str(path),
            architecture=inspection.architecture,
            parameter_count=inspection.parameter_count,
            dtypes=inspection.dtypes,
            size_bytes=size,
            precision=precision,
            has_chat_template=inspection.has_chat_template,
            manifest=manifest,
            manifest_digest=digest,
            progress=100,
        )
        _request_suites(checkpoint)
        dispatch.send_originality_request(checkpoint.pk)  # compared with the reference models
    return checkpoint


def _chat_template_refusal(checkpoint: Checkpoint, has_template: bool) -> str:
    """A suite scored under a chat protocol needs the tokenizer's own chat template."""
    if has_template:
        return ""
    from evaluation.selectors import suites_current

    chat = [
        v.suite.slug for v in suites_current() if v.suite.slug in checkpoint.requested_suites and v.needs_chat_template
    ]
    if not chat:
        return ""
    return _(
        "The tokenizer has no chat template, and %(suites)s is scored under a chat protocol "
        "(add chat_template.jinja, or a chat_template in tokenizer_config.json)."
    ) % {"suites": ", ".join(chat)}


def _request_suites(checkpoint: Checkpoint) -> None:
    from evaluation.selectors import suite_version_current
    from evaluation.services.runs import run_request

    for slug in checkpoint.requested_suites:
        try:
            run_request(actor=None, checkpoint=checkpoint, suite_version=suite_version_current(slug=slug))
        except ValidationError as exc:
            logger.warning("checkpoint %s: suite %s not queued: %s", checkpoint.pk, slug, exc.messages)
