"""Reads for accounts."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

# The user, their group names, the teams their organisation is in on a day (the same rule as
# consortium.models.MembershipQuerySet.active_on: both ends inclusive) and their team roles in force
# now (accounts.models.TeamRoleQuerySet.in_force); pinned by tests/accounts/test_signed_in_user.py.
# Plain SQL: built with the ORM, compiling the two subqueries cost more than the rest of a request.
_SIGNED_IN_USER_SQL = """
SELECT u.*,
       ARRAY(SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id
             WHERE ug.user_id = u.id) AS group_name_list,
       ARRAY(SELECT m.team_id FROM consortium_membership m
             WHERE m.organisation_id = u.organisation_id AND m.joined_on <= %(day)s
               AND (m.left_on IS NULL OR m.left_on >= %(day)s)) AS team_id_list,
       ARRAY(SELECT r.team_id::text || ':' || r.role FROM accounts_teamrole r
             WHERE r.user_id = u.id AND r.granted_at <= %(now)s
               AND (r.ended_at IS NULL OR r.ended_at > %(now)s)) AS team_role_list
FROM accounts_user u WHERE u.id = %(user_id)s
"""


def signed_in_user(user_id):
    """The user a session names, read with what every request asks of it next: their group names
    (core.roles.group_names), their organisation's teams today and their own team roles now
    (core.permissions.team_ids_of, team_roles_of).
    On PostgreSQL that is one query instead of three; elsewhere (SQLite, `make run`) the two are
    read when first asked."""
    users = get_user_model().objects
    if connection.vendor != "postgresql":
        return users.filter(pk=user_id).first()
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    now = timezone.now()
    found = list(users.raw(_SIGNED_IN_USER_SQL, {"day": timezone.localdate(now), "now": now, "user_id": user_id}))
    if not found:
        return None
    user = found[0]
    user._group_names_cache = frozenset(user.group_name_list)
    user._team_ids_cache = frozenset(user.team_id_list) if user.organisation_id else frozenset()
    user._team_roles_cache = {int(team): role for team, role in (item.split(":", 1) for item in user.team_role_list)}
    return user


# ---- #18: a person's tokens, sessions and team roles -----------------------------------------


def api_tokens_of(user) -> list:
    """Every token of the person, newest first (one query)."""
    from .models import ApiToken

    return list(ApiToken.objects.filter(user=user).select_related("revoked_by").order_by("-created_at", "-pk"))


def sessions_of(user) -> list:
    """The person's sessions that have not expired, newest first (one query)."""
    from .models import UserSession

    return list(
        UserSession.objects.filter(user=user, expire_date__gt=timezone.now())
        .only("session_key", "created_at", "expire_date", "user_agent", "ip_address")
        .order_by("-created_at")
    )


def team_roles_held_by(user) -> list:
    """The person's team roles in force now, with their teams (one query)."""
    from .models import TeamRole

    return list(TeamRole.objects.in_force().filter(user=user).select_related("team").order_by("team__joined_on"))


def team_people(team) -> dict:
    """For a team's people page: every person of a member organisation today, with their role in
    force (None: the default), and every grant ever made in the team (its history). Three queries."""
    from consortium.models import Membership

    from .models import TeamRole

    organisations = Membership.objects.active_on(timezone.localdate()).filter(team=team).values("organisation_id")
    people = list(
        get_user_model()
        .objects.filter(organisation_id__in=organisations, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name_en", "username")
    )
    history = list(
        TeamRole.objects.filter(team=team)
        .select_related("user", "granted_by", "ended_by")
        .order_by("-granted_at", "-pk")
    )
    now = timezone.now()
    current = {g.user_id: g for g in history if g.granted_at <= now and (g.ended_at is None or g.ended_at > now)}
    return {"people": [(person, current.get(person.pk)) for person in people], "history": history}


# ---- #18: credentials and rights in one statement, for the signed-in fast path -------------------
# The columns every rights check needs (the same rules as _SIGNED_IN_USER_SQL above), for a user `u`
# joined by the caller; `%(day)s` and `%(now)s` are bound by the caller.
RIGHTS_COLUMNS_SQL = """
       u.id AS user_id, u.username, u.password, u.is_active, u.is_superuser, u.is_staff, u.organisation_id,
       ARRAY(SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id
             WHERE ug.user_id = u.id) AS group_name_list,
       ARRAY(SELECT m.team_id FROM consortium_membership m
             WHERE m.organisation_id = u.organisation_id AND m.joined_on <= %(day)s
               AND (m.left_on IS NULL OR m.left_on >= %(day)s)) AS team_id_list,
       ARRAY(SELECT r.team_id::text || ':' || r.role FROM accounts_teamrole r
             WHERE r.user_id = u.id AND r.granted_at <= %(now)s
               AND (r.ended_at IS NULL OR r.ended_at > %(now)s)) AS team_role_list"""


def user_from_rights_row(row: dict):
    """An unsaved User carrying what core.permissions reads (groups, teams, roles), from a row with
    RIGHTS_COLUMNS_SQL's columns: no further query is needed to decide anything about them."""
    user = get_user_model()(
        id=row["user_id"],
        username=row["username"],
        password=row["password"],
        is_active=row["is_active"],
        is_superuser=row["is_superuser"],
        is_staff=row["is_staff"],
        organisation_id=row["organisation_id"],
    )
    user._group_names_cache = frozenset(row["group_name_list"])
    user._team_ids_cache = frozenset(row["team_id_list"]) if row["organisation_id"] else frozenset()
    user._team_roles_cache = {int(t): r for t, r in (item.split(":", 1) for item in row["team_role_list"])}
    return user
