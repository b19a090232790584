"""The make-run demo: a leaderboard and a first stage a reviewer can walk through."""

import pytest
from django.core.management import call_command

from consortium.models import Team
from evaluation.demo_checkpoints import DEMO_PLAN
from evaluation.selectors import suite_version_current
from evaluation.services.suites import suite_load
from evaluation.suite_files import SUITES_DIR, parse_suite
from leaderboards.models import Leaderboard, Snapshot
from stages import demo
from stages.models import ExpertSubmission, Nomination, StageStatus, UserScore
from tests.support.results_builder import make_checkpoint, make_run


@pytest.fixture
def programme(db):
    call_command("seed_programme", verbosity=0)
    call_command("create_demo_users", stdout=open("/dev/null", "w"))
    suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-smoke.yaml"))
    suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-chat.yaml"))


def test_seed_is_complete_and_idempotent(programme):
    stage = demo.seed()
    assert stage.entries.count() == 5 and stage.advancing_count == 4
    assert ExpertSubmission.objects.filter(stage=stage).count() == 2
    assert UserScore.objects.filter(stage=stage).count() == 49 * 5 * 3
    assert Leaderboard.objects.filter(slug=demo.LEADERBOARD_SLUG).exists()
    chat = Leaderboard.objects.get(slug=demo.CHAT_LEADERBOARD_SLUG)  # the chat protocol's own board
    assert chat.suite_version == suite_version_current(slug="ko-chat")
    again = demo.seed()
    assert again.pk == stage.pk and UserScore.objects.filter(stage=stage).count() == 49 * 5 * 3


def test_nominations_follow_the_demo_runs(programme, django_capture_on_commit_callbacks):
    stage = demo.seed()
    version = suite_version_current(slug="ko-smoke")
    for team_slug, name, steps, _seed in DEMO_PLAN:
        checkpoint = make_checkpoint(Team.objects.get(slug=team_slug), name=name)
        checkpoint.source = name
        checkpoint.save()
        make_run(checkpoint, version, {"ko_smoke_numeral_mc": 0.3 + steps / 2000, "ko_smoke_arith_mc": 0.3})
    with django_capture_on_commit_callbacks():
        demo.nominate_when_ready(wait_s=0, log=lambda line: None)
    stage.refresh_from_db()
    assert stage.status == StageStatus.SCORING
    assert Nomination.objects.filter(stage=stage).count() == 5
    assert Snapshot.objects.filter(leaderboard__slug=demo.LEADERBOARD_SLUG).count() == 1
