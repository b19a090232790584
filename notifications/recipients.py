"""Who follows what: the people other apps hand to `services.notify` (accounts only: no app above)."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import TeamRole, TeamRoleKind
from core.roles import MINISTRY_REVIEWER_GROUP, PROGRAMME_ADMIN_GROUP


def team_leads(team_ids) -> list:
    """People holding a lead role in force in any of the teams."""
    user_ids = (
        TeamRole.objects.in_force()
        .filter(team_id__in=list(team_ids), role=TeamRoleKind.LEAD)
        .values_list("user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def programme_people(team_ids) -> list:
    """Reviewers, programme admins, and the leads of the given teams (a stage's people)."""
    user_ids = (
        TeamRole.objects.in_force()
        .filter(team_id__in=list(team_ids), role=TeamRoleKind.LEAD)
        .values_list("user_id", flat=True)
    )
    return list(
        get_user_model()
        .objects.filter(
            Q(pk__in=user_ids) | Q(groups__name__in=[MINISTRY_REVIEWER_GROUP, PROGRAMME_ADMIN_GROUP]), is_active=True
        )
        .distinct()
    )
