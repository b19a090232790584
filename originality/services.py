"""Writes: registering references, fingerprinting checkpoints, storing originality reports.
Streaming the weights happens outside any transaction; each outcome is written in one."""

import datetime
import logging
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from core.permissions import Action, require
from evaluation.models import Checkpoint, CheckpointStatus

from . import compare, dispatch
from .fingerprint import SIGNATURE_VERSION, FingerprintError, TensorPrint, fingerprint_folder
from .models import OriginalityReport, ReferenceModel, ReportStatus, TensorFingerprint, TensorMatch

logger = logging.getLogger(__name__)


def _row(tensor: TensorPrint, **owner) -> TensorFingerprint:
    return TensorFingerprint(
        name=tensor.name,
        shape=list(tensor.shape),
        dtype=tensor.dtype,
        digest=tensor.digest,
        rows=tensor.rows.astype("<u4").tobytes(),
        values=tensor.values.astype("<f4").tobytes(),
        version=SIGNATURE_VERSION,
        **owner,
    )


def tensor_print(row: TensorFingerprint) -> TensorPrint:
    """A stored fingerprint back as the pure form compare.py reads."""
    return TensorPrint(
        name=row.name,
        shape=tuple(row.shape),
        dtype=row.dtype,
        digest=bytes(row.digest),
        rows=np.frombuffer(bytes(row.rows), dtype="<u4"),
        values=np.frombuffer(bytes(row.values), dtype="<f4"),
    )


def reference_register(*, actor, name: str, path: str | Path, family: str = "", notes: str = "") -> ReferenceModel:
    """Fingerprint an HF-format folder and store it as a reference (never its weights);
    every ready checkpoint is then checked again."""
    require(actor, Action.MANAGE_REGISTRY)
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("A reference needs a name.")]})
    if ReferenceModel.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("A reference named %(name)s exists already.") % {"name": name}]})
    folder = Path(path)
    if not folder.is_dir():
        raise ValidationError({"path": [_("Folder not found: %(path)s") % {"path": path}]})
    try:
        prints = fingerprint_folder(folder)
    except FingerprintError as error:
        raise ValidationError({"path": [str(error)]}) from None
    try:
        with transaction.atomic():
            return _store_reference(actor, name=name, family=family, notes=notes, folder=folder, prints=prints)
    except IntegrityError:  # registered meanwhile under the same name
        raise ValidationError({"name": [_("A reference named %(name)s exists already.") % {"name": name}]}) from None


