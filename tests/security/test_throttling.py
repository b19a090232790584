"""Sign-in and API throttling, counted in the Django cache, with rates from settings (environment:
API_THROTTLE_ANON, API_THROTTLE_USER, LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_S)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.support.factories import UserFactory

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def limits(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_FAILURE_WINDOW_S = 600


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_COOKIE="django_language=en",
    )


def test_the_login_page_locks_a_username_and_address_after_repeated_failures(db, limits):
    user = UserFactory(username="target")
    client = Client()
    for _ in range(3):
        response = _login(client, "target", "wrong")
        assert response.status_code == 200 and "did not match" in response.content.decode()
    locked = _login(client, "target", PASSWORD)  # even the right password: the pair is locked
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this address, is not locked.
    assert _login(Client(), "target", PASSWORD, address="10.0.0.2").status_code == 302
    UserFactory(username="neighbour")
    assert _login(Client(), "neighbour", PASSWORD).status_code == 302
    assert user.pk


def test_a_success_forgets_earlier_failures(db, limits):
    UserFactory(username="forgetful")
    client = Client()
    for _ in range(2):
        _login(client, "forgetful", "wrong")
    assert _login(client, "forgetful", PASSWORD).status_code == 302
    for _ in range(2):
        assert _login(Client(), "forgetful", "wrong").status_code == 200
    assert _login(Client(), "forgetful", PASSWORD).status_code == 302


def test_the_token_endpoint_counts_with_the_login_page(db, limits):
    UserFactory(username="scripted")
    api = APIClient()
    for _ in range(2):
        assert (
            api.post(
                "/api/auth/token/", {"username": "scripted", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
            ).status_code
            == 400
        )
    _login(Client(), "scripted", "wrong", address="10.0.0.9")  # the third failure, on the page
    response = api.post("/api/auth/token/", {"username": "scripted", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_admin_login_is_locked_too(db, limits):
    UserFactory(username="staffer", is_staff=True)
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": "staffer", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    client.post("/admin/login/", {"username": "staffer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert "_auth_user_id" not in client.session


def test_api_rates_come_from_settings_for_anonymous_and_signed_in_callers(db, settings):
    settings.API_THROTTLE_ANON = "3/min"
    settings.API_THROTTLE_USER = "5/min"
    anonymous = APIClient()
    answers = [anonymous.get("/api/teams/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    member = APIClient()
    member.force_authenticate(UserFactory())
    answers = [member.get("/api/teams/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    throttled = member.get("/api/teams/")
    assert int(throttled["Retry-After"]) > 0 and "detail" in throttled.json()


def test_off_lifts_a_rate(db, settings):
    settings.API_THROTTLE_ANON = "off"
    client = APIClient()
    assert {client.get("/api/teams/").status_code for _ in range(30)} == {200}


def _api_answers(settings, proxies, forwarded_for):
    settings.API_THROTTLE_ANON, settings.TRUSTED_PROXIES = "2/min", proxies
    client = APIClient()  # every request from the same peer: the proxy, or one client
    return [
        client.get("/api/teams/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f).status_code for f in forwarded_for
    ]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(db, settings):
    """A client cannot dodge a limit by writing addresses of its own (DRF alone would trust them)."""
    assert _api_answers(settings, 0, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]


def test_behind_a_proxy_each_client_is_counted_apart_and_spoofed_entries_are_ignored(db, settings, limits):
    # Three visitors behind one proxy: each has its own API rate.
    assert _api_answers(settings, 1, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 200]
    # One visitor writing a fresh address before the one the proxy appends is still one visitor.
    assert _api_answers(settings, 1, ["7.7.7.1, 4.4.4.4", "7.7.7.2, 4.4.4.4", "7.7.7.3, 4.4.4.4"]) == [200, 200, 429]
    # Sign-in: an attacker locking "target" out from their address leaves another visitor's sign-in open.
    UserFactory(username="target")
    for _ in range(3):
        Client().post(
            "/accounts/login/",
            {"username": "target", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR="6.6.6.6",
        )
    locked = Client().post(
        "/accounts/login/",
        {"username": "target", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert locked.status_code == 429
    other = Client().post(
        "/accounts/login/",
        {"username": "target", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="5.5.5.5",
    )
    assert other.status_code == 302
