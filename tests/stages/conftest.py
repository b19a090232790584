import datetime

import pytest
from django.utils import timezone

from leaderboards.services import reference_model_save
from stages.services.stages import stage_create
from tests.support.factories import ProgrammeFactory
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version

TARGET = {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5}


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def suite_version(db):
    return make_suite_version()


@pytest.fixture
def team_c(db):
    from tests.support.factories import TeamFactory

    return TeamFactory(slug="team-c", name_en="Team C")


@pytest.fixture
def stage(people, team_a, team_b, team_c, suite_version):
    reference_model_save(actor=people["admin"], suite_version=suite_version, name="Frontier-X", scores=TARGET)
    return stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="stage-1",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=2,
        suite_version=suite_version,
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=[team_a, team_b, team_c],
        bootstrap_samples=100,
    )


@pytest.fixture
def official_results(stage, suite_version, team_a, team_b, team_c):
    """Each team nominated, frozen, and its official run succeeded (written directly)."""
    from stages.models import Nomination, NominationStatus, StageStatus

    scores = {team_a: 0.95, team_b: 0.8, team_c: 0.6}
    for team, share in scores.items():
        checkpoint = make_checkpoint(team, target="Frontier-X")
        run = make_run(checkpoint, suite_version, {t: v * share for t, v in TARGET.items()})
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            manifest_digest=checkpoint.manifest_digest,
            nominated_at=timezone.now(),
            status=NominationStatus.ACCEPTED,
            official_run=run,
        )
    stage.status = StageStatus.SCORING
    stage.save()
    return stage
