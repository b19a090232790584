"""Writes of the cut's governance: declared conflicts of interest, and objections with their answers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from consortium.models import Team
from core.permissions import Action, require
from core.roles import is_ministry_reviewer
from notifications.models import NotificationKind
from notifications.recipients import team_leads
from notifications.services import notify
from stages.models import Criterion, ExpertScore, Stage, StageStatus

from .models import ConflictOfInterest, Objection, ObjectionStatus
from .selectors import objection_window_ends

# The only ways an objection's status may change (one answer closes it).
OBJECTION_TRANSITIONS = {
    ObjectionStatus.OPEN: {ObjectionStatus.UPHELD, ObjectionStatus.REJECTED},
    ObjectionStatus.UPHELD: set(),
    ObjectionStatus.REJECTED: set(),
}


@transaction.atomic
def conflict_declare(*, actor, reviewer, team: Team, reason: str) -> ConflictOfInterest:
    """A reviewer declares their own conflict with a team; an admin may record one for any reviewer.
    From then on expert_scores_save refuses the reviewer's scores for that team, in every stage."""
    require(actor, Action.DECLARE_CONFLICT, reviewer)
    reason = reason.strip()
    errors = {}
    if not is_ministry_reviewer(reviewer):
        errors["reviewer"] = [_("Only a ministry reviewer scores teams; this person is not one.")]
    if not reason:
        errors["reason"] = [_("Say what the conflict is.")]
    if ConflictOfInterest.objects.filter(reviewer=reviewer, team=team).exists():
        errors["team"] = [_("This conflict is already declared.")]
    if errors:
        raise ValidationError(errors)
    conflict = ConflictOfInterest.objects.create(
        reviewer=reviewer, team=team, reason=reason, declared_at=timezone.now(), declared_by=actor
    )
    # Scores the reviewer already gave the team stop counting wherever the cut is still open.
    withdrawn, _by_model = (
        ExpertScore.objects.filter(reviewer=reviewer, team=team).exclude(stage__status=StageStatus.FINALISED).delete()
    )
    audit_record(
        actor=actor,
        action="governance.conflict_declare",
        target=conflict,
        after=snapshot(
            conflict, reviewer_username=reviewer.get_username(), team_slug=team.slug, scores_withdrawn=withdrawn
        ),
    )
    return conflict


def _objection_transition(objection: Objection, to: ObjectionStatus) -> None:
    """The one place an objection's status changes."""
    if ObjectionStatus(to) not in OBJECTION_TRANSITIONS[ObjectionStatus(objection.status)]:
        raise ValidationError(
            {
                "outcome": [
                    _("An objection cannot go from %(old)s to %(new)s.")
                    % {"old": objection.get_status_display(), "new": ObjectionStatus(to).label}
                ]
            }
        )
    objection.status = to


@transaction.atomic
def objection_file(
    *, actor, stage: Stage, team: Team, text: str, task: str = "", criterion: Criterion | None = None
) -> Objection:
    """A team's lead objects to the finalised result, within STAGE_OBJECTION_WINDOW_DAYS of finalisation."""
    require(actor, Action.FILE_OBJECTION, team)
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    ends = objection_window_ends(stage)
    errors = {}
    if ends is None:
        errors["stage"] = [_("Objections open once the stage is finalised.")]
    elif timezone.now() > ends:
        errors["stage"] = [
            _("The objection window closed on %(when)s.")
            % {"when": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M")}
        ]
    if not stage.entries.filter(team=team).exists():
        errors["team"] = [_("This team is not in the stage.")]
    text, task = text.strip(), task.strip()
    if not text:
        errors["text"] = [_("Write the objection.")]
    if task and task not in {t.task for t in stage.suite_version.tasks.all()}:
        errors["task"] = [_("Unknown task “%(task)s”.") % {"task": task}]
    if criterion is not None and criterion.part.stage_id != stage.pk:
        errors["criterion"] = [_("That criterion is not in this stage's rubric.")]
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        stage=stage, team=team, text=text, task=task, criterion=criterion, filed_by=actor, filed_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="governance.objection_file",
        target=objection,
        after=snapshot(objection, stage_slug=stage.slug, team_slug=team.slug),
    )
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, outcome: str, answer: str) -> Objection:
    """A reviewer or admin answers an objection (upheld or rejected), once. The single place where an
    objection is answered: a notification of the team belongs here."""
    require(actor, Action.ANSWER_OBJECTION, objection)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer; the team and the report show it.")]})
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
        raise ValidationError({"outcome": [_("Choose upheld or rejected.")]})
    before = snapshot(objection)
    _objection_transition(objection, ObjectionStatus(outcome))
    objection.answer, objection.answered_by, objection.answered_at = answer, actor, timezone.now()
    objection.save()
    audit_record(
        actor=actor, action="governance.objection_answer", target=objection, before=before, after=snapshot(objection)
    )
    # Whoever filed it and the team's leads are told, inside this transaction (notifications.notify).
    notify(
        kind=NotificationKind.OBJECTION_ANSWERED,
        recipients=[objection.filed_by, *team_leads([objection.team_id])],
        title=_("Your objection on %(stage)s was answered: %(outcome)s")
        % {"stage": objection.stage.name, "outcome": objection.get_status_display()},
        body=answer,
        link=reverse("stage-objections", kwargs={"slug": objection.stage.slug}),
    )
    return objection
