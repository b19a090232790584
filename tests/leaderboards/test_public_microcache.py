"""The public pages' few-second cache (core.microcache): repeats of an anonymous request are
answered without a query; nothing signed-in enters it or is served from it."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leaderboards.services import snapshot_publish
from tests.support.factories import api_token_key

PAGE, API = "/leaderboards/main/", "/api/leaderboards/main/"


@pytest.fixture
def microcache(settings):
    settings.PUBLIC_MICROCACHE_SECONDS = 60


def _get(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return response, len(queries)


def _checkpoints(response) -> set[str]:
    return {row["checkpoint"] for row in response.json()["rows"] if not row["reference"]}


def test_anonymous_repeats_are_answered_without_queries(microcache, people, leaderboard, results):
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    for path in (PAGE, API):
        first, queried = _get(Client(), path)
        again, requeried = _get(Client(), path)
        assert queried > 0 and requeried == 0
        assert again.content == first.content
    korean, _ = _get(Client(), PAGE)
    english, queried = _get(Client(headers={"Cookie": "django_language=en"}), PAGE)
    assert queried > 0 and english.content != korean.content  # each language is its own entry
    assert b"csrfmiddlewaretoken" not in korean.content  # nothing per visitor in a public page


def test_nothing_signed_in_is_stored_or_served(microcache, people, leaderboard, results):
    public, _ = _get(Client(), API)
    assert _checkpoints(public) == set()  # nothing published: team A's run is not public
    member = Client()
    member.force_login(people["member_a"])
    own, queried = _get(member, API)
    assert queried > 0 and _checkpoints(own) == {"alpha-secret"}  # not the cached public answer
    anonymous, _ = _get(Client(), API)
    assert _checkpoints(anonymous) == set()  # and the member's answer was not stored for the public
    key = api_token_key(people["reviewer"])
    by_token, queried = _get(Client(), API, HTTP_AUTHORIZATION=f"Token {key}")
    assert queried > 0 and _checkpoints(by_token) == {"alpha-secret", "beta-own"}


def test_a_published_snapshot_reaches_the_public_when_the_entry_expires(microcache, people, leaderboard, results):
    assert _checkpoints(_get(Client(), API)[0]) == set()
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    assert _checkpoints(_get(Client(), API)[0]) == set()  # within PUBLIC_MICROCACHE_SECONDS
    caches["microcache"].clear()  # what expiry does
    assert _checkpoints(_get(Client(), API)[0]) == {"alpha-secret", "beta-own"}


def test_switched_off_with_zero_seconds(people, leaderboard, results):
    assert _get(Client(), API)[1] > 0 and _get(Client(), API)[1] > 0


def test_the_language_links_set_the_cookie_and_go_back_only_to_this_site(db):
    response = Client().get("/language/en/", {"next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert response.cookies["django_language"].value == "en"
    assert Client().get("/language/en/", {"next": "https://evil.example/"})["Location"] == "/"
    assert Client().get("/language/fr/").status_code == 404
