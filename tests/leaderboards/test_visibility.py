"""One visibility rule for every path: page, API, exports and chart data. Team A's unpublished
results reach team A, reviewers and admins at once, and nobody else until an admin publishes."""

import json

import pytest
from rest_framework.test import APIClient

from leaderboards.services import snapshot_publish
from tests.support.results_builder import make_checkpoint, make_run

SECRET = "alpha-secret"


def _paths(slug):
    return [
        f"/leaderboards/{slug}/",
        f"/leaderboards/{slug}/export.csv",
        f"/leaderboards/{slug}/export.json",
        f"/leaderboards/{slug}/export.xlsx",
        f"/api/leaderboards/{slug}/",
        f"/api/leaderboards/{slug}/charts/",
    ]


def _client_for(user):
    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _sees_team_a(client, slug, team_a) -> dict[str, bool]:
    seen = {}
    for path in _paths(slug):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content
        if path.endswith(".xlsx"):
            import io

            import pandas as pd

            body = pd.read_excel(io.BytesIO(body)).to_csv().encode()
        seen[path] = any(mark.encode() in body for mark in (SECRET, "Team A", "team-a", team_a.name_ko))
    return seen


@pytest.mark.parametrize("role", ["anonymous", "member_b"])
def test_others_see_nothing_of_team_a_before_publication(people, leaderboard, results, role, team_a):
    seen = _sees_team_a(_client_for(people[role]), leaderboard.slug, team_a)
    assert not any(seen.values()), seen


@pytest.mark.parametrize("role", ["member_a", "reviewer", "admin"])
def test_team_a_reviewers_and_admins_see_it_at_once(people, leaderboard, results, role, team_a):
    seen = _sees_team_a(_client_for(people[role]), leaderboard.slug, team_a)
    assert all(seen.values()), seen


def test_member_b_sees_its_own_results_but_not_team_a(people, leaderboard, results):
    response = _client_for(people["member_b"]).get(f"/api/leaderboards/{leaderboard.slug}/")
    assert [r["team"] for r in response.json()["rows"]] == [people["member_b"].organisation.led_teams.get().name_ko]
    assert response.json()["source"] == "mixed" and response.json()["snapshot"] is None


def test_after_publication_everyone_sees_the_snapshot_not_later_runs(
    people, leaderboard, results, suite_version, team_a
):
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard, note="first")
    assert all(_sees_team_a(_client_for(people["anonymous"]), leaderboard.slug, team_a).values())
    # Team A improves after publication: the public still sees the published numbers.
    make_run(
        make_checkpoint(team_a, name="alpha-later"),
        suite_version,
        {"nia_mc": 0.99, "global_mc": 0.99, "global_gen": 0.99, "chosen_gen": 0.99},
    )
    public = _client_for(people["anonymous"]).get(f"/api/leaderboards/{leaderboard.slug}/").json()
    assert public["source"] == "snapshot"
    assert {r["checkpoint"] for r in public["rows"]} == {"alpha-secret", "beta-own"}
    own = _client_for(people["member_a"]).get(f"/api/leaderboards/{leaderboard.slug}/").json()
    assert own["source"] == "mixed" and "alpha-later" in {r["checkpoint"] for r in own["rows"]}
    assert (
        "alpha-later"
        not in _client_for(people["member_b"]).get(f"/leaderboards/{leaderboard.slug}/export.csv").content.decode()
    )


def test_exports_carry_the_same_numbers_as_the_api(people, leaderboard, results):
    client = _client_for(people["reviewer"])
    api_rows = client.get(f"/api/leaderboards/{leaderboard.slug}/?scale=raw").json()["rows"]
    exported = json.loads(client.get(f"/leaderboards/{leaderboard.slug}/export.json?scale=raw").content)["rows"]
    assert api_rows == exported
    assert api_rows[0]["run"] == results["a"].pk and api_rows[0]["nia_mc"] == pytest.approx(0.81)
    import io

    import pandas as pd

    csv_rows = pd.read_csv(io.BytesIO(client.get(f"/leaderboards/{leaderboard.slug}/export.csv?scale=raw").content))
    assert list(csv_rows["overall"]) == pytest.approx([r["overall"] for r in api_rows])


def test_row_flags_follow_the_same_rule(people, leaderboard, results):
    """Compliance and originality of each row's checkpoint: only for rows the caller sees privately."""
    path = f"/api/leaderboards/{leaderboard.slug}/flags/"
    a, b = str(results["a"].checkpoint_id), str(results["b"].checkpoint_id)
    everyone = _client_for(people["reviewer"]).get(path).json()
    assert set(everyone) == {a, b} and everyone[a]["compliance"]["status"] == "undeclared"
    assert set(_client_for(people["member_b"]).get(path).json()) == {b}
    assert _client_for(people["anonymous"]).get(path).json() == {}
