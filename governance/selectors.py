"""Reads for conflicts of interest and objections."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import TeamRole
from consortium.models import Team
from core.permissions import private_team_scope

from .models import ConflictOfInterest, Objection, ObjectionStatus


def conflicts_of(reviewer, team_ids=None) -> dict[int, str]:
    """{team id: why} for every team the person may not score: one their organisation leads or is
    (or was) a member of, one they hold (or held) a team role in, and every declared conflict.
    A past tie counts: an interest does not end with a membership. Three queries, whatever the size."""
    found: dict[int, str] = {}

    def scoped(queryset, field="team_id"):
        return queryset if team_ids is None else queryset.filter(**{f"{field}__in": list(team_ids)})

    for team_id, reason in scoped(ConflictOfInterest.objects.filter(reviewer_id=reviewer.pk)).values_list(
        "team_id", "reason"
    ):
        found[team_id] = _("Declared conflict: %(reason)s") % {"reason": reason}
    if getattr(reviewer, "organisation_id", None):
        teams = scoped(
            Team.objects.filter(
                Q(lead_organisation_id=reviewer.organisation_id)
                | Q(memberships__organisation_id=reviewer.organisation_id)
            ),
            "pk",
        )
        for team_id in teams.values_list("pk", flat=True).distinct():
            found.setdefault(team_id, _("Your organisation is a member of this team."))
    for team_id in scoped(TeamRole.objects.filter(user_id=reviewer.pk)).values_list("team_id", flat=True):
        found.setdefault(team_id, _("You hold a role in this team."))
    return found


def declared_conflicts(user=None) -> list[ConflictOfInterest]:
    """One reviewer's declared conflicts, or everyone's (user None: the admin's view)."""
    conflicts = ConflictOfInterest.objects.select_related("reviewer", "team", "declared_by")
    if user is not None:
        conflicts = conflicts.filter(reviewer=user)
    return list(conflicts.order_by("reviewer__username", "team__name_en"))


def objection_window_ends(stage) -> datetime.datetime | None:
    """When the stage stops taking objections: STAGE_OBJECTION_WINDOW_DAYS after finalisation
    (None before it is finalised)."""
    result = getattr(stage, "result", None) if stage.is_finalised else None
    if result is None:
        return None
    return result.finalised_at + datetime.timedelta(days=settings.STAGE_OBJECTION_WINDOW_DAYS)


def objections_visible_qs(user, stage=None):
    """Reviewers and admins see every objection; others the answered ones (part of the published
    record) and their own teams' open ones. One stage's, or every stage's (stage None)."""
    objections = Objection.objects.select_related("stage", "team", "criterion", "filed_by", "answered_by")
    if stage is not None:
        objections = objections.filter(stage=stage)
    scope = private_team_scope(user)
    if scope is not None:
        objections = objections.filter(~Q(status=ObjectionStatus.OPEN) | Q(team_id__in=scope))
    return objections.order_by("filed_at", "id")


def objections_visible(user, stage) -> list[Objection]:
    return list(objections_visible_qs(user, stage))
