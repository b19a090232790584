"""A person looks after their own access in a real browser (#18): makes an API token, uses it,
revokes it, and changes their password. No evaluation worker is needed here."""

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import ApiToken

from .conftest import Visitor
from .helpers import PASSWORD, in_language

pytestmark = pytest.mark.slow
NEW_PASSWORD = "a-new-long-passphrase"


@pytest.fixture
def site(transactional_db, live_server, browser, people):
    opened = []

    def open_as(user=None, password=PASSWORD) -> Visitor:
        visitor = Visitor(browser, live_server.url)
        opened.append(visitor)
        if user is not None:
            page = visitor.page
            page.goto("/accounts/login/")
            page.fill("#id_username", user.get_username())
            page.fill("#id_password", password)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return visitor

    yield open_as
    for visitor in opened:
        visitor.context.close()


def _api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/checkpoints/").status_code


def test_a_person_makes_uses_and_revokes_a_token_then_changes_their_password(site, people, screenshot):
    member = site(people["member_a"])
    page = member.page

    page.locator("header a.who").click()  # the name in the header opens the account
    page.wait_for_url("**/accounts/")
    expect(page.locator("#my-sessions tbody tr")).to_have_count(1)
    page.locator("main a[href='/accounts/tokens/']").click()

    page.fill("#id_name", "CI upload")
    page.fill("#id_days", "30")
    page.locator("#token-create button[type=submit]").click()
    key = page.locator("#new-token-key").inner_text().strip()
    assert key.startswith("sat_")
    row = page.locator("#token-list tr[data-token='CI upload']")
    expect(row).to_contain_text(key[:12])
    expect(row).to_have_attribute("data-state", "active")
    expect(page.locator("h1")).to_have_text(in_language("ko", "API tokens"))
    screenshot(page, "account-tokens")
    assert _api_status(key) == 200
    page.goto("/accounts/tokens/")
    expect(page.locator("#new-token-key")).to_have_count(0)  # the key is shown once
    expect(row).not_to_contain_text("—")  # "last used" is filled in by the API call

    row.locator("button[type=submit]").click()
    expect(row).to_have_attribute("data-state", "revoked")
    expect(row.locator("button")).to_have_count(0)
    assert ApiToken.objects.get(name="CI upload").revoked_at is not None
    assert _api_status(key) == 401

    # A second browser of the same person, signed out by the password change.
    other = site(people["member_a"])
    other.page.goto("/accounts/")
    expect(other.page.locator("#my-sessions")).to_be_visible()

    page.goto("/accounts/password/")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.locator("#password_change_form button[type=submit]").click()
    page.wait_for_url("**/accounts/password/done/")
    expect(page.locator("#password-message")).to_be_visible()
    page.goto("/accounts/")
    expect(page.locator("#my-sessions tbody tr")).to_have_count(1)  # this browser only

    other.page.goto("/accounts/")
    assert "/accounts/login/" in other.page.url  # the other browser was signed out
    site(people["member_a"], password=NEW_PASSWORD)  # the new password works
