"""Rights per person (#18): within a member organisation a person is a lead, a submitter or a
viewer; belonging to the organisation alone gives at most viewer rights. The team's lead or an
admin grants and ends roles, audited; one role per person per team at a time."""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import TeamRole
from accounts.selectors import signed_in_user
from accounts.services.team_roles import team_role_end, team_role_grant
from audit.models import AuditEvent
from core.permissions import Action, can
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
RIGHTS = (Action.VIEW_TEAM_PRIVATE, Action.SUBMIT_CHECKPOINT, Action.LEAD_TEAM, Action.MANAGE_TEAM_ROLES)


def _rights(user, team) -> set[str]:
    fresh = signed_in_user(user.pk)  # as the next request reads it (one statement)
    return {action.value for action in RIGHTS if can(fresh, action, team)}


@pytest.fixture
def firm(team_a, extra_member):
    """A member organisation of team A with one person of each kind."""
    organisation = extra_member(team_a).organisation
    return {
        "viewer": UserFactory(username="firm-viewer", organisation=organisation, team_roles={}),
        "submitter": UserFactory(
            username="firm-submitter", organisation=organisation, team_roles={team_a: "submitter"}
        ),
        "lead": UserFactory(username="firm-lead", organisation=organisation, team_roles={team_a: "lead"}),
    }


def test_each_team_role_gives_exactly_its_rights(team_a, firm):
    assert _rights(firm["viewer"], team_a) == {"view_team_private"}
    assert _rights(firm["submitter"], team_a) == {"view_team_private", "submit_checkpoint"}
    assert _rights(firm["lead"], team_a) == {"view_team_private", "submit_checkpoint", "lead_team", "manage_team_roles"}


def test_an_organisation_alone_gives_nothing_when_the_default_role_is_none(settings, team_a, firm):
    settings.TEAM_MEMBER_DEFAULT_ROLE = "none"
    assert _rights(firm["viewer"], team_a) == set()
    assert _rights(firm["submitter"], team_a) == {"view_team_private", "submit_checkpoint"}


def test_a_role_counts_only_while_the_organisation_is_a_member(team_a, firm):
    membership = team_a.memberships.get(organisation=firm["lead"].organisation)
    membership.left_on = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    assert _rights(firm["lead"], team_a) == set()


def test_a_lead_grants_changes_and_ends_roles_audited(team_a, firm):
    viewer = firm["viewer"]
    first = team_role_grant(actor=firm["lead"], team=team_a, user=viewer, role="submitter")
    assert _rights(viewer, team_a) == {"view_team_private", "submit_checkpoint"}
    second = team_role_grant(actor=firm["lead"], team=team_a, user=viewer, role="lead")
    first.refresh_from_db()
    assert first.ended_at == second.granted_at and first.ended_by == firm["lead"]
    assert "lead_team" in _rights(viewer, team_a)
    team_role_end(actor=firm["lead"], grant=second)
    assert _rights(viewer, team_a) == {"view_team_private"}  # back to what the organisation gives
    assert list(
        AuditEvent.objects.filter(action__startswith="team_role.").values_list("action", flat=True).order_by("seq")
    ) == ["team_role.grant", "team_role.end", "team_role.grant", "team_role.end"]


def test_only_the_teams_lead_or_an_admin_manages_roles(people, team_a, team_b, firm):
    for actor in (firm["submitter"], firm["viewer"], people["reviewer"], people["member_b"]):
        with pytest.raises(PermissionDenied):
            team_role_grant(actor=actor, team=team_a, user=firm["viewer"], role="submitter")
    team_role_grant(actor=people["admin"], team=team_a, user=firm["viewer"], role="submitter")
    assert not can(firm["lead"], Action.MANAGE_TEAM_ROLES, team_b)


def test_a_role_needs_a_person_of_a_member_organisation(people, team_a):
    outsider = UserFactory(organisation=OrganisationFactory())
    with pytest.raises(ValidationError):
        team_role_grant(actor=people["admin"], team=team_a, user=outsider, role="viewer")
    with pytest.raises(ValidationError):
        team_role_grant(actor=people["admin"], team=team_a, user=people["reviewer"], role="viewer")


