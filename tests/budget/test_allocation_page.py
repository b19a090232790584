"""The admin's allocation page: only MANAGE_BUDGET may see or post it; the service's refusals
come back on the form and nothing moves."""

import pytest
from django.urls import reverse

from budget.models import LedgerEntry
from budget.selectors import envelope_figures

from .conftest import BILLION


@pytest.mark.parametrize("role,status", [("member_a", 403), ("member_b", 403), ("reviewer", 403)])
def test_only_admins_may_allocate(client, people, envelope, team_a, role, status):
    client.force_login(people[role])
    assert client.get(reverse("budget-allocation-grant")).status_code == status
    page = client.post(reverse("budget-allocation-grant"), {"team": team_a.pk, "amount_krw": 1, "reason": "x"})
    assert page.status_code == status
    assert not LedgerEntry.objects.filter(kind="allocate").exists()


def test_anonymous_is_sent_to_log_in(client, envelope):
    assert client.get(reverse("budget-allocation-grant")).status_code == 302


def test_an_admin_allocates_and_sees_the_refusals(client, people, envelope, team_a):
    client.force_login(people["admin"])
    assert reverse("budget-allocation-grant") in client.get(reverse("budget-dashboard")).content.decode()
    page = client.post(
        reverse("budget-allocation-grant"), {"team": team_a.pk, "amount_krw": 3 * BILLION, "reason": "first quarter"}
    )
    assert page.status_code == 302
    assert envelope_figures(envelope).allocated_krw == 3 * BILLION
    too_much = client.post(
        reverse("budget-allocation-grant"), {"team": team_a.pk, "amount_krw": 98 * BILLION, "reason": "everything"}
    )
    assert too_much.status_code == 200 and "97,000,000,000" in too_much.content.decode()
    assert envelope_figures(envelope).allocated_krw == 3 * BILLION
