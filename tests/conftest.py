import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.services import role_groups_ensure
from core.roles import MINISTRY_REVIEWER_GROUP, PROGRAMME_ADMIN_GROUP
from tests.support.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests only need passwords that check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_microcache(settings):
    """Tests see every change at once; the public pages' few-second cache (core.microcache) is
    switched on, and proven, in tests/core/test_microcache.py."""
    from django.core.cache import caches

    settings.PUBLIC_MICROCACHE_SECONDS = 0
    caches["microcache"].clear()


@pytest.fixture
def team_a(db):
    return TeamFactory(slug="team-a", name_en="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(slug="team-b", name_en="Team B")


@pytest.fixture
def people(db, team_a, team_b):
    """One user per role: anonymous, a member of team A (its lead), a member of
    team B, a ministry reviewer and a programme admin."""
    groups = role_groups_ensure()
    reviewer = UserFactory(username="reviewer")
    reviewer.groups.add(groups[MINISTRY_REVIEWER_GROUP])
    admin = UserFactory(username="admin", is_staff=True)
    admin.groups.add(groups[PROGRAMME_ADMIN_GROUP])
    return {
        "anonymous": AnonymousUser(),
        "member_a": UserFactory(username="member-a", organisation=team_a.lead_organisation),
        "member_b": UserFactory(username="member-b", organisation=team_b.lead_organisation),
        "reviewer": reviewer,
        "admin": admin,
    }


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def extra_member(db):
    """Adds a non-lead member organisation to a team."""

    def add(team, **kwargs):
        return MembershipFactory(team=team, organisation=OrganisationFactory(), **kwargs)

    return add


@pytest.fixture(autouse=True)
def no_api_throttling(settings):
    """Tests make many requests from one address; tests/security/test_throttling.py turns it on.
    Failed sign-ins counted by an earlier test (same username, same address) are forgotten."""
    from django.core.cache import cache

    settings.API_THROTTLE_ANON = settings.API_THROTTLE_USER = "off"
    cache.clear()