def _store_reference(actor, *, name, family, notes, folder: Path, prints: list[TensorPrint]) -> ReferenceModel:
    reference = ReferenceModel.objects.create(
        name=name,
        family=family.strip(),
        notes=notes,
        source_path=str(folder.resolve()),
        tensor_count=len(prints),
        parameter_count=sum(p.parameter_count for p in prints),
        registered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    TensorFingerprint.objects.bulk_create([_row(p, reference=reference) for p in prints], batch_size=500)
    audit_record(actor=actor, action="originality.reference_register", target=reference, after=snapshot(reference))
    transaction.on_commit(originality_recheck_all)
    return reference


def originality_request(*, checkpoint_id: int) -> None:
    """Mark a checkpoint's report pending and queue its check (after the caller's commit)."""
    with transaction.atomic():
        report, _created = OriginalityReport.objects.get_or_create(checkpoint_id=checkpoint_id)
        report.status, report.requested_at = ReportStatus.PENDING, timezone.now()
        report.save(update_fields=["status", "requested_at"])
        dispatch.send_check_checkpoint(checkpoint_id)  # re-sent by the beat if lost


CHECK_STALE_AFTER = datetime.timedelta(minutes=30)


def originality_resend_stale(*, stale_after: datetime.timedelta = CHECK_STALE_AFTER) -> list[int]:
    """Checks still pending long after they were queued (a lost message or worker) are sent again."""
    before = timezone.now() - stale_after
    stale = list(
        OriginalityReport.objects.filter(status=ReportStatus.PENDING, requested_at__lt=before).values_list(
            "checkpoint_id", flat=True
        )
    )
    # A request lost on its way from the evaluation app left no report at all.
    stale += list(
        Checkpoint.objects.filter(
            status=CheckpointStatus.READY, validated_at__lt=before, originality__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        originality_request(checkpoint_id=pk)
    return stale


def originality_recheck_all() -> int:
    """Queue a check of every ready checkpoint (a new reference may accuse any of them)."""
    ids = list(Checkpoint.objects.filter(status=CheckpointStatus.READY).values_list("pk", flat=True))
    for pk in ids:
        originality_request(checkpoint_id=pk)
    return len(ids)


def _stored_prints(checkpoint: Checkpoint) -> list[TensorPrint]:
    rows = TensorFingerprint.objects.filter(checkpoint=checkpoint, version=SIGNATURE_VERSION)
    return [tensor_print(row) for row in rows]


def _checkpoint_prints(checkpoint: Checkpoint) -> list[TensorPrint]:
    """The checkpoint's fingerprints: streamed once from its files (immutable once ready),
    then read from the database."""
    stored = _stored_prints(checkpoint)
    if stored:
        return stored
    prints = fingerprint_folder(Path(checkpoint.resolved_path))
    with transaction.atomic():
        # Two checks of one checkpoint may race (validation and a new reference): one stores.
        Checkpoint.objects.select_for_update().filter(pk=checkpoint.pk).first()
        if TensorFingerprint.objects.filter(checkpoint=checkpoint, version=SIGNATURE_VERSION).exists():
            return _stored_prints(checkpoint)
        TensorFingerprint.objects.filter(checkpoint=checkpoint).delete()
        TensorFingerprint.objects.bulk_create([_row(p, checkpoint=checkpoint) for p in prints], batch_size=500)
    return prints


def _reference_prints() -> tuple[list[compare.Ref], dict[int, ReferenceModel]]:
    references = {r.pk: r for r in ReferenceModel.objects.all()}
    rows = TensorFingerprint.objects.filter(reference__isnull=False, version=SIGNATURE_VERSION)
    return [compare.Ref(reference=row.reference_id, tensor=tensor_print(row)) for row in rows.iterator()], references


def originality_check(*, checkpoint_id: int) -> OriginalityReport | None:
    """Compare a ready checkpoint with every reference and store the verdict with its evidence.
    Every failure ends the report as failed with a reason, never pending."""
    checkpoint = Checkpoint.objects.select_related("team").filter(pk=checkpoint_id).first()
    if checkpoint is None or checkpoint.status != CheckpointStatus.READY:
        return None
    try:
        prints = _checkpoint_prints(checkpoint)
        refs, references = _reference_prints()
        threshold, derived_share = settings.ORIGINALITY_SIMILARITY_THRESHOLD, settings.ORIGINALITY_DERIVED_SHARE
        result = compare.compare(prints, refs, threshold=threshold, derived_share=derived_share)
    except Exception as exc:  # noqa: BLE001 - a check ends done or failed, never stuck
        logger.exception("checkpoint %s: originality check failed", checkpoint_id)
        return _store_failure(checkpoint, _("Could not check the weights: %(error)s") % {"error": exc})
    return _store_result(checkpoint, result, references, threshold=threshold, derived_share=derived_share)


def _store_failure(checkpoint: Checkpoint, reason: str) -> OriginalityReport:
    with transaction.atomic():
        report, _created = OriginalityReport.objects.select_for_update().get_or_create(checkpoint=checkpoint)
        report.status, report.error, report.checked_at = ReportStatus.FAILED, reason, timezone.now()
        report.save()
        audit_record(actor=None, action="originality.failed", target=report, after=snapshot(report))
    return report


def _store_result(checkpoint, result: compare.Verdict, references: dict, *, threshold, derived_share):
    names = {pk: ref.name for pk, ref in references.items()}
    components = [
        {
            "reference": names.get(c.reference, ""),
            "reference_id": c.reference,
            "prefix": c.prefix,
            "tensors": c.tensors,
            "parameters": c.parameters,
            "min_similarity": round(c.min_similarity, 4),
        }
        for c in result.components
    ]
    matched = [m for m in result.matches if m.matched]
    evidence = {
        "similarity_threshold": threshold,
        "derived_share": derived_share,
        "informative_parameters": result.informative_parameters,
        "tensors": len(result.matches),
        "informative_tensors": sum(1 for m in result.matches if m.informative),
        "matched_tensors": len(matched),
        "exact_tensors": sum(1 for m in matched if m.exact),
        "shares": {names.get(ref, str(ref)): round(share, 6) for ref, share in result.shares.items()},
    }
    with transaction.atomic():
        report, _created = OriginalityReport.objects.select_for_update().get_or_create(checkpoint=checkpoint)
        before = snapshot(report)
        report.status, report.verdict, report.error = ReportStatus.DONE, result.verdict, ""
        report.matched_share = min(1.0, result.matched_share)
        report.max_similarity = result.max_similarity
        report.best_reference_id = result.best_reference
        report.components, report.evidence = components, evidence
        report.references_checked, report.checked_at = len(references), timezone.now()
        report.save()
        report.matches.all().delete()
        TensorMatch.objects.bulk_create(
            [
                TensorMatch(
                    report=report,
                    tensor=m.name,
                    shape=list(m.shape),
                    parameter_count=m.parameter_count,
                    reference_id=m.reference,
                    reference_tensor=m.reference_tensor,
                    similarity=m.similarity,
                    exact=m.exact,
                    rows_compared=m.rows_compared,
                    matched_parameters=m.matched_parameters,
                )
                for m in result.matches
                if m.informative
            ],
            batch_size=500,
        )
        audit_record(actor=None, action="originality.checked", target=report, before=before, after=snapshot(report))
        dispatch.send_verdict_reached(checkpoint.pk)  # a stage nominating it may need a gate decision
    return report
