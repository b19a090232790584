"""Defining a stage, the originality gate, and finalising the cut."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from consortium.models import Programme, Team, TeamStatus
from consortium.services import team_change_status
from core.permissions import Action, require
from evaluation.models import SuiteVersion
from notifications.models import NotificationKind
from stages.models import Criterion, RubricPart, Stage, StageResult, StageStatus, StageTeam
from stages.rubric import DEFAULT_TIE_BREAK, FIRST_STAGE_RUBRIC, check_rubric, rubric_dicts
from stages.scoring import compute_outcome
from stages.services.notices import notify_stage


@transaction.atomic
def stage_create(
    *,
    actor,
    programme: Programme,
    slug: str,
    name_ko: str,
    name_en: str,
    advancing_count: int,
    suite_version: SuiteVersion,
    nomination_deadline: datetime.datetime,
    teams=None,
    rubric=FIRST_STAGE_RUBRIC,
    tie_break=None,
    **settings,
) -> Stage:
    """A stage with its teams (default: every active team) and rubric (default: the first stage's)."""
    if actor is not None:
        require(actor, Action.MANAGE_STAGES)
    teams = list(Team.objects.filter(status=TeamStatus.ACTIVE) if teams is None else teams)
    if advancing_count >= len(teams):
        raise ValidationError(
            {"advancing_count": [_("Fewer teams must advance than take part (%(n)s).") % {"n": len(teams)}]}
        )
    parts = rubric_dicts(rubric)
    check_rubric(parts)
    tie_break = DEFAULT_TIE_BREAK if tie_break is None else list(tie_break)
    unknown = sorted(set(tie_break) - {p["key"] for p in parts})
    if unknown:
        raise ValidationError({"tie_break": [_("Unknown rubric parts: %(keys)s") % {"keys": ", ".join(unknown)}]})
    stage = Stage(
        programme=programme,
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        advancing_count=advancing_count,
        suite_version=suite_version,
        nomination_deadline=nomination_deadline,
        tie_break=tie_break,
        **settings,
    )
    stage.full_clean()
    stage.save()
    StageTeam.objects.bulk_create(StageTeam(stage=stage, team=team) for team in teams)
    rubric_write(stage, parts)
    audit_record(
        actor=actor,
        action="stage.create",
        target=stage,
        after={**snapshot(stage), "teams": [t.slug for t in teams], "rubric": parts},
    )
    notify_stage(stage, NotificationKind.STAGE_OPENED)
    return stage


def rubric_write(stage: Stage, parts: list[dict]) -> None:
    """Store a checked rubric tree (rubric_dicts' shape), in its order."""
    saved: dict[str, RubricPart] = {}
    for position, part in enumerate(parts):
        saved[part["key"]] = RubricPart.objects.create(
            stage=stage,
            parent=saved.get(part["parent"]),
            key=part["key"],
            kind=part["kind"],
            category=part["category"],
            points=part["points"],
            position=position,
            name_ko=part["name_ko"],
            name_en=part["name_en"],
        )
        Criterion.objects.bulk_create(
            Criterion(
                part=saved[part["key"]],
                key=c["key"],
                name_ko=c["name_ko"],
                name_en=c["name_en"],
                max_score=c["max_score"],
                position=i,
            )
            for i, c in enumerate(part["criteria"])
        )


def locked_open_stage(stage: Stage) -> Stage:
    """The stage row, locked; refuses a finalised stage (the database refuses it too)."""
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    if stage.is_finalised:
        raise ValidationError(_("This stage is finalised and cannot change."))
    return stage


@transaction.atomic
def team_exclude(*, actor, stage: Stage, team: Team, reason: str) -> StageTeam:
    """The originality gate: the team does not advance, whatever its score. The reason is shown."""
    require(actor, Action.PUBLISH_RESULTS)
    locked_open_stage(stage)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Write the reason for the exclusion; it is shown with the result.")]})
    entry = StageTeam.objects.select_for_update().filter(stage=stage, team=team).first()
    if entry is None:
        raise ValidationError({"team": [_("This team is not in the stage.")]})
    before = {"excluded_reason": entry.excluded_reason}
    entry.excluded_reason, entry.excluded_by, entry.excluded_at = reason, actor, timezone.now()
    entry.save()
    audit_record(
        actor=actor,
        action="stage.exclude",
        target=entry,
        before=before,
        after={"stage": stage.slug, "team": team.slug, "excluded_reason": reason},
    )
    return entry


@transaction.atomic
def stage_finalise(*, actor, stage: Stage) -> StageResult:
    """Freeze every input and the outcome; eliminated teams are marked. Cannot be undone."""
    from stages.blockers import stage_blockers
    from stages.inputs import inputs_digest, stage_inputs

    require(actor, Action.PUBLISH_RESULTS)
    stage = locked_open_stage(stage)
    blockers = stage_blockers(stage)  # the very list the stage page shows
    if blockers:
        raise ValidationError([_("The stage cannot be finalised yet:")] + [b.message for b in blockers])
    inputs = stage_inputs(stage)
    outcome = compute_outcome(inputs)
    result = StageResult.objects.create(
        stage=stage,
        inputs=inputs,
        inputs_digest=inputs_digest(inputs),
        outcome=outcome,
        finalised_by=actor,
        finalised_at=timezone.now(),
    )
    from datasets_registry.services import entitlements_apply_team_elimination

    for row in outcome["rows"]:
        if not row["advances"]:
            team = Team.objects.get(pk=row["team"])
            if team.status == TeamStatus.ACTIVE:
                team_change_status(
                    actor=actor,
                    team=team,
                    to=TeamStatus.ELIMINATED,
                    reason=row["excluded_reason"]
                    or _("Not among the %(n)s advancing teams of %(stage)s.")
                    % {"n": stage.advancing_count, "stage": stage.name_ko},
                )
                # Data licences decide what an eliminated team keeps; its unspent GPU budget is
                # released by an admin on the budget pages (one audited step).
                entitlements_apply_team_elimination(actor=actor, team=team)
    stage.status = StageStatus.FINALISED
    stage.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="stage.finalise",
        target=stage,
        after={
            "inputs_digest": result.inputs_digest,
            "advancing": [r["slug"] for r in outcome["rows"] if r["advances"]],
            "eliminated": [r["slug"] for r in outcome["rows"] if not r["advances"]],
        },
    )
    notify_stage(stage, NotificationKind.STAGE_FINALISED)
    return result
