"""The inbox (only one's own; mark as read), the header's unread count, the preferences page and
the API list of the caller's own notifications."""

import pytest
from django.test import Client

from notifications.models import Notification, NotificationKind, NotificationPreference
from notifications.services import notify
from tests.support.factories import api_token_key


@pytest.fixture
def notes(people):
    mine = notify(
        kind=NotificationKind.RUN_FINISHED,
        recipients=[people["member_a"]],
        title="Run finished: mine",
        link="/evaluation/runs/1/",
    )
    theirs = notify(kind=NotificationKind.RUN_FAILED, recipients=[people["member_b"]], title="Run failed: theirs")
    return {"mine": mine[0], "theirs": theirs[0]}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_shows_only_ones_own_and_marks_as_read(people, notes, django_assert_max_num_queries):
    client = _client(people["member_a"])
    assert client.get("/notifications/unread.json").json() == {"unread": 1}
    with django_assert_max_num_queries(8):
        page = client.get("/notifications/")
    body = page.content.decode()
    assert "Run finished: mine" in body and "theirs" not in body
    # Someone else's notification cannot be marked.
    client.post(f"/notifications/{notes['theirs'].pk}/read/")
    assert Notification.objects.get(pk=notes["theirs"].pk).read_at is None
    answer = client.post(f"/notifications/{notes['mine'].pk}/read/", {"go": "/evaluation/runs/1/"})
    assert answer.status_code == 302 and answer["Location"] == "/evaluation/runs/1/"
    assert client.get("/notifications/unread.json").json() == {"unread": 0}


def test_marking_never_sends_the_reader_off_the_platform(people, notes):
    answer = _client(people["member_a"]).post(
        f"/notifications/{notes['mine'].pk}/read/", {"go": "https://elsewhere.example/"}
    )
    assert answer["Location"] == "/notifications/"


def test_mark_all_read(people, notes):
    notify(kind=NotificationKind.STAGE_OPENED, recipients=[people["member_a"]], title="Stage opened")
    client = _client(people["member_a"])
    client.post("/notifications/read-all/")
    assert client.get("/notifications/unread.json").json() == {"unread": 0}
    assert Notification.objects.get(pk=notes["theirs"].pk).read_at is None


def test_the_header_fetches_the_unread_count(people, notes):
    body = _client(people["member_a"]).get("/accounts/").content.decode()
    assert 'id="nav-inbox"' in body and "/notifications/unread.json" in body
    assert 'id="nav-inbox"' not in Client().get("/").content.decode()  # anonymous: no inbox


def test_the_preferences_page_saves_each_choice(people):
    client = _client(people["member_a"])
    page = client.get("/notifications/preferences/").content.decode()
    assert 'data-kind="nomination_deadline"' in page and 'data-kind="objection_answered"' in page
    # Every box ticked but the email of failed runs.
    data = {f"{kind}-{channel}": "on" for kind in NotificationKind.values for channel in ("in_platform", "email")}
    del data["run_failed-email"]
    assert client.post("/notifications/preferences/", data).status_code == 302
    chosen = NotificationPreference.objects.get(user=people["member_a"], kind="run_failed")
    assert (chosen.in_platform, chosen.email) == (True, False)
    assert NotificationPreference.objects.filter(user=people["member_a"]).count() == len(NotificationKind.values)


def test_the_api_lists_the_callers_own_notifications(people, notes):
    token = api_token_key(people["member_a"])
    answer = Client().get("/api/notifications/", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 200
    assert [n["title"] for n in answer.json()["results"]] == ["Run finished: mine"]
    _client(people["member_a"]).post(f"/notifications/{notes['mine'].pk}/read/")
    unread = Client().get("/api/notifications/?unread=true", HTTP_AUTHORIZATION=f"Token {token}")
    assert unread.json()["results"] == []
    assert Client().get("/api/notifications/").status_code == 401


def test_unticking_every_box_turns_everything_off(people):
    """A form with every box unticked posts no field at all; it must still be saved."""
    client = _client(people["member_a"])
    assert client.post("/notifications/preferences/", {}).status_code == 302
    assert not NotificationPreference.objects.filter(user=people["member_a"], in_platform=True).exists()
    assert not NotificationPreference.objects.filter(user=people["member_a"], email=True).exists()
    assert notify(kind=NotificationKind.RUN_FINISHED, recipients=[people["member_a"]], title="t") == []
