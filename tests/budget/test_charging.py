"""Usage is charged at the rate in force at the job's start, once per idempotency key,
and flagged as an overrun beyond the allocation; alerts fire once per threshold."""

import datetime

from django.core import mail
from django.utils import timezone

from budget.models import BudgetAlert, EntryKind, LedgerEntry
from budget.selectors import node_totals
from budget.services.alerts import alerts_check
from budget.services.allocations import allocation_grant
from budget.services.charging import Charger, UsageLine


def line(
    catalogue, team, *, key, gpu_count=8, seconds=3600, start=datetime.datetime(2025, 9, 1, 10), gpu="h100", rate=3600
):
    return UsageLine(
        key=key,
        team_id=team.pk,
        organisation_id=None,
        provider_id=catalogue["provider"].pk,
        gpu_type_id=catalogue[gpu].pk,
        gpu_count=gpu_count,
        seconds=seconds,
        started_at=timezone.make_aware(start),
        ended_at=None,
        krw_per_gpu_hour=rate,
        source="test",
    )


def test_a_key_is_charged_once(catalogue, envelope, team_a):
    first = Charger().charge([line(catalogue, team_a, key="k1"), line(catalogue, team_a, key="k1")])
    assert (first.imported, first.duplicates) == (1, 1)
    second = Charger().charge([line(catalogue, team_a, key="k1"), line(catalogue, team_a, key="k2")])
    assert (second.imported, second.duplicates) == (1, 1)
    assert LedgerEntry.objects.filter(kind=EntryKind.USAGE).count() == 2


def test_h100_equivalent_hours_use_the_weight(catalogue, envelope, team_a):
    Charger().charge([line(catalogue, team_a, key="b", gpu="b200", gpu_count=4, rate=10800)])
    entry = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    assert entry.gpu_seconds == 4 * 3600 and entry.h100_gpu_seconds == 8 * 3600
    assert entry.amount_krw == -4 * 10800


def test_usage_beyond_the_allocation_is_recorded_and_flagged(people, catalogue, envelope, team_a):
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=40_000, reason="x")
    Charger().charge([line(catalogue, team_a, key="a"), line(catalogue, team_a, key="b")])  # 28,800 each
    first, second = LedgerEntry.objects.filter(kind=EntryKind.USAGE).order_by("idempotency_key")
    assert (first.overrun, second.overrun) == (False, True)


def test_usage_outside_every_envelope_is_not_charged(catalogue, envelope, team_a):
    result = Charger().charge([line(catalogue, team_a, key="old", start=datetime.datetime(2024, 5, 1))])
    assert (result.imported, result.outside_envelopes) == (0, 1)


def _charge(catalogue, team, key, krw):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = Charger().charge([line(catalogue, team, key=key, gpu_count=1, seconds=krw, rate=3600)])
        alerts_check(allocation_ids=result.allocation_ids)


def test_alerts_at_80_and_95_percent_once_each(people, catalogue, envelope, team_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    people["admin"].email = "admin@example.org"
    people["admin"].save()
    node = allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=100_000, reason="x")
    _charge(catalogue, team_a, "a", 79_000)
    assert not BudgetAlert.objects.exists()
    _charge(catalogue, team_a, "b", 2_000)
    assert list(BudgetAlert.objects.values_list("threshold", flat=True)) == [80]
    _charge(catalogue, team_a, "c", 1_000)
    assert BudgetAlert.objects.count() == 1
    _charge(catalogue, team_a, "d", 15_000)
    assert sorted(BudgetAlert.objects.values_list("threshold", flat=True)) == [80, 95]
    _charge(catalogue, team_a, "e", 10_000)  # overrun: no third alert
    assert node_totals(allocation_ids=[node.pk])[node.pk].used_krw == 107_000
    assert BudgetAlert.objects.count() == 2
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["admin@example.org"]
    assert "80%" in mail.outbox[0].subject and "95%" in mail.outbox[1].subject


def test_a_correction_is_a_new_entry_and_never_refunds_more_than_was_charged(people, catalogue, envelope, team_a):
    import pytest
    from django.core.exceptions import PermissionDenied, ValidationError

    from budget.services.usage import usage_correct

    Charger().charge([line(catalogue, team_a, key="k")])  # 28,800
    charge = LedgerEntry.objects.get(kind=EntryKind.USAGE)
    with pytest.raises(PermissionDenied):
        usage_correct(actor=people["member_a"], entry=charge, amount_krw=100, reason="x")
    usage_correct(actor=people["admin"], entry=charge, amount_krw=28_000, reason="node failure")
    with pytest.raises(ValidationError):
        usage_correct(actor=people["admin"], entry=charge, amount_krw=801, reason="too much")
    charge.refresh_from_db()
    assert charge.amount_krw == -28_800  # untouched
    node = charge.allocation
    assert node_totals(allocation_ids=[node.pk])[node.pk].used_krw == 800
