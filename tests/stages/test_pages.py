"""Stage pages and API as each role meets them."""

import pytest
from rest_framework.test import APIClient

from stages.services.scores import expert_scores_save
from stages.services.stages import stage_finalise
from tests.support.factories import UserFactory

CRITERIA = ("technology", "report", "sovereignty")


def _client(user):
    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _second_reviewer():
    from django.contrib.auth.models import Group

    from core.roles import MINISTRY_REVIEWER_GROUP

    reviewer = UserFactory(username="reviewer-2")
    reviewer.groups.add(Group.objects.get(name=MINISTRY_REVIEWER_GROUP))
    return reviewer


@pytest.mark.parametrize(
    "role,sees_result",
    [("anonymous", False), ("member_a", False), ("member_b", False), ("reviewer", True), ("admin", True)],
)
def test_the_provisional_result_is_for_reviewers_and_admins(people, official_results, role, sees_result):
    client = _client(people[role])
    page = client.get(f"/stages/{official_results.slug}/")
    assert page.status_code == 200
    assert (b'id="stage-result"' in page.content) is sees_result
    api = client.get(f"/api/stages/{official_results.slug}/result/")
    assert api.status_code == (200 if sees_result else 404)
    assert client.get(f"/stages/{official_results.slug}/export.csv").status_code == (200 if sees_result else 404)


def test_a_reviewer_sees_the_others_scores_only_after_submitting(people, official_results, team_a, team_b, team_c):
    stage = official_results
    other = _second_reviewer()
    expert_scores_save(
        actor=other, stage=stage, submit=True, scores={(t.pk, c): 7 for t in (team_a, team_b, team_c) for c in CRITERIA}
    )
    client = _client(people["reviewer"])
    before = client.get(f"/api/stages/{stage.slug}/expert-scores/").json()
    assert before == []
    assert b"reviewer-2" not in client.get(f"/stages/{stage.slug}/expert-scores/").content
    response = client.post(
        f"/stages/{stage.slug}/expert-scores/",
        {"submit": "1", **{f"score-{t.pk}-{c}": "8" for t in (team_a, team_b, team_c) for c in CRITERIA}},
    )
    assert response.status_code == 302
    after = client.get(f"/api/stages/{stage.slug}/expert-scores/").json()
    assert {row["reviewer"] for row in after} == {"reviewer", "reviewer-2"}
    assert b"reviewer-2" in client.get(f"/stages/{stage.slug}/expert-scores/").content


def test_members_cannot_reach_expert_scores(people, official_results):
    assert _client(people["member_a"]).get(f"/stages/{official_results.slug}/expert-scores/").status_code == 403
    response = _client(people["member_a"]).post(
        f"/api/stages/{official_results.slug}/expert-scores/", {"scores": [], "submit": False}, format="json"
    )
    assert response.status_code == 403


def test_finalised_result_and_report_are_public_in_both_languages(people, official_results):
    stage = official_results
    stage_finalise(actor=people["admin"], stage=stage)
    client = _client(people["anonymous"])
    report = client.get(f"/stages/{stage.slug}/report/", HTTP_ACCEPT_LANGUAGE="en")
    assert report.status_code == 200 and b"stage-result" in report.content
    client.cookies["django_language"] = "en"
    english = client.get(f"/stages/{stage.slug}/report/").content.decode()
    assert "Advances" in english and "Eliminated" in english
    client.cookies["django_language"] = "ko"
    korean = client.get(f"/stages/{stage.slug}/report/").content.decode()
    assert "진출" in korean and "탈락" in korean
    result = client.get(f"/api/stages/{stage.slug}/result/").json()
    assert result["final"] and len(result["inputs_digest"]) == 64
    xlsx = client.get(f"/stages/{stage.slug}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_api_finalise_and_exclusion_are_admin_only(people, official_results):
    slug = official_results.slug
    assert _client(people["reviewer"]).post(f"/api/stages/{slug}/finalise/").status_code == 403
    bad = _client(people["admin"]).post(
        f"/api/stages/{slug}/exclusions/", {"team": "team-a", "reason": ""}, format="json"
    )
    assert bad.status_code == 400
    ok = _client(people["admin"]).post(
        f"/api/stages/{slug}/exclusions/", {"team": "team-a", "reason": "Derived weights."}, format="json"
    )
    assert ok.status_code == 201
    final = _client(people["admin"]).post(f"/api/stages/{slug}/finalise/").json()
    rows = {r["slug"]: r for r in final["outcome"]["rows"]}
    assert not rows["team-a"]["advances"] and rows["team-a"]["excluded_reason"] == "Derived weights."


def test_a_nominated_rule_leaderboard_shows_the_official_runs(people, official_results, suite_version, team_a):
    from leaderboards.models import RowRule
    from leaderboards.services import leaderboard_create
    from tests.support.results_builder import make_checkpoint, make_run

    # A better, later run that was not nominated must not stand for team A.
    make_run(
        make_checkpoint(team_a, name="not-nominated"),
        suite_version,
        {"nia_mc": 0.99, "global_mc": 0.99, "global_gen": 0.99, "chosen_gen": 0.99},
    )
    leaderboard_create(
        actor=people["admin"],
        slug="stage-1-board",
        name_ko="1차",
        name_en="Stage 1",
        suite_version=suite_version,
        rule=RowRule.NOMINATED,
        stage=official_results,
    )
    rows = [
        r
        for r in _client(people["reviewer"]).get("/api/leaderboards/stage-1-board/").json()["rows"]
        if not r["reference"]
    ]
    nominated = {n.official_run_id for n in official_results.nominations.all()}
    assert {r["run"] for r in rows} == nominated and len(rows) == 3
