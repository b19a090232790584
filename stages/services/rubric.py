"""Replacing a stage's rubric tree (parts, sub-parts, criteria, points), validated as at creation.
Frozen once the stage has scores: a score must keep meaning what it meant when it was given."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.permissions import Action, require
from stages.models import ExpertScore, Stage, UserScore
from stages.rubric import check_rubric, rubric_dicts
from stages.services.stages import locked_open_stage, rubric_write


def rubric_of(stage: Stage) -> list[dict]:
    """The stored tree in rubric_dicts' shape (numbers as strings): what the API and admin edit."""
    parts = stage.rubric.select_related("parent").prefetch_related("criteria").order_by("position")
    return [
        {
            "key": p.key,
            "parent": p.parent.key if p.parent else None,
            "kind": p.kind,
            "category": p.category,
            "points": str(p.points),
            "name_ko": p.name_ko,
            "name_en": p.name_en,
            "criteria": [
                {"key": c.key, "name_ko": c.name_ko, "name_en": c.name_en, "max_score": str(c.max_score)}
                for c in p.criteria.all()
            ],
        }
        for p in parts
    ]


def rubric_is_frozen(stage: Stage) -> bool:
    return (
        stage.is_finalised
        or ExpertScore.objects.filter(stage=stage).exists()
        or UserScore.objects.filter(stage=stage).exists()
    )


@transaction.atomic
def rubric_replace(*, actor, stage: Stage, rubric, tie_break=None) -> list[dict]:
    """The stage's rubric becomes `rubric` (dicts or rubric.py's tuples); `tie_break` too, if given
    (its keys must name parts of the new tree). Returns the stored tree."""
    require(actor, Action.MANAGE_STAGES)
    stage = locked_open_stage(stage)
    # Scores are written under the stage's lock (stages.services.scores), so none can slip in now.
    if rubric_is_frozen(stage):
        raise ValidationError({"rubric": [_("The rubric is frozen: this stage already has expert or user scores.")]})
    parts = rubric_dicts(rubric)
    check_rubric(parts)
    tie_break = list(stage.tie_break) if tie_break is None else list(tie_break)
    unknown = sorted(set(tie_break) - {p["key"] for p in parts})
    if unknown:
        raise ValidationError({"tie_break": [_("Unknown rubric parts: %(keys)s") % {"keys": ", ".join(unknown)}]})
    before = {"rubric": rubric_of(stage), "tie_break": list(stage.tie_break)}
    stage.rubric.all().delete()  # criteria go with their parts; no score refers to them (checked above)
    rubric_write(stage, parts)
    stage.tie_break = tie_break
    stage.save(update_fields=["tie_break"])
    after = rubric_of(stage)
    audit_record(
        actor=actor,
        action="stage.rubric_replace",
        target=stage,
        before=before,
        after={"rubric": after, "tie_break": tie_break},
    )
    return after
