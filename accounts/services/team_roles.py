"""People's team roles (accounts.TeamRole): granted and ended by the team's lead or an admin, each
audited. Granting a role to someone who holds another in that team ends the old one at the same
instant (a change of role is an end and a grant, both kept)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TeamRole, TeamRoleKind, User
from audit.services import audit_record
from consortium.models import Membership, Team
from core.permissions import Action, require


def _snapshot(grant: TeamRole) -> dict:
    return {
        "user": grant.user_id,
        "team": grant.team_id,
        "role": grant.role,
        "granted_at": grant.granted_at.isoformat(),
        "granted_by": grant.granted_by_id,
        "ended_at": grant.ended_at.isoformat() if grant.ended_at else None,
        "ended_by": grant.ended_by_id,
    }


def _end(grant: TeamRole, *, actor, at) -> None:
    before = _snapshot(grant)
    grant.ended_at, grant.ended_by = at, actor
    grant.save(update_fields=["ended_at", "ended_by"])
    audit_record(actor=actor, action="team_role.end", target=grant, before=before, after=_snapshot(grant))


@transaction.atomic
def team_role_grant(*, actor, team: Team, user: User, role: TeamRoleKind | str) -> TeamRole:
    """`user` holds `role` in `team` from now on. The person's organisation must be a member of
    the team today (a role counts only within a member firm)."""
    if actor is not None:
        require(actor, Action.MANAGE_TEAM_ROLES, team)
    team = Team.objects.select_for_update().get(pk=team.pk)  # grants of one team queue here
    if role not in TeamRoleKind.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    today = timezone.localdate()
    if (
        not user.organisation_id
        or not Membership.objects.active_on(today).filter(team=team, organisation_id=user.organisation_id).exists()
    ):
        raise ValidationError({"user": [_("This person's organisation is not a member of the team.")]})
    now = timezone.now()
    current = TeamRole.objects.select_for_update().filter(team=team, user=user, ended_at__isnull=True).first()
    if current is not None:
        if current.role == role:
            return current
        _end(current, actor=actor, at=now)
    grant = TeamRole.objects.create(team=team, user=user, role=role, granted_at=now, granted_by=actor)
    audit_record(actor=actor, action="team_role.grant", target=grant, after=_snapshot(grant))
    return grant


@transaction.atomic
def team_role_end(*, actor, grant: TeamRole) -> TeamRole:
    """Ends a person's role now: from the next request they have only what their organisation's
    membership gives (TEAM_MEMBER_DEFAULT_ROLE)."""
    grant = TeamRole.objects.select_for_update().select_related("team").get(pk=grant.pk)
    if actor is not None:
        require(actor, Action.MANAGE_TEAM_ROLES, grant.team)
    if grant.ended_at is None:
        _end(grant, actor=actor, at=timezone.now())
    return grant
