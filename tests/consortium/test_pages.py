"""The overview, team and organisation pages: content, languages, and a fixed query count."""

import pytest
from django.core.management import call_command

from tests.support.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture
def seeded(db):
    call_command("seed_programme")


def test_overview_lists_the_five_teams(client, seeded):
    page = client.get("/").content.decode()
    for name in [
        "LG AI연구원 컨소시엄",
        "네이버클라우드 컨소시엄",
        "업스테이지 컨소시엄",
        "SK텔레콤 컨소시엄",
        "NC AI 컨소시엄",
    ]:
        assert name in page
    assert "엘리스, LG AI연구원 컨소시엄 합류" in page  # the timeline


def test_team_page_shows_lg_members_and_roles(client, seeded):
    page = client.get("/teams/lg-ai-research/").content.decode()
    assert "참여 기관 11곳" in page
    for name in ["LG유플러스", "퓨리오사AI", "프렌들리AI", "엘리스", "뤼튼테크놀로지스"]:
        assert name in page
    assert "2026-02-01" in page
    assert "인프라 / NPU" in page


def test_unknown_team_is_404(client, db):
    assert client.get("/teams/nope/").status_code == 404


class TestLanguage:
    def test_korean_by_default(self, client, seeded):
        page = client.get("/").content.decode()
        assert '<html lang="ko">' in page
        assert "참여 팀" in page and "LG AI연구원 컨소시엄" in page

    def test_switching_to_english_and_back(self, client, seeded):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
        page = response.content.decode()
        assert '<html lang="en">' in page
        assert "Teams" in page and "LG AI Research consortium" in page
        assert "참여 팀" not in page
        page = client.post("/i18n/setlang/", {"language": "ko", "next": "/"}, follow=True).content.decode()
        assert "참여 팀" in page and "Teams</h2>" not in page

    def test_an_english_browser_still_gets_korean_until_it_switches(self, client, seeded):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
        assert '<html lang="ko">' in page

    def test_the_api_follows_accept_language(self, api_client, people):
        api_client.force_authenticate(people["admin"])
        body = {"team": "team-a", "organisation": "nope", "roles": ["data"], "joined_on": "2026-01-01"}
        english = api_client.post("/api/memberships/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        korean = api_client.post("/api/memberships/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko")
        assert english.json()["organisation"] != korean.json()["organisation"]

    def test_english_team_page(self, client, seeded):
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.get("/teams/lg-ai-research/").content.decode()
        assert "11 member organisations" in page and "Infrastructure / NPU" in page


def _grow(teams=3, members_each=6):
    for _ in range(teams):
        team = TeamFactory()
        for _ in range(members_each):
            MembershipFactory(team=team, organisation=OrganisationFactory(), roles=["data", "service"])


class TestQueryCounts:
    """Pages read a fixed number of queries whatever the data size."""

    @pytest.mark.parametrize("url", ["/", "/teams/lg-ai-research/", "/organisations/kaist/"])
    def test_fixed_whatever_the_size(self, client, seeded, django_assert_max_num_queries, url):
        client.force_login(UserFactory(organisation_id=None))
        with django_assert_max_num_queries(8) as small:
            assert client.get(url).status_code == 200
        _grow()
        MembershipFactory(team__slug="extra", organisation__slug="kaist-like")
        from consortium.models import Organisation, Team

        kaist = Organisation.objects.get(slug="kaist")
        for team in Team.objects.exclude(slug__in=["naver-cloud", "upstage", "sk-telecom", "nc-ai"])[:3]:
            MembershipFactory(team=team, organisation=kaist, joined_on="2026-06-01")
        with django_assert_max_num_queries(8) as large:
            assert client.get(url).status_code == 200
        assert len(large.captured_queries) == len(small.captured_queries)


def test_organisation_people_are_shown_only_to_those_allowed(client, db, people, team_a):
    org = team_a.lead_organisation
    url = f"/organisations/{org.slug}/"
    assert "member-a" not in client.get(url).content.decode()
    client.force_login(people["member_b"])
    assert "member-a" not in client.get(url).content.decode()
    client.force_login(people["member_a"])
    assert "member-a" in client.get(url).content.decode()
    client.force_login(people["reviewer"])
    assert "member-a" in client.get(url).content.decode()
