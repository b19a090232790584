"""Password self-service (#18): change (knowing the old one), reset by e-mail, the list of one's
sessions and "sign out everywhere"; each audited, never with the password."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import UserSession
from audit.models import AuditEvent
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW = "a-new-long-passphrase"


def _log_in(username, password="pw-for-tests-only", agent="TestBrowser/1.0") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return client


def test_a_person_changes_their_password_knowing_the_old_one(people):
    client = _log_in("member-a")
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post(
        "/accounts/password/", {"old_password": "pw-for-tests-only", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert client.get("/accounts/").status_code == 200  # still signed in here
    _log_in("member-a", NEW)
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == people["member_a"] and NEW not in event.payload


def test_a_weak_new_password_is_refused(people):
    client = _log_in("member-a")
    response = client.post(
        "/accounts/password/",
        {"old_password": "pw-for-tests-only", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200 and "new_password2" in response.context["form"].errors


def test_reset_by_email_sets_a_new_password_and_ends_every_session(people):
    person = UserFactory(username="forgetful", email="forgetful@example.kr")
    elsewhere = _log_in("forgetful")
    assert Client().post("/accounts/password/reset/", {"email": "forgetful@example.kr"}).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["forgetful@example.kr"]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    assert elsewhere.get("/accounts/").status_code == 302  # signed out: to the login page
    assert not UserSession.objects.filter(user=person).exists()
    _log_in("forgetful", NEW)
    assert AuditEvent.objects.filter(action="user.password_reset", target_id=str(person.pk)).exists()
    assert browser.get(link, follow=True).context["validlink"] is False  # a link works once


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(db):
    assert Client().post("/accounts/password/reset/", {"email": "nobody@example.kr"}).status_code == 302
    assert mail.outbox == []


def test_the_sessions_list_and_sign_out_everywhere(people):
    laptop = _log_in("member-a", agent="Laptop/1.0")
    phone = _log_in("member-a", agent="Phone/2.0")
    page = laptop.get("/accounts/").content.decode()
    assert "Laptop/1.0" in page and "Phone/2.0" in page and "127.0.0.1" in page
    assert UserSession.objects.filter(user=people["member_a"]).count() == 2
    assert laptop.post("/accounts/sessions/end-all/").status_code == 302
    assert phone.get("/accounts/").status_code == 302 and laptop.get("/accounts/").status_code == 302
    assert not UserSession.objects.filter(user=people["member_a"]).exists()
    assert AuditEvent.objects.get(action="user.sessions_end").actor == people["member_a"]


def test_the_account_page_reads_in_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    client = _log_in("member-a")
    for _ in range(3):
        _log_in("member-a")
    with django_assert_max_num_queries(6):
        assert client.get("/accounts/").status_code == 200


def test_sessions_made_before_the_change_keep_their_person_signed_in(people):
    """accounts/0005: django_session rows become accounts.UserSession rows with their person."""
    import importlib

    from django.apps import apps
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as OldStore

    old = OldStore()
    old.update(
        {
            SESSION_KEY: str(people["member_a"].pk),
            BACKEND_SESSION_KEY: "accounts.backends.LimitedModelBackend",
            HASH_SESSION_KEY: people["member_a"].get_session_auth_hash(),
        }
    )
    old.create()
    migration = importlib.import_module("accounts.migrations.0005_sessions_carried_over")
    migration.sessions_forwards(apps, None)
    assert UserSession.objects.get(session_key=old.session_key).user == people["member_a"]
    client = Client()
    client.cookies["sessionid"] = old.session_key
    assert client.get("/accounts/").status_code == 200
