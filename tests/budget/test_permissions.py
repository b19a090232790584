"""REPORT_USAGE: admins, and the users of the provider's own organisation."""

from core.permissions import Action, can
from tests.support.factories import UserFactory


def test_a_providers_own_users_may_report_its_usage(people, catalogue):
    provider = catalogue["provider"]
    own = UserFactory(organisation=provider.organisation)
    assert can(own, Action.REPORT_USAGE, provider)
    assert can(people["admin"], Action.REPORT_USAGE, provider)
    for role in ("anonymous", "member_a", "member_b", "reviewer"):
        assert not can(people[role], Action.REPORT_USAGE, provider)
    assert not can(own, Action.REPORT_USAGE, None)
