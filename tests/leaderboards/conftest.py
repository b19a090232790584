import pytest

from leaderboards.models import RowRule
from leaderboards.services import leaderboard_create
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version


@pytest.fixture
def suite_version(db):
    return make_suite_version()


@pytest.fixture
def leaderboard(people, suite_version):
    return leaderboard_create(
        actor=people["admin"],
        slug="main",
        name_ko="메인",
        name_en="Main",
        suite_version=suite_version,
        rule=RowRule.BEST,
    )


@pytest.fixture
def results(leaderboard, suite_version, team_a, team_b):
    """Team A and team B each have one succeeded run; nothing is published."""
    a = make_run(
        make_checkpoint(team_a, name="alpha-secret"),
        suite_version,
        {"nia_mc": (0.81, 0.02), "global_mc": 0.9, "global_gen": 0.4, "chosen_gen": 0.3},
    )
    b = make_run(
        make_checkpoint(team_b, name="beta-own"),
        suite_version,
        {"nia_mc": (0.55, 0.02), "global_mc": 0.7, "global_gen": 0.2, "chosen_gen": 0.1},
    )
    return {"a": a, "b": b}
