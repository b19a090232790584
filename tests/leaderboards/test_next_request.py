"""Rights are never stale (#18): a revoked membership, an ended team role, a revoked token, a
logout, "sign out everywhere" and a password change each take effect on the very next request,
also on the leaderboard's cached paths (the table cache, and the signed-in fast path). Every
scenario first asks twice, so the second answer came from the caches, then changes the right and
asks once more."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import TeamRole
from accounts.services.passwords import user_password_set, user_sessions_end
from accounts.services.team_roles import team_role_end
from accounts.services.tokens import token_create, token_revoke
from consortium.services import membership_update
from leaderboards.services import snapshot_publish
from tests.support.factories import UserFactory
from tests.support.results_builder import make_checkpoint, make_run

SECRET = "alpha-secret-next"
PAGE, API = "/leaderboards/main/", "/api/leaderboards/main/"


@pytest.fixture
def private_results(people, leaderboard, suite_version, team_a, extra_member):
    """A published snapshot without team A, then team A's run: only team A (and staff) see it."""
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    make_run(
        make_checkpoint(team_a, name=SECRET),
        suite_version,
        {"nia_mc": 0.8, "global_mc": 0.9, "global_gen": 0.4, "chosen_gen": 0.3},
    )
    organisation = extra_member(team_a).organisation
    return {
        "person": UserFactory(username="firm-person", organisation=organisation, team_roles={team_a: "submitter"}),
        "membership": team_a.memberships.get(organisation=organisation),
    }


def _sees(client, path=PAGE) -> bool:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return SECRET in response.content.decode()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token_client(user) -> tuple[APIClient, object]:
    token, key = token_create(actor=None, user=user, name="next-request")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [PAGE, API])
def test_a_revoked_membership_takes_effect_on_the_next_request(people, private_results, path):
    client = _signed_in(private_results["person"])
    assert _sees(client, path) and _sees(client, path)
    membership_update(
        actor=people["admin"],
        membership=private_results["membership"],
        left_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert not _sees(client, path)


@pytest.mark.parametrize("path", [PAGE, API])
def test_an_ended_team_role_takes_effect_on_the_next_request(settings, people, team_a, private_results, path):
    settings.TEAM_MEMBER_DEFAULT_ROLE = "none"  # so that the role is what gives the right
    client = _signed_in(private_results["person"])
    assert _sees(client, path) and _sees(client, path)
    team_role_end(actor=people["admin"], grant=TeamRole.objects.get(user=private_results["person"], team=team_a))
    assert not _sees(client, path)


def test_a_revoked_token_takes_effect_on_the_next_request(private_results):
    client, token = _token_client(private_results["person"])
    assert _sees(client, API) and _sees(client, API)
    token_revoke(actor=private_results["person"], token=token)
    assert client.get(API).status_code == 401


def test_an_expired_token_takes_effect_on_the_next_request(private_results):
    from accounts.models import ApiToken

    client, token = _token_client(private_results["person"])
    assert _sees(client, API) and _sees(client, API)
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(created_at=now - datetime.timedelta(days=1), expires_at=now)
    assert client.get(API).status_code == 401


@pytest.mark.parametrize("path", [PAGE, API])
def test_a_logout_takes_effect_on_the_next_request(private_results, path):
    client = _signed_in(private_results["person"])
    stolen = Client()  # the same cookie, kept by someone else
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    assert _sees(stolen, path) and _sees(stolen, path)
    assert client.post("/accounts/logout/").status_code == 302
    assert not _sees(stolen, path)


@pytest.mark.parametrize("path", [PAGE, API])
def test_signing_out_everywhere_takes_effect_on_the_next_request(private_results, path):
    person = private_results["person"]
    laptop, phone = _signed_in(person), _signed_in(person)
    assert _sees(laptop, path) and _sees(phone, path) and _sees(phone, path)
    assert laptop.post("/accounts/sessions/end-all/").status_code == 302
    assert not _sees(phone, path) and not _sees(laptop, path)


def test_a_password_change_ends_the_other_sessions_on_their_next_request(private_results):
    person = private_results["person"]
    first, second = _signed_in(person), _signed_in(person)
    assert _sees(first) and _sees(second) and _sees(second)
    response = first.post(
        "/accounts/password/",
        {
            "old_password": "pw-for-tests-only",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert _sees(first) and not _sees(second)  # the one that changed it stays signed in


def test_a_password_set_elsewhere_or_sessions_ended_by_service_sign_out(private_results):
    person = private_results["person"]
    first, second = _signed_in(person), _signed_in(person)
    assert _sees(first) and _sees(first)
    user_password_set(actor=None, user=person, password="a-new-long-passphrase", how="reset")
    assert not _sees(first)
    assert _sees(second) is False
    person.refresh_from_db()
    third = _signed_in(person)
    assert _sees(third)
    user_sessions_end(actor=person, user=person)
    assert not _sees(third)
