"""Pages and API: a panel member sees a pair and never a team; results are for reviewers and
admins; queries are fixed whatever the data size."""

import pytest
from django.test import Client
from django.urls import reverse

from arena.services.campaigns import campaign_close, campaign_result_compute
from arena.services.judgments import judgment_next, judgment_submit
from tests.arena.conftest import SECRET_TEAM_NAMES


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _no_team_in(body: str, campaign) -> None:
    for secret in SECRET_TEAM_NAMES + tuple(f"secret-ckpt-{s}" for s in ("team-a", "team-b", "team-c")):
        assert secret not in body, secret
    for entry in campaign.entries.all():
        assert f"/teams/{entry.team.slug}" not in body


def test_the_judging_page_and_api_never_reveal_authorship(panelist, campaign, people, api_client):
    user = panelist(quota=6)
    client = client_for(user)
    for _ in range(3):
        page = client.get(reverse("arena-judge", args=[campaign.slug]))
        assert page.status_code == 200
        body = page.content.decode()
        _no_team_in(body, campaign)
        assert 'id="answer-a"' in body and 'id="answer-b"' in body
        judgment = campaign.judgments.get(verdict="")
        client.post(reverse("arena-judge", args=[campaign.slug]), {"judgment": judgment.pk, "verdict": "left"})
    api_client.force_authenticate(user)
    for _ in range(3):
        answer = api_client.post(reverse("api:arena-campaign-next", args=[campaign.slug]))
        assert answer.status_code == 200
        _no_team_in(answer.content.decode(), campaign)
        assert set(answer.json()["pair"]) == {"judgment", "category", "prompt", "answer_a", "answer_b"}
        done = api_client.post(
            reverse("api:arena-campaign-judge", args=[campaign.slug]),
            {"judgment": answer.json()["pair"]["judgment"], "verdict": "tie"},
            format="json",
        )
        assert done.status_code == 200 and done.json()["judged"] >= 4
    for name in ("api:arena-campaign-list", "api:arena-campaign-detail"):
        args = [campaign.slug] if name.endswith("detail") else []
        answer = api_client.get(reverse(name, args=args))
        assert answer.status_code == 200
        _no_team_in(answer.content.decode(), campaign)
    assert client.get(reverse("arena-list")).status_code == 200
    _no_team_in(client.get(reverse("arena-list")).content.decode(), campaign)
    # Results, the panel list and the audit log are closed to panel members, before and after closing.
    for url in (reverse("arena-result", args=[campaign.slug]),):
        assert client.get(url).status_code == 403
    for name in ("api:arena-campaign-result", "api:arena-campaign-panel"):
        assert api_client.get(reverse(name, args=[campaign.slug])).status_code == 403
    assert api_client.get(reverse("api:arena-prompt-set-list")).status_code == 403


def test_team_members_and_the_public_see_nothing_of_a_campaign(people, campaign, api_client):
    for role in ("member_a", "member_b"):
        client = client_for(people[role])
        assert client.get(reverse("arena-list")).status_code == 403
        assert client.get(reverse("arena-result", args=[campaign.slug])).status_code == 403
        assert client.get(reverse("arena-judge", args=[campaign.slug])).status_code == 403
        api_client.force_authenticate(people[role])
        assert api_client.get(reverse("api:arena-campaign-list")).status_code == 403
    assert Client().get(reverse("arena-list")).status_code == 302


