"""Personal API tokens through the API: they work until they expire or are revoked, and then
answer 401 on the very next request; only their hash is stored; the owner (or an admin) ends them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.tokens import token_create, token_revoke, tokens_revoke_all
from accounts.tokens import key_hash
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
CHECKPOINTS = "/api/checkpoints/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_works_records_its_last_use_and_only_its_hash_is_stored(people):
    token, key = token_create(actor=people["member_a"], user=people["member_a"], name="CI upload")
    assert token.last_used_at is None and key.startswith("sat_") and token.prefix == key[:12]
    assert _client(key).get(CHECKPOINTS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash == key_hash(key) and not ApiToken.objects.filter(key_hash=key).exists()
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)
    assert AuditEvent.objects.filter(action="api_token.create", actor=people["member_a"]).count() == 1


def test_an_expired_token_answers_401_from_the_next_request(people):
    token, key = token_create(actor=None, user=people["member_a"], name="short", days=1)
    client = _client(key)
    assert client.get(CHECKPOINTS).status_code == 200
    now = timezone.now()  # as if made two days ago
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(seconds=1)
    )
    response = client.get(CHECKPOINTS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "This token has expired."


def test_a_revoked_token_answers_401_from_the_next_request(people):
    token, key = token_create(actor=None, user=people["member_a"], name="laptop")
    client = _client(key)
    assert client.get(CHECKPOINTS).status_code == 200
    token_revoke(actor=people["member_a"], token=token)
    response = client.get(CHECKPOINTS)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_revoking_on_the_tokens_page_ends_the_token_for_the_api(client, people):
    token, key = token_create(actor=None, user=people["member_a"], name="page")
    client.force_login(people["member_a"])
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert _client(key).get(CHECKPOINTS).status_code == 401


def test_the_tokens_page_makes_a_token_and_shows_its_key_once(client, people):
    client.force_login(people["member_a"])
    response = client.post("/accounts/tokens/", {"name": "notebook", "days": 7})
    key = response.context["new_key"]
    assert response.status_code == 200 and key in response.content.decode()
    assert _client(key).get(CHECKPOINTS).status_code == 200
    assert key not in client.get("/accounts/tokens/").content.decode()
    token = ApiToken.objects.get(name="notebook")
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)


def test_an_admin_revokes_every_token_of_a_person(people):
    keys = [token_create(actor=None, user=people["member_a"], name=f"t{i}")[1] for i in range(3)]
    other = token_create(actor=None, user=people["member_b"], name="other")[1]
    assert tokens_revoke_all(actor=people["admin"], user=people["member_a"]) == 3
    assert [_client(k).get(CHECKPOINTS).status_code for k in keys] == [401, 401, 401]
    assert _client(other).get(CHECKPOINTS).status_code == 200
    assert AuditEvent.objects.get(action="api_token.revoke_all").actor == people["admin"]


def test_nobody_else_may_revoke_or_make_a_persons_tokens(client, people):
    token, key = token_create(actor=None, user=people["member_a"], name="mine")
    for role in ("member_b", "reviewer"):
        with pytest.raises(PermissionDenied):
            token_revoke(actor=people[role], token=token)
        with pytest.raises(PermissionDenied):
            token_create(actor=people[role], user=people["member_a"], name="theirs")
    client.force_login(people["member_b"])
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert _client(key).get(CHECKPOINTS).status_code == 200


@pytest.mark.parametrize("name,days", [("", 10), ("ok", 0), ("ok", 366), ("x" * 101, 10)])
def test_a_token_needs_a_name_and_a_lifetime_within_the_limit(people, name, days):
    with pytest.raises(ValidationError):
        token_create(actor=None, user=people["member_a"], name=name, days=days)


def test_a_deactivated_persons_token_answers_401(people):
    _token, key = token_create(actor=None, user=people["member_a"], name="t")
    people["member_a"].is_active = False
    people["member_a"].save()
    assert _client(key).get(CHECKPOINTS).status_code == 401


def test_the_sign_in_endpoint_makes_a_named_expiring_token(people):
    response = APIClient().post("/api/auth/token/", {"username": "member-a", "password": "pw-for-tests-only"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people["member_a"])
    assert token.name == "/api/auth/token/" and token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert _client(response.json()["token"]).get(CHECKPOINTS).status_code == 200


def test_existing_tokens_are_carried_over_hashed_with_an_expiry(people):
    """accounts/0004: a DRF token (its key in clear) becomes a hashed, expiring ApiToken."""
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    migration = importlib.import_module("accounts.migrations.0004_team_roles_and_tokens_carried_over")
    old = Token.objects.create(user=people["reviewer"])
    migration.tokens_forwards(apps, None)
    assert not Token.objects.exists()
    carried = ApiToken.objects.get(user=people["reviewer"])
    assert carried.key_hash == key_hash(old.key) and carried.revoked_at is None
    assert carried.expires_at > timezone.now() + datetime.timedelta(days=89)
    assert _client(old.key).get(CHECKPOINTS).status_code == 200  # the same key keeps working until then
