"""Conflicts of interest: a reviewer affiliated with a team, or who declared a conflict with it, may not
score it — in the service, so the page and the API refuse alike — and every step is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from accounts.models import TeamRole
from audit.models import AuditEvent
from governance.models import ConflictOfInterest
from governance.selectors import conflicts_of
from governance.services import conflict_declare
from stages.models import ExpertScore, ExpertSubmission
from stages.services.scores import expert_scores_save

CRITERIA = ("technology", "report", "sovereignty")


def _scores(teams, value=7):
    return {(team.pk, key): value for team in teams for key in CRITERIA}


def test_a_declared_conflict_bars_the_reviewer_from_that_team_and_is_audited(stage, people, team_a, team_b, team_c):
    reviewer = people["reviewer"]
    conflict = conflict_declare(actor=reviewer, reviewer=reviewer, team=team_a, reason="Former adviser to Team A")
    event = AuditEvent.objects.get(action="governance.conflict_declare")
    assert (event.actor, event.target_id, event.after["team_slug"]) == (reviewer, str(conflict.pk), "team-a")

    with pytest.raises(ValidationError, match="Former adviser"):
        expert_scores_save(actor=reviewer, stage=stage, scores=_scores([team_a, team_b, team_c]))
    assert not ExpertScore.objects.filter(reviewer=reviewer).exists()
    refused = AuditEvent.objects.get(action="stage.expert_conflict_refused")
    assert refused.after["teams"] == [team_a.pk]

    # The other teams only: saved, and submitting needs no score for team A.
    expert_scores_save(actor=reviewer, stage=stage, scores=_scores([team_b, team_c]), submit=True)
    assert ExpertSubmission.objects.filter(reviewer=reviewer, stage=stage).exists()
    assert set(ExpertScore.objects.filter(reviewer=reviewer).values_list("team_id", flat=True)) == {
        team_b.pk,
        team_c.pk,
    }


def test_an_organisation_membership_bars_the_reviewer(stage, people, team_a, team_b, team_c, extra_member):
    reviewer = people["reviewer"]
    reviewer.organisation = extra_member(team_b).organisation
    reviewer.save()
    assert set(conflicts_of(reviewer)) == {team_b.pk}
    with pytest.raises(ValidationError, match="member of this team"):
        expert_scores_save(actor=reviewer, stage=stage, scores=_scores([team_b]))


def test_a_team_role_bars_the_reviewer(stage, people, team_c):
    reviewer = people["reviewer"]
    TeamRole.objects.create(user=reviewer, team=team_c, role="viewer")
    with pytest.raises(ValidationError, match="role in this team"):
        expert_scores_save(actor=reviewer, stage=stage, scores=_scores([team_c]))


def test_a_draft_from_before_the_conflict_is_withdrawn(stage, people, team_a, team_b):
    reviewer = people["reviewer"]
    expert_scores_save(actor=reviewer, stage=stage, scores=_scores([team_a, team_b]))
    conflict_declare(actor=people["admin"], reviewer=reviewer, team=team_a, reason="Recorded by the admin")
    assert set(ExpertScore.objects.filter(reviewer=reviewer).values_list("team_id", flat=True)) == {team_b.pk}
    event = AuditEvent.objects.get(action="governance.conflict_declare")
    assert (event.actor, event.after["scores_withdrawn"]) == (people["admin"], 3)


def test_who_may_declare(people, team_a):
    reviewer, admin = people["reviewer"], people["admin"]
    with pytest.raises(PermissionDenied):  # a member firm's person is no reviewer
        conflict_declare(actor=people["member_a"], reviewer=reviewer, team=team_a, reason="x")
    with pytest.raises(ValidationError, match="not one"):  # an admin records conflicts of reviewers only
        conflict_declare(actor=admin, reviewer=people["member_b"], team=team_a, reason="x")
    with pytest.raises(ValidationError, match="Say what"):
        conflict_declare(actor=reviewer, reviewer=reviewer, team=team_a, reason="  ")
    conflict_declare(actor=reviewer, reviewer=reviewer, team=team_a, reason="Shares held")
    with pytest.raises(ValidationError, match="already declared"):
        conflict_declare(actor=admin, reviewer=reviewer, team=team_a, reason="again")
    assert ConflictOfInterest.objects.count() == 1


def test_the_api_refuses_a_conflicted_score_too(stage, people, team_a):
    reviewer = people["reviewer"]
    conflict_declare(actor=reviewer, reviewer=reviewer, team=team_a, reason="Co-founder")
    client = APIClient()
    client.force_authenticate(reviewer)
    response = client.post(
        f"/api/stages/{stage.slug}/expert-scores/",
        {"scores": [{"team": "team-a", "criterion": "technology", "score": "5"}], "submit": False},
        format="json",
    )
    assert response.status_code == 400
    assert "Co-founder" in str(response.json())
    assert not ExpertScore.objects.exists()


def test_the_page_shows_the_conflict_and_refuses_a_crafted_post(client, stage, people, team_a, team_b):
    reviewer = people["reviewer"]
    conflict_declare(actor=reviewer, reviewer=reviewer, team=team_a, reason="Former employer")
    client.force_login(reviewer)
    page = client.get(f"/stages/{stage.slug}/expert-scores/").content.decode()
    assert "Former employer" in page
    assert f'name="score-{team_a.pk}-technology"' not in page  # no input for the conflicted team
    assert f'name="score-{team_b.pk}-technology"' in page
    response = client.post(f"/stages/{stage.slug}/expert-scores/", {f"score-{team_a.pk}-technology": "5"}, follow=True)
    assert "Former employer" in response.content.decode()
    assert not ExpertScore.objects.exists()


def test_the_report_counts_the_reviewers_of_each_team(official_results, people, team_a, team_b, team_c):
    from stages.services.stages import stage_finalise
    from tests.support.factories import UserFactory

    reviewer = people["reviewer"]
    second = UserFactory(username="reviewer-2")
    second.groups.add(*reviewer.groups.all())
    conflict_declare(actor=second, reviewer=second, team=team_a, reason="Relative works there")
    expert_scores_save(actor=reviewer, stage=official_results, scores=_scores([team_a, team_b, team_c]), submit=True)
    expert_scores_save(actor=second, stage=official_results, scores=_scores([team_b, team_c]), submit=True)
    stage_finalise(actor=people["admin"], stage=official_results)
    from django.test import Client

    page = Client().get(f"/stages/{official_results.slug}/report/").content.decode()
    counts = dict(__import__("re").findall(r'data-team="([\w-]+)".*?data-reviewers="(\d+)"', page, flags=16))
    assert counts == {"team-a": "1", "team-b": "2", "team-c": "2"}
    assert APIClient().get(f"/api/stages/{official_results.slug}/result/").json()["reviewers"] == {
        "team-a": 1,
        "team-b": 2,
        "team-c": 2,
    }
