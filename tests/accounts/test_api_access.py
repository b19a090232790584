"""The registry API: who reads, who writes, token auth, schema and docs."""

import pytest

from audit.models import AuditEvent
from consortium.models import Team
from tests.support.factories import OrganisationFactory, api_token_key


@pytest.mark.parametrize("role", ["anonymous", "member_a", "member_b", "reviewer", "admin"])
@pytest.mark.parametrize("url", ["/api/teams/", "/api/organisations/", "/api/memberships/"])
def test_registry_is_readable_by_everyone(api_client, people, role, url):
    if role != "anonymous":
        api_client.force_authenticate(people[role])
    response = api_client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 2


def test_memberships_filter_by_team_and_date(api_client, people, team_a, extra_member):
    import datetime

    extra_member(team_a, joined_on=datetime.date(2026, 2, 1))
    rows = api_client.get("/api/memberships/", {"team": "team-a", "active_on": "2026-01-01"}).json()["results"]
    assert len(rows) == 1 and rows[0]["roles"] == ["lead", "model_development"]
    assert api_client.get("/api/memberships/", {"team": "team-a"}).json()["count"] == 2


def test_token_authentication(client, api_client, people):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(people['admin'])}")
    response = api_client.post(
        "/api/organisations/",
        {"slug": "new-org", "name_ko": "새 기관", "name_en": "New org", "kind": "university"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (
        AuditEvent.objects.get(action="organisation.create", target_repr__in=["새 기관", "New org"]).actor
        == people["admin"]
    )


def test_token_is_issued_for_username_and_password(api_client, people):
    response = api_client.post("/api/auth/token/", {"username": "admin", "password": "pw-for-tests-only"})
    assert response.status_code == 200 and response.json()["token"].startswith("sat_")
    assert response.json()["expires_at"]


@pytest.mark.parametrize("role", ["member_a", "reviewer"])
def test_non_admins_cannot_write_the_registry(api_client, people, team_a, role):
    api_client.force_authenticate(people[role])
    assert api_client.patch(f"/api/teams/{team_a.slug}/", {"model_name": "X"}, format="json").status_code == 403
    assert (
        api_client.post(
            "/api/organisations/", {"slug": "x", "name_ko": "x", "name_en": "x", "kind": "company"}, format="json"
        ).status_code
        == 403
    )


def test_admin_creates_a_team_with_its_lead_membership(api_client, people):
    api_client.force_authenticate(people["admin"])
    lead = OrganisationFactory(slug="motif")
    response = api_client.post(
        "/api/teams/",
        {
            "slug": "motif",
            "programme": "test-programme",
            "name_ko": "모티프 컨소시엄",
            "name_en": "Motif consortium",
            "model_name": "",
            "lead_organisation": "motif",
            "joined_on": "2026-02-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    team = Team.objects.get(slug="motif")
    assert team.memberships.get().organisation == lead


def test_team_status_changes_need_a_reason_and_a_legal_transition(api_client, people, team_a):
    api_client.force_authenticate(people["admin"])
    url = f"/api/teams/{team_a.slug}/status/"
    assert api_client.post(url, {"status": "eliminated", "reason": " "}, format="json").status_code == 400
    response = api_client.post(url, {"status": "eliminated", "reason": "Stage 1 cut"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "eliminated"
    again = api_client.post(url, {"status": "active", "reason": "undo"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert AuditEvent.objects.get(action="team.status").after["reason"] == "Stage 1 cut"


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/memberships/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_api_root_lists_the_endpoints(api_client, db):
    response = api_client.get("/api/")
    assert response.status_code == 200 and "memberships" in response.json()


@pytest.mark.parametrize("url", ["/api/teams/", "/api/organisations/", "/api/memberships/"])
def test_api_lists_read_a_fixed_number_of_queries(
    api_client, people, extra_member, team_a, django_assert_num_queries, django_assert_max_num_queries, url
):
    api_client.force_authenticate(people["reviewer"])
    api_client.get(url)
    with django_assert_max_num_queries(3) as small:
        api_client.get(url)
    for _ in range(15):
        extra_member(team_a)
    with django_assert_num_queries(len(small.captured_queries)):
        api_client.get(url)
