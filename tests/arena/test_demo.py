"""The make-run demo campaign: created once the demo stage's nominations are frozen, judged by a
seeded panel once the answers are in, with its result computed."""

from django.core.management import call_command

from arena import demo
from arena.models import CampaignStatus, GenerationJob
from arena.selectors import panel_with_flags
from arena.services.generation import answers_store
from consortium.models import Team
from evaluation.demo_checkpoints import DEMO_PLAN
from evaluation.selectors import suite_version_current
from evaluation.services.suites import suite_load
from evaluation.suite_files import SUITES_DIR, parse_suite
from stages import demo as stage_demo
from tests.support.results_builder import make_checkpoint, make_run


def test_the_demo_campaign(db, django_capture_on_commit_callbacks):
    call_command("seed_programme", verbosity=0)
    call_command("create_demo_users", stdout=open("/dev/null", "w"))
    suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-smoke.yaml"))
    suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-chat.yaml"))
    stage_demo.seed()
    version = suite_version_current(slug="ko-smoke")
    for team_slug, name, steps, _seed in DEMO_PLAN:
        checkpoint = make_checkpoint(Team.objects.get(slug=team_slug), name=name)
        checkpoint.source = name
        checkpoint.save()
        make_run(checkpoint, version, {"ko_smoke_numeral_mc": 0.3 + steps / 2000, "ko_smoke_arith_mc": 0.3})
    with django_capture_on_commit_callbacks():
        stage_demo.nominate_when_ready(wait_s=0, log=lambda line: None)
    with django_capture_on_commit_callbacks() as sent:
        campaign = demo.seed_when_ready(wait_s=0, log=lambda line: None)
    assert campaign.status == CampaignStatus.GENERATING
    assert GenerationJob.objects.filter(entry__campaign=campaign).count() == 5 and len(sent) == 5
    keys = list(campaign.prompt_set.prompts.values_list("key", flat=True))
    assert len(keys) == 20
    for entry in campaign.entries.all():  # what the worker does
        answers_store(entry=entry, answers={k: f"{entry.team.slug} {k}" for k in keys})
    campaign = demo.seed_when_ready(wait_s=0, log=lambda line: None)
    assert campaign.status == CampaignStatus.JUDGING
    data = campaign.result.data
    assert data["judgments"] == (demo.SEEDED_JUDGES + 1) * demo.JUDGMENTS_EACH
    slugs = {t["id"]: t["slug"] for t in data["teams"]}
    assert slugs[data["order"][0]] == "lg-ai-research"  # the most trained demo checkpoint
    flags = {row["seat"].user.username: row["flags"] for row in panel_with_flags(campaign)}
    assert "same_side" in flags["panel-11"] and flags["panel-01"] == []
    assert "panel" in flags  # the demo user, seated to judge by hand
    again = demo.seed_when_ready(wait_s=0, log=lambda line: None)
    assert again.judgments.count() == data["judgments"]
