"""Campaigns end to end through the services: pairs, quotas, affiliation, exclusion, closing into
the stage's user part, audit rows."""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arena.models import CampaignStatus, Judgment, Verdict
from arena.services.campaigns import campaign_close, evaluator_code
from arena.services.judgments import judgment_next, judgment_submit
from arena.services.panel import panel_member_exclude
from audit.models import AuditEvent
from stages.inputs import stage_inputs
from stages.models import UserScore
from stages.scoring import compute_outcome
from stages.services.scores import user_scores_import


def judge(user, campaign, n, pick=lambda j: random.choice(Verdict.values)):
    done = []
    for _ in range(n):
        judgment = judgment_next(actor=user, campaign=campaign)
        if judgment is None:
            break
        done.append(judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict=pick(judgment)))
    return done


def prefer_lower_team_id(judgment):
    return Verdict.LEFT if judgment.left_team_id < judgment.right_team_id else Verdict.RIGHT


def test_answers_stored_open_the_campaign_for_judging(campaign):
    assert campaign.status == CampaignStatus.JUDGING
    assert campaign.entries.count() == 3


def test_a_panel_member_judges_up_to_the_quota_and_pairs_spread_evenly(panelist, campaign):
    user = panelist(quota=15)
    done = judge(user, campaign, 40)
    assert len(done) == 15
    assert judgment_next(actor=user, campaign=campaign) is None
    pairs = {}
    for j in done:
        key = tuple(sorted((j.left_team_id, j.right_team_id)))
        pairs[key] = pairs.get(key, 0) + 1
        assert j.left_team_id != j.right_team_id
    assert len(pairs) == 3 and max(pairs.values()) - min(pairs.values()) <= 1
    categories = {j.category for j in done}
    assert len(categories) == 5
    assert len({j.prompt_id for j in done}) == 15  # fresh prompts while there are any


def test_the_open_pair_is_shown_again_until_judged(panelist, campaign):
    user = panelist()
    first = judgment_next(actor=user, campaign=campaign)
    assert judgment_next(actor=user, campaign=campaign).pk == first.pk


def test_an_affiliated_judge_never_sees_their_own_team(panelist, campaign, team_a, extra_member):
    organisation = extra_member(team_a).organisation
    user = panelist(organisation=organisation, quota=40)
    done = judge(user, campaign, 40)
    assert len(done) == 20  # 20 prompts × the one pair without team A, then nothing is left
    assert judgment_next(actor=user, campaign=campaign) is None
    assert all(team_a.pk not in (j.left_team_id, j.right_team_id) for j in done)


def test_only_the_panel_member_may_judge(people, panelist, campaign):
    user = panelist()
    for outsider in ("member_a", "reviewer", "admin"):
        with pytest.raises(PermissionDenied):
            judgment_next(actor=people[outsider], campaign=campaign)
    judgment = judgment_next(actor=user, campaign=campaign)
    other = panelist()
    with pytest.raises(ValidationError):
        judgment_submit(actor=other, campaign=campaign, judgment_id=judgment.pk, verdict="left")


def test_a_verdict_is_audited_once_and_final(panelist, campaign):
    user = panelist()
    judgment = judgment_next(actor=user, campaign=campaign)
    judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict="tie", comment="비슷함")
    with pytest.raises(ValidationError):
        judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict="left")
    event = AuditEvent.objects.filter(action="arena.judgment").get()
    assert event.after["verdict"] == "tie" and event.after["comment"] == "비슷함"
    assert "team" not in str(event.after)


def test_admins_and_reviewers_cannot_sit_on_a_panel(people, campaign):
    from arena.services.panel import panel_member_invite

    for role in ("admin", "reviewer"):
        with pytest.raises(ValidationError):
            panel_member_invite(actor=people["admin"], campaign=campaign, user=people[role])


def test_closing_fills_the_stages_user_part_with_the_mapped_result(people, panelist, campaign, stage):
    random.seed(4)
    for _ in range(3):
        judge(panelist(quota=20), campaign, 20, pick=prefer_lower_team_id)
    result = campaign_close(actor=people["admin"], campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    outcome = compute_outcome(stage_inputs(stage, with_samples=False))
    mapped = {row["team"]: row for row in result.data["mapping"]["teams"]}
    for row in outcome["rows"]:
        assert row["parts"]["user"] == pytest.approx(mapped[row["team"]]["points"], abs=1e-6)
        assert "user:usefulness" not in row["missing"]
    by_team = {row["team"]: row["parts"]["user"] for row in outcome["rows"]}
    ordered = sorted(by_team, key=by_team.get, reverse=True)
    assert ordered == sorted(by_team)  # the lower team id was always preferred
    assert set(UserScore.objects.filter(stage=stage).values_list("evaluator", flat=True)) == {evaluator_code(campaign)}
    assert AuditEvent.objects.filter(action="arena.campaign.close").count() == 1
    with pytest.raises(ValidationError):
        campaign_close(actor=people["admin"], campaign=campaign)


def test_a_stage_takes_its_user_part_from_one_source(people, panelist, campaign, stage, team_a):
    judge(panelist(), campaign, 5)
    user_scores_import(
        actor=people["admin"], stage=stage, text="evaluator,team,criterion,score\nE1,team-a,accuracy,4\n"
    )
    with pytest.raises(ValidationError):
        campaign_close(actor=people["admin"], campaign=campaign)


def test_an_excluded_member_leaves_the_result(people, panelist, campaign):
    honest, biased = panelist(quota=20), panelist(quota=20)
    judge(honest, campaign, 20, pick=prefer_lower_team_id)
    judge(biased, campaign, 20, pick=lambda j: "left")
    seat = biased.panel_seats.get()
    with pytest.raises(ValidationError):
        panel_member_exclude(actor=people["admin"], seat=seat, reason="  ")
    panel_member_exclude(actor=people["admin"], seat=seat, reason="always picks A")
    with pytest.raises(PermissionDenied):
        judgment_next(actor=biased, campaign=campaign)
    result = campaign_close(actor=people["admin"], campaign=campaign)
    assert result.data["judgments"] == 20 and result.data["excluded_members"] == [seat.code]


def test_integrity_flags(people, panelist, campaign):
    from arena.selectors import panel_with_flags

    honest = [panelist(quota=20) for _ in range(3)]
    for user in honest:
        judge(user, campaign, 20, pick=prefer_lower_team_id)
    same_side = panelist(quota=20)
    judge(same_side, campaign, 20, pick=lambda j: "left")
    contrarian = panelist(quota=20)
    judge(contrarian, campaign, 20, pick=lambda j: Verdict.RIGHT if j.left_team_id < j.right_team_id else Verdict.LEFT)
    Judgment.objects.update(seconds=20.0)  # a test judges instantly: give everyone a human pace
    Judgment.objects.filter(member__user=contrarian).update(seconds=1.0)
    flags = {row["seat"].user_id: row["flags"] for row in panel_with_flags(campaign)}
    assert all(flags[u.pk] == [] for u in honest)
    assert flags[same_side.pk] == ["same_side"]
    assert set(flags[contrarian.pk]) == {"fast", "disagrees"}


def test_a_csv_import_after_a_closed_campaign_is_refused(people, panelist, campaign, stage):
    judge(panelist(), campaign, 3)
    campaign_close(actor=people["admin"], campaign=campaign)
    with pytest.raises(ValidationError):
        user_scores_import(
            actor=people["admin"], stage=stage, text="evaluator,team,criterion,score\nE1,team-a,accuracy,4\n"
        )