def test_result_page_and_api_answer_in_fixed_queries(people, panelist, campaign, team_a, django_assert_max_num_queries):
    for user in (panelist(quota=10), panelist(quota=10)):
        for _ in range(10):
            judgment = judgment_next(actor=user, campaign=campaign)
            judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict="left")
    campaign_result_compute(campaign=campaign)
    client = client_for(people["reviewer"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("arena-result", args=[campaign.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "chart-strengths" in body and team_a.name_ko in body
    client = client_for(people["admin"])
    with django_assert_max_num_queries(10):
        answer = client.get(reverse("api:arena-campaign-result", args=[campaign.slug]))
    assert answer.status_code == 200 and answer.json()["result"]["judgments"] == 20


def test_closing_from_the_page_updates_the_stage(people, panelist, campaign, stage):
    user = panelist(quota=5)
    for _ in range(5):
        judgment = judgment_next(actor=user, campaign=campaign)
        judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict="right")
    client = client_for(people["admin"])
    response = client.post(reverse("arena-close", args=[campaign.slug]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.is_closed
    stage_page = client.get(reverse("stage-detail", args=[stage.slug])).content.decode()
    assert "user:usefulness" not in stage_page


def test_a_panel_member_sees_a_closed_campaign_as_closed(people, panelist, campaign):
    user = panelist(quota=2)
    judgment = judgment_next(actor=user, campaign=campaign)
    judgment_submit(actor=user, campaign=campaign, judgment_id=judgment.pk, verdict="tie")
    campaign_close(actor=people["admin"], campaign=campaign)
    page = client_for(user).get(reverse("arena-judge", args=[campaign.slug]))
    assert page.status_code == 200 and 'id="not-open"' in page.content.decode()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_pages_render_in_both_languages(people, campaign, lang):
    campaign_result_compute(campaign=campaign)
    client = client_for(people["admin"])
    client.cookies["django_language"] = lang
    assert client.get(reverse("arena-result", args=[campaign.slug])).status_code == 200


def test_the_admin_lists_the_arena_read_only(people, campaign):
    client = client_for(people["admin"])
    for model in ("promptset", "campaign", "generationjob"):
        assert client.get(f"/admin/arena/{model}/").status_code == 200
    assert client.get("/admin/arena/campaign/add/").status_code == 403


def test_the_judging_page_answers_in_fixed_queries(panelist, campaign, django_assert_max_num_queries):
    client = client_for(panelist(quota=30))
    url = reverse("arena-judge", args=[campaign.slug])
    for _ in range(2):  # a new pair each time, whatever was judged before
        with django_assert_max_num_queries(18):
            assert client.get(url).status_code == 200
        judgment = campaign.judgments.get(verdict="")
        client.post(url, {"judgment": judgment.pk, "verdict": "tie"})
    client.get(url)  # a new pair
    with django_assert_max_num_queries(13):  # the open pair, shown again
        assert client.get(url).status_code == 200


def test_an_admin_uploads_a_prompt_set_and_creates_a_campaign_from_the_page(
    people, stage, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from arena.models import Campaign, PromptSet

    client = client_for(people["admin"])
    csv = "key,category,text\nq1,law,계약서에는 무엇이 들어가나요?\nq2,coding,정렬 코드를 써 주세요.\n".encode()
    response = client.post(
        reverse("arena-prompt-set-upload"),
        {"slug": "ko-set", "title": "Korean set", "file": SimpleUploadedFile("p.csv", csv, "text/csv")},
    )
    assert response.status_code == 302
    prompt_set = PromptSet.objects.get(slug="ko-set")
    assert prompt_set.version == 1 and prompt_set.prompts.count() == 2 and len(prompt_set.digest) == 64
    bad = client.post(
        reverse("arena-prompt-set-upload"),
        {"slug": "ko-set", "title": "x", "file": SimpleUploadedFile("p.csv", b"key,category,text\nq1,sports,x\n")},
        follow=True,
    )
    assert PromptSet.objects.filter(slug="ko-set").count() == 1 and '<li class="error">' in bad.content.decode()
    with django_capture_on_commit_callbacks() as sent:
        client.post(
            reverse("arena-campaign-new"),
            {"stage": stage.pk, "prompt_set": prompt_set.pk, "slug": "panel-x", "name_ko": "패널", "name_en": "Panel"},
        )
    campaign = Campaign.objects.get(slug="panel-x")
    assert campaign.entries.count() == 3 and len(sent) == 3  # one generation job per team
    page = client.get(reverse("arena-result", args=["panel-x"])).content.decode()
    assert 'id="generation"' in page
