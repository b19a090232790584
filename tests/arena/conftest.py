"""A stage with three nominated teams, a small prompt set, a campaign whose answers are stored
(no worker), and a helper that makes panel members."""

import datetime

import pytest
from django.utils import timezone

from arena.models import PromptCategory
from arena.services.campaigns import campaign_create
from arena.services.generation import answers_store
from arena.services.panel import panel_member_invite
from arena.services.prompt_sets import prompt_set_create
from stages.models import Nomination, NominationStatus
from stages.services.stages import stage_create
from tests.support.factories import ProgrammeFactory, TeamFactory, UserFactory
from tests.support.results_builder import make_checkpoint, make_suite_version

SECRET_TEAM_NAMES = ("Team A", "Team B", "Team C", "team-a", "team-b", "team-c")


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def team_c(db):
    return TeamFactory(slug="team-c", name_en="Team C", name_ko="팀 C")


def make_prompts(n_per_category: int = 4) -> list[dict]:
    return [
        {"key": f"{category}-{i:03d}", "category": category, "text": f"{category} 질문 {i}: 어떻게 해야 하나요?"}
        for category in PromptCategory.values
        for i in range(n_per_category)
    ]


@pytest.fixture
def stage(people, team_a, team_b, team_c):
    stage = stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="stage-1",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=2,
        suite_version=make_suite_version(),
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=[team_a, team_b, team_c],
        bootstrap_samples=50,
    )
    for team in (team_a, team_b, team_c):
        checkpoint = make_checkpoint(team, name=f"secret-ckpt-{team.slug}")
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            nominated_at=timezone.now(),
            manifest_digest=checkpoint.manifest_digest,
            status=NominationStatus.ACCEPTED,
        )
    return stage


@pytest.fixture
def prompt_set(people):
    return prompt_set_create(
        actor=people["admin"], slug="ko-panel", title="Korean panel prompts", prompts=make_prompts()
    )


@pytest.fixture
def campaign(people, stage, prompt_set):
    """Judging: every team's answers stored; each answer text names its team (so a leak shows)."""
    campaign = campaign_create(
        actor=people["admin"],
        stage=stage,
        prompt_set=prompt_set,
        slug="panel-1",
        name_ko="사용자 평가 1",
        name_en="User evaluation 1",
        generate=False,
        default_quota=20,
        bootstrap_rounds=200,
        flag_minimum=5,
    )
    keys = list(prompt_set.prompts.values_list("key", flat=True))
    for entry in campaign.entries.select_related("team"):
        answers_store(entry=entry, answers={k: f"answer {k} #{entry.pk * 7919 % 1000}" for k in keys})
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def panelist(people, campaign):
    """make(organisation=None, quota=None) → a panel member of the campaign."""
    made = []

    def make(organisation=None, quota=None, username=None):
        user = UserFactory(username=username or f"judge-{len(made) + 1}", organisation=organisation)
        panel_member_invite(actor=people["admin"], campaign=campaign, user=user, quota=quota)
        made.append(user)
        user.refresh_from_db()
        return user

    return make
