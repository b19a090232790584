import pytest

# The stages tests' stage with three teams, and their official results.
from tests.stages.conftest import english_messages, official_results, stage, suite_version, team_c  # noqa: F401


@pytest.fixture
def finalised(official_results, people):
    """The stage, finalised by the admin (no expert or user scores: the benchmark part decides)."""
    from stages.services.stages import stage_finalise

    stage_finalise(actor=people["admin"], stage=official_results)
    official_results.refresh_from_db()
    return official_results
