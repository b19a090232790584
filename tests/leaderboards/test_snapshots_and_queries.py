import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from leaderboards.models import Snapshot
from leaderboards.services import reference_model_save, snapshot_publish
from tests.support.factories import TeamFactory
from tests.support.results_builder import make_checkpoint, make_run


def test_only_admins_publish_and_snapshots_are_immutable(people, leaderboard, results):
    with pytest.raises(PermissionDenied):
        snapshot_publish(actor=people["reviewer"], leaderboard=leaderboard)
    published = snapshot_publish(actor=people["admin"], leaderboard=leaderboard, note="Stage 1")
    with pytest.raises(DatabaseError), transaction.atomic():
        Snapshot.objects.filter(pk=published.pk).update(note="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        Snapshot.objects.filter(pk=published.pk).delete()
    listing = APIClientFor(people["anonymous"]).get(f"/api/leaderboards/{leaderboard.slug}/snapshots/").json()
    assert [s["note"] for s in listing] == ["Stage 1"]


def APIClientFor(user):
    from rest_framework.test import APIClient

    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


def test_reference_scores_validate_every_task(people, suite_version):
    with pytest.raises(ValidationError) as error:
        reference_model_save(
            actor=people["admin"], suite_version=suite_version, name="X", scores={"nia_mc": "high", "unknown_task": 0.5}
        )
    assert len(error.value.message_dict["scores"]) == 2
    with pytest.raises(PermissionDenied):
        reference_model_save(actor=people["member_a"], suite_version=suite_version, name="X", scores={"nia_mc": 0.5})
    response = APIClientFor(people["admin"]).post(
        "/api/reference-models/",
        {"suite_version": suite_version.pk, "name": "Frontier-X", "scores": {"nia_mc": [0.9, 0.01]}},
        format="json",
    )
    assert response.status_code == 201 and response.json()["scores"] == {"nia_mc": [0.9, 0.01]}


def _grow(suite_version, teams: int, runs_per_team: int):
    for _ in range(teams):
        team = TeamFactory()
        for n in range(runs_per_team):
            make_run(make_checkpoint(team), suite_version, {"nia_mc": 0.3 + n / 100, "global_mc": 0.6})


def _queries(client, path, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["anonymous", "member_a", "reviewer"])
def test_a_fixed_number_of_queries_whatever_the_size(
    people, leaderboard, results, suite_version, role, django_assert_max_num_queries
):
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    client = APIClientFor(people[role])
    paths = [f"/leaderboards/{leaderboard.slug}/", f"/api/leaderboards/{leaderboard.slug}/"]
    small = [_queries(client, p, django_assert_max_num_queries) for p in paths]
    _grow(suite_version, teams=4, runs_per_team=6)
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    large = [_queries(client, p, django_assert_max_num_queries) for p in paths]
    assert small == large
    assert max(large) <= 10, large


def test_a_cached_table_follows_new_runs_references_and_snapshots(people, leaderboard, results, suite_version, team_a):
    reviewer, public = APIClientFor(people["reviewer"]), APIClientFor(people["anonymous"])
    path = f"/api/leaderboards/{leaderboard.slug}/"
    assert reviewer.get(path).json()["rows"][0]["checkpoint"] == "alpha-secret"
    assert public.get(path).json()["rows"] == []
    make_run(
        make_checkpoint(team_a, name="alpha-better"),
        suite_version,
        {"nia_mc": 0.99, "global_mc": 0.99, "global_gen": 0.99, "chosen_gen": 0.99},
    )
    assert reviewer.get(path).json()["rows"][0]["checkpoint"] == "alpha-better"
    reference_model_save(actor=people["admin"], suite_version=suite_version, name="Frontier", scores={"nia_mc": 0.5})
    assert any(r["reference"] for r in reviewer.get(path).json()["rows"])
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    assert {r["checkpoint"] for r in public.get(path).json()["rows"] if not r["reference"]} == {
        "alpha-better",
        "beta-own",
    }
