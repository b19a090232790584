"""Answer generation through the real path: campaign_create sends the jobs after commit, a real
Celery worker (its own process, on PostgreSQL and Redis) takes them from the eval-cpu queue and
runs the generator, and the campaign opens for judging."""

import datetime

import pytest
from django.utils import timezone

from arena.models import Answer, CampaignStatus, GenerationJob, JobStatus
from arena.services.campaigns import campaign_create
from arena.services.prompt_sets import prompt_set_create
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from stages.models import Nomination, NominationStatus
from stages.services.stages import stage_create
from tests.support.factories import ProgrammeFactory
from tests.support.results_builder import make_suite_version
from tests.support.workers import copy_checkpoint, module_worker_fixtures, wait_for, wait_until_idle

from .test_generation import tiny_checkpoint  # noqa: F401 - the session's small real checkpoint

pytestmark = pytest.mark.slow

dirs, worker = module_worker_fixtures("arena-e2e")


def test_a_worker_generates_every_teams_answers(
    transactional_db, settings, dirs, worker, people, team_a, team_b, tiny_checkpoint
):  # noqa: F811
    settings.CHECKPOINT_ROOT = dirs["checkpoints"]
    settings.EVAL_RUNS_DIR = dirs["runs"]
    try:
        stage = stage_create(
            actor=people["admin"],
            programme=ProgrammeFactory(),
            slug="e2e-stage",
            name_ko="단계",
            name_en="Stage",
            advancing_count=1,
            suite_version=make_suite_version(),
            nomination_deadline=timezone.now() + datetime.timedelta(days=1),
            teams=[team_a, team_b],
        )
        for team in (team_a, team_b):
            copy_checkpoint(tiny_checkpoint, dirs["checkpoints"], team.slug, "v1")
            checkpoint = checkpoint_validate(
                checkpoint_id=checkpoint_submit(actor=None, team=team, name="v1", source="v1").pk
            )
            Nomination.objects.create(
                stage=stage,
                team=team,
                checkpoint=checkpoint,
                nominated_at=timezone.now(),
                manifest_digest=checkpoint.manifest_digest,
                status=NominationStatus.ACCEPTED,
            )
        prompt_set = prompt_set_create(
            actor=people["admin"],
            slug="e2e",
            title="E2E",
            prompts=[
                {"key": "q1", "category": "culture", "text": "한글날은 언제인가요?"},
                {"key": "q2", "category": "coding", "text": "파이썬으로 합계를 구하세요."},
            ],
        )
        campaign = campaign_create(
            actor=people["admin"],
            stage=stage,
            prompt_set=prompt_set,
            slug="e2e-panel",
            name_ko="생성",
            name_en="Generation",
            generation={"system_instruction": "", "gen_kwargs": {"max_gen_toks": 6}},
        )
        wait_for(
            lambda: campaign.__class__.objects.get(pk=campaign.pk).status == CampaignStatus.JUDGING,
            timeout=180,
            what="the answers",
            log=dirs["log"],
        )
        jobs = GenerationJob.objects.filter(entry__campaign=campaign)
        assert {j.status for j in jobs} == {JobStatus.SUCCEEDED} and all(j.worker_host for j in jobs)
        assert Answer.objects.filter(entry__campaign=campaign).count() == 4
    finally:
        wait_until_idle(log=dirs["log"])
