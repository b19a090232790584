"""The permission module, for every role. Team A is led by member_a's organisation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from consortium.models import TeamStatus
from core.permissions import Action, can, require

ROLES = ["anonymous", "member_a", "member_b", "reviewer", "admin"]

# action, object ("team_a" or "org_a" or None) → the roles that may do it
EXPECTED = [
    (Action.VIEW_REGISTRY, None, {"anonymous", "member_a", "member_b", "reviewer", "admin"}),
    (Action.MANAGE_REGISTRY, None, {"admin"}),
    (Action.VIEW_PEOPLE, "org_a", {"member_a", "reviewer", "admin"}),
    (Action.VIEW_TEAM_PRIVATE, "team_a", {"member_a", "reviewer", "admin"}),
    (Action.SUBMIT_CHECKPOINT, "team_a", {"member_a"}),
    (Action.LEAD_TEAM, "team_a", {"member_a"}),
    (Action.ENTER_EXPERT_SCORES, None, {"reviewer"}),
    (Action.MANAGE_BUDGET, None, {"admin"}),
    (Action.PUBLISH_RESULTS, None, {"admin"}),
    (Action.MANAGE_STAGES, None, {"admin"}),
    (Action.VIEW_AUDIT, None, {"reviewer", "admin"}),
    (Action.USE_EVALUATION, None, {"member_a", "member_b", "admin"}),
    (Action.REPORT_USAGE, None, {"admin"}),  # a provider's own users: tests/budget/test_permissions.py
    (Action.MANAGE_ARENA, None, {"admin"}),
    (Action.JUDGE_ARENA, None, set()),  # panel members only: tests/arena/test_permissions.py
    (Action.USE_ARENA, None, {"reviewer", "admin"}),  # and panel members
    (Action.VIEW_ARENA_RESULTS, None, {"reviewer", "admin"}),
    (
        Action.AUTHOR_BENCHMARK,
        None,
        set(),
    ),  # a reviewer or admin given the role: tests/evaluation/test_private_benchmarks.py
    # --- #18 ---
    (Action.VIEW_EVALUATION, None, {"member_a", "member_b", "reviewer", "admin"}),
    (Action.MANAGE_TEAM_ROLES, "team_a", {"member_a", "admin"}),  # member_a leads team A
    (Action.MANAGE_ACCOUNT, "member_a", {"member_a", "admin"}),  # one's own tokens and sessions
    # --- #17 ---
    (Action.USE_NOTIFICATIONS, None, {"member_a", "member_b", "reviewer", "admin"}),  # one's own inbox
    (Action.COMPARE_CHECKPOINTS, "team_a", {"member_a", "reviewer", "admin"}),  # a team its own; staff any
    (Action.COMPARE_CHECKPOINTS, None, {"member_a", "member_b", "reviewer", "admin"}),  # may compare at all
    (Action.DECLARE_CONFLICT, "reviewer", {"reviewer", "admin"}),  # the reviewer's own, or an admin
    (Action.FILE_OBJECTION, "team_a", {"member_a"}),  # member_a leads team A
    (Action.ANSWER_OBJECTION, None, {"reviewer", "admin"}),
]


@pytest.mark.parametrize("action,target,allowed", EXPECTED, ids=[e[0].value for e in EXPECTED])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_rights(people, team_a, role, action, target, allowed):
    obj = {
        "team_a": team_a,
        "org_a": team_a.lead_organisation,
        "member_a": people["member_a"],
        "reviewer": people["reviewer"],
        None: None,
    }[target]
    assert can(people[role], action, obj) is (role in allowed)


def test_every_action_has_a_rule_and_a_row_in_this_table():
    assert {row[0] for row in EXPECTED} == set(Action)


def test_require_raises_for_the_refused(people, team_a):
    require(people["member_a"], Action.SUBMIT_CHECKPOINT, team_a)
    with pytest.raises(PermissionDenied):
        require(people["member_b"], Action.SUBMIT_CHECKPOINT, team_a)


def test_a_member_that_left_loses_its_teams_rights(people, team_a, extra_member):
    membership = extra_member(team_a, left_on=datetime.date(2025, 9, 1))
    from tests.support.factories import UserFactory

    former = UserFactory(organisation=membership.organisation)
    assert not can(former, Action.VIEW_TEAM_PRIVATE, team_a)
    assert not can(former, Action.SUBMIT_CHECKPOINT, team_a)


def test_a_non_lead_member_may_submit_but_not_lead(people, team_a, extra_member):
    """A submitter of a non-lead member organisation (what accounts/0004 gave such people)."""
    from tests.support.factories import UserFactory

    member = UserFactory(organisation=extra_member(team_a).organisation)
    assert can(member, Action.SUBMIT_CHECKPOINT, team_a)
    assert not can(member, Action.LEAD_TEAM, team_a)


def test_an_organisation_without_a_persons_role_gives_at_most_viewer(people, team_a):
    from tests.support.factories import UserFactory

    viewer = UserFactory(organisation=team_a.lead_organisation, team_roles={})
    assert can(viewer, Action.VIEW_TEAM_PRIVATE, team_a)
    assert not can(viewer, Action.SUBMIT_CHECKPOINT, team_a)
    assert not can(viewer, Action.LEAD_TEAM, team_a)
    assert not can(viewer, Action.MANAGE_TEAM_ROLES, team_a)


def test_an_eliminated_team_cannot_submit(people, team_a):
    team_a.status = TeamStatus.ELIMINATED
    team_a.save()
    assert not can(people["member_a"], Action.SUBMIT_CHECKPOINT, team_a)
    assert can(people["member_a"], Action.VIEW_TEAM_PRIVATE, team_a)


def test_superuser_is_a_programme_admin(db):
    from tests.support.factories import UserFactory

    assert can(UserFactory(is_superuser=True), Action.MANAGE_REGISTRY)


def test_team_rules_refuse_objects_that_are_not_about_a_team(people, team_a):
    with pytest.raises(TypeError):
        can(people["member_a"], Action.VIEW_TEAM_PRIVATE, team_a.lead_organisation)

    class Orphan:
        team = None
        pk = team_a.pk  # an unrelated id equal to the team's must not count

    assert not can(people["member_a"], Action.VIEW_TEAM_PRIVATE, Orphan())


def test_team_rules_follow_an_objects_team(people, team_a, team_b):
    class Submission:
        def __init__(self, team):
            self.team = team

    assert can(people["member_a"], Action.SUBMIT_CHECKPOINT, Submission(team_a))
    assert not can(people["member_a"], Action.SUBMIT_CHECKPOINT, Submission(team_b))


def test_every_action_is_named_in_the_architecture_document():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    missing = [action.value for action in Action if f"`{action.value}`" not in text]
    assert not missing, f"docs/architecture.md does not list these actions: {missing}"