def test_the_database_refuses_two_open_roles_in_one_team(team_a, firm):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamRole.objects.create(user=firm["submitter"], team=team_a, role="lead")


def test_the_database_refuses_overlapping_periods(team_a, firm):
    """PostgreSQL exclusion constraint (accounts/0004): a closed grant cannot overlap another."""
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamRole.objects.create(
            user=firm["submitter"],
            team=team_a,
            role="lead",
            granted_at=now - datetime.timedelta(days=2),
            ended_at=now + datetime.timedelta(days=1),
        )


def test_the_people_page_grants_and_ends(client, team_a, firm):
    client.force_login(firm["lead"])
    page = client.get(f"/accounts/teams/{team_a.slug}/roles/")
    assert page.status_code == 200 and "firm-viewer" in page.content.decode()
    assert (
        client.post(
            f"/accounts/teams/{team_a.slug}/roles/", {"user": firm["viewer"].pk, "role": "submitter"}
        ).status_code
        == 302
    )
    grant = TeamRole.objects.in_force().get(user=firm["viewer"], team=team_a)
    assert client.post(f"/accounts/teams/{team_a.slug}/roles/{grant.pk}/end/").status_code == 302
    assert not TeamRole.objects.in_force().filter(user=firm["viewer"], team=team_a).exists()


def test_the_people_page_reads_in_a_fixed_number_of_queries(client, team_a, firm, django_assert_max_num_queries):
    client.force_login(firm["lead"])
    client.get(f"/accounts/teams/{team_a.slug}/roles/")
    for n in range(10):
        UserFactory(organisation=firm["viewer"].organisation, team_roles={team_a: "viewer"})
    with django_assert_max_num_queries(9):
        assert client.get(f"/accounts/teams/{team_a.slug}/roles/").status_code == 200


def test_existing_people_keep_what_they_could_do(people, team_a, extra_member):
    """accounts/0004: people of the lead organisation lead, people of other members submit."""
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_team_roles_and_tokens_carried_over")
    other = extra_member(team_a).organisation
    lead_person = UserFactory(organisation=team_a.lead_organisation, team_roles={})
    member_person = UserFactory(organisation=other, team_roles={})
    former = extra_member(team_a, left_on=datetime.date(2025, 9, 1)).organisation
    former_person = UserFactory(organisation=former, team_roles={})
    TeamRole.objects.all().delete()
    migration.roles_forwards(apps, None)
    assert _rights(lead_person, team_a) == {"view_team_private", "submit_checkpoint", "lead_team", "manage_team_roles"}
    assert _rights(member_person, team_a) == {"view_team_private", "submit_checkpoint"}
    assert not TeamRole.objects.filter(user=former_person).exists()


def test_signed_in_user_reads_the_roles_as_the_orm_does(team_a, firm):
    from core.permissions import team_roles_of

    ended = TeamRole.objects.get(user=firm["submitter"])
    team_role_end(actor=None, grant=ended)
    for person in firm.values():
        fresh = type(person).objects.get(pk=person.pk)
        assert team_roles_of(signed_in_user(person.pk)) == team_roles_of(fresh)
    assert team_roles_of(signed_in_user(firm["lead"].pk)) == {team_a.pk: "lead"}
    assert team_roles_of(signed_in_user(firm["submitter"].pk)) == {}


def test_demo_member_users_lead_their_organisations_teams(db):
    from django.core.management import call_command

    from accounts.models import User
    from consortium.models import Team

    call_command("seed_programme", stdout=open("/dev/null", "w"))
    call_command("create_demo_users", stdout=open("/dev/null", "w"))
    lg = Team.objects.get(lead_organisation__slug="lg-ai-research")
    assert "lead_team" in _rights(User.objects.get(username="lg-lead"), lg)
    upstage = Team.objects.get(lead_organisation__slug="upstage")
    assert "submit_checkpoint" in _rights(User.objects.get(username="upstage-member"), upstage)
