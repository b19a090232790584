"""The panel member's column of the permission tables: the role's rights, and the arena routes as
a seated panel member, an excluded one and one without a seat in this campaign."""

import pytest
from django.urls import reverse

from arena.services.panel import panel_member_exclude
from core.permissions import Action, can
from core.roles import Role, role_of
from tests.support.factories import UserFactory

PANEL_RIGHTS = {Action.USE_ARENA, Action.JUDGE_ARENA}


def test_a_panel_member_holds_exactly_the_judging_rights(panelist, campaign, team_a, people):
    from tests.core.test_permissions import EXPECTED as TABLE

    user = panelist()
    assert role_of(user) == Role.PANEL
    objects = {
        "team_a": team_a,
        "org_a": team_a.lead_organisation,
        "member_a": people["member_a"],
        "reviewer": people["reviewer"],
        None: None,
    }
    held = {action for action, target, _roles in TABLE if can(user, action, objects[target])}
    # Anyone signed in reads their own notifications; nothing else beyond judging and the public register.
    assert held == PANEL_RIGHTS | {Action.VIEW_REGISTRY, Action.USE_NOTIFICATIONS}
    assert can(user, Action.JUDGE_ARENA, campaign)


def test_judge_arena_is_about_the_seat(people, panelist, campaign):
    seated, excluded = panelist(), panelist()
    panel_member_exclude(actor=people["admin"], seat=excluded.panel_seats.get(), reason="too fast")
    from accounts.services import user_update

    elsewhere = UserFactory(username="other-judge")
    user_update(actor=people["admin"], user=elsewhere, role=Role.PANEL)
    assert can(seated, Action.JUDGE_ARENA, campaign)
    assert not can(excluded, Action.JUDGE_ARENA, campaign)
    assert not can(elsewhere, Action.JUDGE_ARENA, campaign)
    with pytest.raises(TypeError):
        can(seated, Action.JUDGE_ARENA, people["admin"])


# route, method → (seated, excluded, no seat)
EXPECTED = [
    ("arena-list", "GET", (200, 200, 200)),
    ("arena-judge", "GET", (200, 403, 403)),
    ("arena-campaign-new", "POST", (403, 403, 403)),
    ("arena-prompt-set-upload", "POST", (403, 403, 403)),
    ("arena-result", "GET", (403, 403, 403)),
    ("arena-close", "POST", (403, 403, 403)),
    ("arena-invite", "POST", (403, 403, 403)),
    ("arena-exclude", "POST", (403, 403, 403)),
    ("arena-recompute", "POST", (403, 403, 403)),
    ("arena-retry-generation", "POST", (403, 403, 403)),
    ("api:arena-campaign-list", "GET", (200, 200, 200)),
    ("api:arena-campaign-detail", "GET", (200, 403, 404)),
    ("api:arena-campaign-next", "POST", (200, 403, 404)),
    ("api:arena-campaign-judge", "POST", (400, 403, 404)),
    ("api:arena-campaign-result", "GET", (403, 403, 403)),
    ("api:arena-campaign-panel", "GET", (403, 403, 403)),
    ("api:arena-campaign-close", "POST", (403, 403, 403)),
    ("api:arena-campaign-exclusions", "POST", (403, 403, 403)),
    ("api:arena-prompt-set-list", "GET", (403, 403, 403)),
]


def test_arena_routes_for_panel_members(people, panelist, campaign, api_client):
    from django.test import Client

    from accounts.services import user_update

    seated, excluded = panelist(), panelist()
    panel_member_exclude(actor=people["admin"], seat=excluded.panel_seats.get(), reason="same side")
    elsewhere = UserFactory(username="no-seat")
    user_update(actor=people["admin"], user=elsewhere, role=Role.PANEL)
    wrong = []
    for name, method, expected in EXPECTED:
        listing = name.endswith("list") or name in ("arena-campaign-new", "arena-prompt-set-upload")
        url = reverse(name) if listing else reverse(name, args=[campaign.slug])
        for user, want in zip((seated, excluded, elsewhere), expected):
            if name.startswith("api:"):
                api_client.force_authenticate(user)
                response = getattr(api_client, method.lower())(url, {}, format="json")
            else:
                client = Client()
                client.force_login(user)
                response = getattr(client, method.lower())(url)
            if response.status_code != want:
                wrong.append(f"{name} {method} as {user.username}: {response.status_code}, expected {want}")
    assert not wrong, "\n".join(wrong)
