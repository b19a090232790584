"""API clients can tell "sign in again" from "not allowed": 401 with WWW-Authenticate: Token for
missing, invalid or deactivated credentials; 403 only for a signed-in caller who lacks the right."""

import pytest
from rest_framework.test import APIClient

from tests.support.factories import api_token_key

PRIVATE = "/api/runs/"  # a team's private records: never public


@pytest.fixture
def token(people):
    return api_token_key(people["member_a"])


def _get(client: APIClient, path: str = PRIVATE):
    response = client.get(path)
    return response.status_code, response.get("WWW-Authenticate")


def test_no_credentials_is_401_with_the_scheme(db):
    assert _get(APIClient()) == (401, "Token")
    response = APIClient().post("/api/checkpoints/", {"team": "x"}, format="json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_an_invalid_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert _get(client) == (401, "Token")


def test_a_deactivated_users_token_and_session_are_401(people, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert _get(client)[0] == 200
    session = APIClient()
    session.force_login(people["member_a"])
    assert _get(session)[0] == 200
    people["member_a"].is_active = False
    people["member_a"].save(update_fields=["is_active"])
    assert _get(client) == (401, "Token")
    assert _get(session) == (401, "Token")


def test_a_signed_in_caller_without_the_right_is_403(people):
    client = APIClient()
    client.force_login(people["reviewer"])  # reviewers never record purchases
    response = client.post("/api/data-purchases/", {}, format="json")
    assert response.status_code == 403 and "WWW-Authenticate" not in response
