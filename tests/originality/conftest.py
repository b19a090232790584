import pytest
from django.utils import translation

from evaluation.models import Checkpoint, CheckpointStatus


@pytest.fixture(scope="session")
def family(tmp_path_factory):
    """A, B, C, C_sharded, D, D2, E and 20 independent inits, built once per test session."""
    from .kit import build_family

    return build_family(tmp_path_factory.mktemp("originality"))


@pytest.fixture(scope="session")
def prints(family):
    """Each model's fingerprints, computed once."""
    from originality.fingerprint import fingerprint_folder

    out = {key: fingerprint_folder(path) for key, path in family.items() if key != "inits"}
    out["inits"] = [fingerprint_folder(path) for path in family["inits"]]
    return out


@pytest.fixture
def ready_checkpoint(db, team_a):
    """A ready checkpoint of team A whose files are the given folder."""

    def make(folder, name="v1"):
        return Checkpoint.objects.create(
            team=team_a,
            name=name,
            source=name,
            status=CheckpointStatus.READY,
            resolved_path=str(folder),
            manifest_digest="0" * 64,
        )

    return make


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield
