"""The session's user is read with its groups and today's teams in one query (accounts.selectors),
and must agree with the rules it stands in for: core.roles.group_names and
core.permissions.team_ids_of (Membership.objects.active_on)."""

import datetime

import pytest
from django.utils import timezone

from accounts.backends import LimitedModelBackend
from accounts.models import User
from accounts.selectors import signed_in_user
from core.permissions import team_ids_of
from core.roles import group_names
from tests.support.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _orm_view(user_id):
    user = User.objects.get(pk=user_id)  # a fresh object: the roles' own queries
    return group_names(user), team_ids_of(user)


def test_memberships_on_every_boundary_of_today_agree_with_active_on(people):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    organisation = OrganisationFactory()
    spans = {
        "left yesterday": (today - 9 * day, today - day),
        "leaves today": (today - 9 * day, today),
        "joins today": (today, None),
        "joins tomorrow": (today + day, None),
        "open": (today - 9 * day, None),
        "leaves tomorrow": (today - day, today + day),
    }
    teams = {}
    for label, (joined, left) in spans.items():
        teams[label] = TeamFactory().pk
        MembershipFactory(team_id=teams[label], organisation=organisation, joined_on=joined, left_on=left)
    user = UserFactory(organisation=organisation)

    read = signed_in_user(user.pk)

    expected = {teams[k] for k in ("leaves today", "joins today", "open", "leaves tomorrow")}
    assert team_ids_of(read) == expected == _orm_view(user.pk)[1]


@pytest.mark.parametrize("role", ["anonymous_org", "member_a", "member_b", "reviewer", "admin"])
def test_groups_and_teams_agree_with_the_rules_for_every_role(people, role, django_assert_num_queries):
    user = UserFactory(username="no-org") if role == "anonymous_org" else people[role]
    with django_assert_num_queries(1):
        read = signed_in_user(user.pk)
        groups, teams = group_names(read), team_ids_of(read)
    assert (groups, teams) == _orm_view(user.pk)
    assert read.get_session_auth_hash() == user.get_session_auth_hash()


def test_unknown_odd_and_inactive_users_sign_nobody_in(people):
    backend = LimitedModelBackend()
    inactive = UserFactory(is_active=False)
    assert backend.get_user(people["member_a"].pk).username == "member-a"
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(10**9) is None
    assert signed_in_user("not-a-number") is None
