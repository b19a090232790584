"""Writes for leaderboards: definitions, reference scores, published snapshots."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from core.permissions import Action, require
from evaluation.models import SuiteTask, SuiteVersion
from leaderboards.models import Leaderboard, ReferenceModel, ReferenceScore, RowRule, Snapshot
from leaderboards.selectors import leaderboard_live_inputs


@transaction.atomic
def leaderboard_create(
    *,
    actor,
    slug: str,
    name_ko: str,
    name_en: str,
    suite_version: SuiteVersion,
    rule: str = RowRule.BEST,
    stage=None,
    stage_id: int | None = None,
) -> Leaderboard:
    """`stage` (a stages.Stage) or `stage_id`: the stage whose nominations the nominated rule shows."""
    if actor is not None:  # None: the platform itself (seeding)
        require(actor, Action.MANAGE_STAGES)
    leaderboard = Leaderboard(
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        suite_version=suite_version,
        rule=rule,
        stage=stage,
        stage_id=stage.pk if stage is not None else stage_id,
    )
    leaderboard.full_clean()
    if rule == RowRule.NOMINATED and leaderboard.stage_id is None:
        raise ValidationError({"stage": [_("The nominated-checkpoint rule needs a stage.")]})
    leaderboard.save()
    audit_record(actor=actor, action="leaderboard.create", target=leaderboard, after=snapshot(leaderboard))
    return leaderboard


def _clean_scores(suite_version: SuiteVersion, scores: dict) -> dict[str, tuple[float, float | None]]:
    known = set(SuiteTask.objects.filter(suite_version=suite_version).values_list("task", flat=True))
    errors, cleaned = [], {}
    for task, pair in scores.items():
        value, stderr = pair if isinstance(pair, list | tuple) else (pair, None)
        if task not in known:
            errors.append(_("%(task)s is not a task of %(suite)s.") % {"task": task, "suite": suite_version})
            continue
        try:
            value = float(value)
            stderr = None if stderr in (None, "") else float(stderr)
        except (TypeError, ValueError):
            errors.append(_("%(task)s: the score must be a number.") % {"task": task})
            continue
        if not math.isfinite(value) or (stderr is not None and (not math.isfinite(stderr) or stderr < 0)):
            errors.append(
                _("%(task)s: the score and its stderr must be finite, the stderr not negative.") % {"task": task}
            )
            continue
        cleaned[task] = (value, stderr)
    if errors:
        raise ValidationError({"scores": errors})
    if not cleaned:
        raise ValidationError({"scores": [_("Enter at least one task score.")]})
    return cleaned


@transaction.atomic
def reference_model_save(
    *, actor, suite_version: SuiteVersion, name: str, scores: dict, source: str = ""
) -> ReferenceModel:
    """Create or replace a frontier model's scores: {task: value or [value, stderr]}."""
    if actor is not None:  # None: the platform itself (seeding)
        require(actor, Action.MANAGE_STAGES)
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Enter the model's name.")]})
    cleaned = _clean_scores(suite_version, scores)
    reference, created = ReferenceModel.objects.select_for_update().get_or_create(
        suite_version=suite_version, name=name, defaults={"source": source}
    )
    before = (
        None
        if created
        else {"source": reference.source, "scores": {s.task: [s.value, s.stderr] for s in reference.scores.all()}}
    )
    reference.source = source
    reference.save()
    reference.scores.all().delete()
    ReferenceScore.objects.bulk_create(
        ReferenceScore(reference=reference, task=task, value=value, stderr=stderr)
        for task, (value, stderr) in sorted(cleaned.items())
    )
    audit_record(
        actor=actor,
        action="reference.save",
        target=reference,
        before=before,
        after={"source": source, "scores": {t: list(v) for t, v in sorted(cleaned.items())}},
    )
    return reference


@transaction.atomic
def snapshot_publish(*, actor, leaderboard: Leaderboard, note: str = "") -> Snapshot:
    """Freeze what the leaderboard shows now, for the public and the other teams."""
    require(actor, Action.PUBLISH_RESULTS)
    inputs = leaderboard_live_inputs(leaderboard)
    published = Snapshot.objects.create(
        leaderboard=leaderboard, published_at=timezone.now(), published_by=actor, note=note.strip(), inputs=inputs
    )
    audit_record(
        actor=actor,
        action="leaderboard.publish",
        target=published,
        after={
            "leaderboard": leaderboard.slug,
            "note": published.note,
            "runs": sorted(e["run"]["id"] for e in inputs["entries"]),
        },
    )
    return published
