"""The user-evaluation journey in a browser: a panel member judges five pairs without ever seeing a
team's name; an admin sees the panel and the result chart, closes the campaign, and the stage's
user part changes to the campaign's mapped result. (No worker: the answers are stored directly.)"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arena.services.campaigns import campaign_create
from arena.services.generation import answers_store
from arena.services.panel import panel_member_invite
from arena.services.prompt_sets import prompt_set_create
from stages.models import Nomination, NominationStatus
from stages.services.stages import stage_create
from tests.arena.conftest import make_prompts
from tests.support.factories import ProgrammeFactory, TeamFactory, UserFactory
from tests.support.results_builder import make_checkpoint, make_suite_version

from .conftest import Visitor
from .helpers import in_language, plotted


@pytest.fixture
def arena(transactional_db, live_server, people, team_a, team_b):
    team_c = TeamFactory(slug="team-c", name_en="Team C", name_ko="팀 C")
    for team, name_ko in ((team_a, "팀 A"), (team_b, "팀 B")):
        team.name_ko = name_ko
        team.save(update_fields=["name_ko"])
    teams = [team_a, team_b, team_c]
    stage = stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="stage-1",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=2,
        suite_version=make_suite_version(),
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=teams,
        bootstrap_samples=50,
    )
    for team in teams:
        checkpoint = make_checkpoint(team)
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            nominated_at=timezone.now(),
            manifest_digest=checkpoint.manifest_digest,
            status=NominationStatus.ACCEPTED,
        )
    prompt_set = prompt_set_create(actor=people["admin"], slug="ko", title="Korean", prompts=make_prompts(2))
    campaign = campaign_create(
        actor=people["admin"],
        stage=stage,
        prompt_set=prompt_set,
        slug="panel-1",
        name_ko="사용자 평가",
        name_en="User evaluation",
        generate=False,
        bootstrap_rounds=200,
    )
    keys = list(prompt_set.prompts.values_list("key", flat=True))
    for entry in campaign.entries.all():
        answers_store(entry=entry, answers={k: f"답변 {k} ({entry.pk * 37 % 97})" for k in keys})
    judge = UserFactory(username="judge")
    panel_member_invite(actor=people["admin"], campaign=campaign, user=judge, quota=5)
    return {
        "url": live_server.url,
        "people": people,
        "stage": stage,
        "campaign": campaign,
        "judge": judge,
        "teams": teams,
    }


def _user_part_by_team(page) -> dict[str, str]:
    """The stage result table's user-evaluation column, per team slug."""
    headers = page.locator("#stage-result thead th").all_inner_texts()
    column = next(i for i, text in enumerate(headers) if text.startswith(in_language("ko", "User evaluation")))
    out = {}
    for row in page.locator("#stage-result tbody tr").all():
        out[row.get_attribute("data-team")] = row.locator("td").nth(column).inner_text().strip()
    return out


def test_a_panel_member_judges_five_pairs_and_an_admin_closes_the_campaign(arena, browser, screenshot):
    opened = []

    def visitor(user):
        opened.append(Visitor(browser, arena["url"]))
        return opened[-1].log_in(user).page

    try:
        judge = visitor(arena["judge"])
        judge.goto("/arena/")
        judge.locator("#campaigns a.judge-link").click()
        secrets = [name for t in arena["teams"] for name in (t.name_ko, t.name_en, t.slug)]
        for n in range(5):
            expect(judge.locator("#answer-a")).to_be_visible()
            body = judge.locator("main").inner_text()
            assert not [s for s in secrets if s in body], "a team's name on the judging page"
            if n == 0:
                screenshot(judge, "arena-judge")
            judge.fill("#comment", "비교했습니다")
            judge.locator(f"#verdict-{('left', 'right', 'tie', 'left', 'both_bad')[n]}").click()
            expect(judge.locator("ul.messages li.success")).to_be_visible()
        expect(judge.locator("#done")).to_be_visible()
        expect(judge.locator("#progress")).to_contain_text("5")

        admin = visitor(arena["people"]["admin"])
        stage = arena["stage"]
        admin.goto(f"/stages/{stage.slug}/")
        before = _user_part_by_team(admin)
        assert set(before.values()) == {"0.00"}
        admin.goto(f"/arena/{arena['campaign'].slug}/")
        expect(admin.locator("#panel tbody tr")).to_have_count(1)
        expect(admin.locator("#panel tbody tr").first).to_contain_text("5 / 5")
        admin.locator("#close-campaign").click()  # confirms (accepted)
        expect(admin.locator("ul.messages li.success")).to_be_visible()
        expect(admin.locator("#chart-strengths .main-svg").first).to_be_attached()
        assert len(plotted(admin, "chart-strengths")[0]["x"]) == 3
        arena_points = admin.locator("#result-table td.user-points").all_inner_texts()
        screenshot(admin, "arena-result", full_page=True)

        admin.goto(f"/stages/{stage.slug}/")
        after = _user_part_by_team(admin)
        assert after != before
        assert sorted(after.values()) == sorted(arena_points)
        # After closing, the panel member's page says so and still shows no team.
        judge.goto(f"/arena/{arena['campaign'].slug}/judge/")
        expect(judge.locator("#not-open")).to_be_visible()
    finally:
        for opened_visitor in opened:
            opened_visitor.context.close()
