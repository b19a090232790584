"""A checkpoint's training-data declaration: which datasets, over which dates, and
whether the weights will be released openly. Setting it replaces the previous one."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, can

from ..models import Dataset, TrainingDataItem, TrainingDeclaration


def _require_may_declare(actor, checkpoint) -> None:
    """The checkpoint's own team (as for submitting) or a programme admin."""
    if actor is None:
        return
    if not (can(actor, Action.SUBMIT_CHECKPOINT, checkpoint.team) or can(actor, Action.MANAGE_REGISTRY)):
        raise PermissionDenied("Not allowed: declare training data")


def _state(declaration: TrainingDeclaration | None, items) -> dict | None:
    if declaration is None:
        return None
    return {
        "releases_openly": declaration.releases_openly,
        "items": [
            {
                "dataset": i.dataset_id,
                "trained_from": i.trained_from.isoformat(),
                "trained_until": i.trained_until.isoformat(),
            }
            for i in items
        ],
    }


@transaction.atomic
def training_declaration_set(*, actor, checkpoint, releases_openly: bool, items: list[dict]) -> TrainingDeclaration:
    """`items`: [{"dataset": Dataset, "trained_from": date, "trained_until": date}]."""
    _require_may_declare(actor, checkpoint)
    errors: list[str] = []
    seen = set()
    for item in items:
        dataset = item.get("dataset")
        if not isinstance(dataset, Dataset) or dataset.pk is None:
            errors.append(_("Unknown dataset: %(dataset)s.") % {"dataset": dataset})
            continue
        if dataset.pk in seen:
            errors.append(_("%(dataset)s is listed twice.") % {"dataset": dataset})
        seen.add(dataset.pk)
        start, end = item.get("trained_from"), item.get("trained_until")
        if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
            errors.append(_("Give the training dates for %(dataset)s.") % {"dataset": dataset})
        elif end < start:
            errors.append(_("Training on %(dataset)s ends before it starts.") % {"dataset": dataset})
    if errors:
        raise ValidationError({"items": errors})

    declaration = TrainingDeclaration.objects.select_for_update().filter(checkpoint=checkpoint).first()
    before = _state(declaration, declaration.items.all()) if declaration else None
    if declaration is None:
        declaration = TrainingDeclaration(checkpoint=checkpoint)
    declaration.releases_openly = bool(releases_openly)
    declaration.declared_by = actor if actor is not None and actor.is_authenticated else None
    declaration.save()
    declaration.items.all().delete()
    rows = TrainingDataItem.objects.bulk_create(
        [
            TrainingDataItem(
                declaration=declaration,
                dataset=i["dataset"],
                trained_from=i["trained_from"],
                trained_until=i["trained_until"],
            )
            for i in items
        ]
    )
    audit_record(
        actor=actor,
        action="training_declaration.set",
        target=checkpoint,
        before=before,
        after=_state(declaration, rows),
    )
    return declaration
