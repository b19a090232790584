"""The rate card: effective dates, conversion of a GPU reservation, integer charges."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from budget.models import EntryKind, LedgerEntry
from budget.services.allocations import allocation_grant
from budget.services.rates import RateCard, charge_krw, rate_in_force, reservation_krw


def test_the_rate_in_force_is_the_latest_effective_on_the_day(catalogue):
    h100, provider = catalogue["h100"], catalogue["provider"]
    assert rate_in_force(gpu_type=h100, provider=provider, on=datetime.date(2025, 9, 30)) == 3600
    assert rate_in_force(gpu_type=h100, provider=provider, on=datetime.date(2025, 10, 1)) == 7200
    card = RateCard(provider)
    assert card.at(h100.pk, datetime.date(2025, 9, 30)) == 3600
    assert card.at(h100.pk, datetime.date(2026, 3, 1)) == 7200
    assert card.at(h100.pk, datetime.date(2024, 12, 31)) is None


def test_no_rate_before_the_first_effective_date_is_an_error(catalogue):
    with pytest.raises(ValidationError):
        rate_in_force(gpu_type=catalogue["h100"], provider=catalogue["provider"], on=datetime.date(2024, 6, 1))


def test_charges_are_whole_won_rounded_half_up():
    assert charge_krw(gpu_count=8, seconds=3600, krw_per_gpu_hour=3600) == 28800
    assert charge_krw(gpu_count=1, seconds=1, krw_per_gpu_hour=1800) == 1  # 0.5 → 1
    assert charge_krw(gpu_count=1, seconds=1, krw_per_gpu_hour=1799) == 0


def test_a_gpu_reservation_converts_through_the_rate_at_its_start(people, catalogue, envelope, team_a):
    assert (
        reservation_krw(
            gpu_count=2, start=datetime.date(2025, 9, 1), end=datetime.date(2025, 9, 30), krw_per_gpu_hour=3600
        )
        == 2 * 30 * 24 * 3600
    )
    node = allocation_grant(
        actor=people["admin"],
        envelope=envelope,
        team=team_a,
        reason="H2 GPUs",
        reservation={
            "gpu_type": catalogue["b200"],
            "provider": catalogue["provider"],
            "gpu_count": 4,
            "start": datetime.date(2025, 9, 1),
            "end": datetime.date(2025, 9, 10),
        },
    )
    entry = LedgerEntry.objects.get(allocation=node, kind=EntryKind.ALLOCATE)
    assert entry.amount_krw == 4 * 10 * 24 * 10800
    assert entry.reservation.krw_per_gpu_hour == 10800


def test_a_provider_cannot_allocate_its_own_gpus_to_its_own_team(
    people, catalogue, envelope, team_a, extra_member, settings
):
    from tests.support.factories import MembershipFactory

    MembershipFactory(team=team_a, organisation=catalogue["provider"].organisation)
    reservation = {
        "gpu_type": catalogue["h100"],
        "provider": catalogue["provider"],
        "gpu_count": 8,
        "start": datetime.date(2025, 9, 1),
        "end": datetime.date(2025, 9, 30),
    }
    with pytest.raises(ValidationError) as error:
        allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, reason="r", reservation=reservation)
    assert "provider" in error.value.message_dict
    assert not LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE).exists()
    settings.BUDGET_PROVIDER_MAY_SUPPLY_OWN_TEAM = True
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, reason="r", reservation=reservation)
