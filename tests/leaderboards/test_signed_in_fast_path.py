"""The signed-in fast path (leaderboards/fast_path.py): a signed-in repeat is answered after one
statement, with the same content as the ordinary path, the person's own CSRF token, and never
across scopes or people. That rights changes reach it on the very next request is proven in
test_next_request.py, which runs through it."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from leaderboards.services import snapshot_publish
from tests.support.factories import api_token_key

PAGE, API = "/leaderboards/main/", "/api/leaderboards/main/"
pytestmark = pytest.mark.django_db


def _get(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return response, len(queries)


def _signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', b"", content)


@pytest.mark.parametrize("role", ["member_a", "member_b", "reviewer", "admin"])
@pytest.mark.parametrize("path", [PAGE, API])
def test_a_signed_in_repeat_is_one_statement_and_the_same_answer(settings, people, leaderboard, results, role, path):
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    client = _signed_in(people[role])
    first, queried = _get(client, path)
    again, requeried = _get(client, path)
    assert queried > 1 and requeried == 1
    settings.SIGNED_IN_FAST_PATH = False
    ordinary, _ = _get(client, path)
    assert _without_csrf(again.content) == _without_csrf(ordinary.content) == _without_csrf(first.content)


def test_a_token_repeat_is_one_statement(people, leaderboard, results):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(people['member_a'])}")
    _get(client, API)
    again, queried = _get(client, API)
    assert queried == 1 and "alpha-secret" in again.content.decode()


def test_each_page_carries_its_own_sessions_csrf_token_and_logout_works(people, leaderboard, results):
    one = _signed_in(people["member_a"], enforce_csrf_checks=True)
    two = _signed_in(people["member_a"], enforce_csrf_checks=True)
    for client in (one, two, one, two):
        page, _ = _get(client, PAGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page.content.decode()).group(1)
    assert two.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "alpha-secret" not in two.get(PAGE).content.decode()


def test_nothing_crosses_from_one_scope_or_person_to_another(people, leaderboard, results):
    member_a, member_b = _signed_in(people["member_a"]), _signed_in(people["member_b"])
    for _ in range(2):
        a_page, b_page = member_a.get(PAGE).content.decode(), member_b.get(PAGE).content.decode()
        a_api, b_api = member_a.get(API).content.decode(), member_b.get(API).content.decode()
    assert "member-a" in a_page and "member-a" not in b_page and "member-b" in b_page
    assert "alpha-secret" in a_api and "alpha-secret" not in b_api and "beta-own" in b_api


def test_flash_messages_and_unknown_leaderboards_go_the_ordinary_way(people, leaderboard, results):
    client = _signed_in(people["member_a"])
    assert client.get("/leaderboards/nope/").status_code == 404
    assert client.get("/leaderboards/nope/").status_code == 404
