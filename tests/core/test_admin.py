"""The Django admin obeys core.permissions and writes through the audited services."""

import pytest

from accounts.models import User
from audit.models import AuditEvent
from consortium.models import Organisation, Team
from core.roles import Role, role_of


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def test_programme_admin_gets_in_without_being_superuser(admin_client, people):
    assert not people["admin"].is_superuser
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/consortium/team/").status_code == 200


@pytest.mark.parametrize("role", ["member_a", "reviewer"])
def test_others_are_kept_out_even_with_staff_flag(client, people, role):
    user = people[role]
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get("/admin/consortium/organisation/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_change_in_the_admin_is_audited(admin_client, people, team_a):
    org = team_a.lead_organisation
    before = AuditEvent.objects.count()
    response = admin_client.post(
        f"/admin/consortium/organisation/{org.pk}/change/",
        {"name_ko": org.name_ko, "name_en": "Changed in admin", "kind": org.kind},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).name_en == "Changed in admin"
    event = AuditEvent.objects.get(seq=before + 1)
    assert event.action == "organisation.update" and event.actor == people["admin"]
    assert (event.before["name_en"], event.after["name_en"]) == (org.name_en, "Changed in admin")


def test_a_team_added_in_the_admin_gets_its_lead_membership(admin_client, team_a):
    lead = Organisation.objects.create(slug="new-lead", name_ko="새 주관", name_en="New lead", kind="company")
    response = admin_client.post(
        "/admin/consortium/team/add/",
        {
            "programme": team_a.programme_id,
            "slug": "new-team",
            "name_ko": "새 팀",
            "name_en": "New team",
            "model_name": "",
            "lead_organisation": lead.pk,
            "joined_on": "2026-02-20",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    team = Team.objects.get(slug="new-team")
    assert team.memberships.get().role_codes == ["lead", "model_development"]
    assert AuditEvent.objects.filter(
        action__in=["team.create", "membership.create"], target_repr__contains="새"
    ).exists()


def test_roles_are_given_in_the_admin_and_audited(admin_client, people):
    member = people["member_b"]
    response = admin_client.post(
        f"/admin/accounts/user/{member.pk}/change/",
        {
            "first_name": "",
            "last_name": "",
            "email": "b@example.kr",
            "organisation": member.organisation_id,
            "role": "reviewer",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member = User.objects.get(pk=member.pk)
    assert role_of(member) == Role.REVIEWER
    event = AuditEvent.objects.get(action="user.update")
    assert (event.before["role"], event.after["role"]) == ("member", "reviewer")
    assert event.after["email"] == "b@example.kr"


def test_groups_and_tokens_are_not_edited_by_hand(admin_client):
    assert admin_client.get("/admin/auth/group/").status_code == 404
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_a_user_added_in_the_admin_is_audited_and_can_log_in(admin_client, client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-person",
            "usable_password": "true",
            "password1": "a-Long-pass-phrase-42",
            "password2": "a-Long-pass-phrase-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-person")
    assert AuditEvent.objects.get(action="user.create").target_id == str(user.pk)
    assert user.check_password("a-Long-pass-phrase-42")
