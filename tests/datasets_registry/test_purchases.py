"""Recording purchases: exact shares, entitlements, audit; bad input refused with nothing written;
the database re-checks the sum at commit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from datasets_registry import services
from datasets_registry.models import Entitlement, Purchase, PurchaseShare

from .conftest import D


def counts():
    return (
        Purchase.objects.count(),
        PurchaseShare.objects.count(),
        Entitlement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_joint_purchase_splits_price_plus_vat_exactly(buy, people, team_a, team_b, catalogue):
    third = [Decimal("33.3333"), Decimal("33.3333"), Decimal("33.3334")]
    from tests.support.factories import TeamFactory

    team_c = TeamFactory(slug="team-c")
    purchase = buy(
        teams=[team_a, team_b, team_c],
        price=1_000_000_001,
        vat=100_000_000,
        percents=third,
        datasets=("open", "conditional"),
        actor=people["admin"],
    )
    assert purchase.total_krw == 1_100_000_001
    amounts = {s.team.slug: s.amount_krw for s in purchase.shares.all()}
    assert sum(amounts.values()) == 1_100_000_001
    # exact: 366,666,300.333333, 366,666,300.333333, 366,667,400.334; floors leave one won,
    # which goes to the largest fraction (team-c's .334)
    assert amounts == {"team-a": 366_666_300, "team-b": 366_666_300, "team-c": 366_667_401}
    assert Entitlement.objects.filter(purchase=purchase).count() == 6  # 3 payers × 2 datasets
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-7:] == ["purchase.create"] + ["entitlement.grant"] * 6


def test_fixed_amounts_that_do_not_add_up_are_refused_and_nothing_is_written(catalogue, people, team_a, team_b):
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.purchase_create(
            actor=people["admin"],
            kind="joint",
            title="x",
            provider=catalogue["provider"],
            datasets=[catalogue["datasets"]["open"]],
            contract_number="C-1",
            contract_date=D(2025, 9, 1),
            price_krw=1_000,
            vat_krw=100,
            access_from=D(2025, 9, 1),
            access_until=D(2025, 12, 31),
            shares=[{"team": team_a, "fixed_krw": 500}, {"team": team_b, "fixed_krw": 500}],
        )
    assert "shares" in error.value.message_dict
    assert "1,100" in error.value.message_dict["shares"][0] or "1,100원" in error.value.message_dict["shares"][0]
    assert counts() == before


@pytest.mark.parametrize("field,price,vat", [("price_krw", -1, 0), ("vat_krw", 1_000, -100)])
def test_negative_money_is_refused(buy, team_a, field, price, vat):
    before = counts()
    with pytest.raises(ValidationError) as error:
        buy(teams=[team_a], price=price, vat=vat)
    assert field in error.value.message_dict
    assert counts() == before


def test_an_individual_purchase_has_one_payer(buy, team_a, team_b):
    with pytest.raises(ValidationError) as error:
        buy(teams=[team_a, team_b], kind="individual")
    assert "shares" in error.value.message_dict


def test_only_programme_admins_record_purchases(buy, people, team_a):
    for role in ("member_a", "reviewer", "anonymous"):
        with pytest.raises(PermissionDenied):
            buy(teams=[team_a], actor=people[role])
    assert Purchase.objects.count() == 0


def test_a_later_purchase_overlapping_an_entitlement_is_refused_whole(buy, team_a, team_b):
    buy(teams=[team_a], access_from=D(2025, 9, 1), access_until=D(2025, 12, 31))
    before = counts()
    with pytest.raises(ValidationError) as error:
        buy(teams=[team_b, team_a], access_from=D(2025, 12, 1), access_until=D(2026, 6, 30))
    assert "entitlements" in error.value.message_dict
    assert counts() == before  # not even team B's share or entitlement


def _check_deferred_now():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_shares_that_no_longer_add_up(buy, team_a, team_b):
    purchase = buy(teams=[team_a, team_b])
    _check_deferred_now()  # the service's own writes pass the deferred check
    share = purchase.shares.first()
    with pytest.raises(IntegrityError, match="add up to"):
        with transaction.atomic():
            PurchaseShare.objects.filter(pk=share.pk).update(amount_krw=share.amount_krw + 1)
            _check_deferred_now()
    with pytest.raises(IntegrityError, match="add up to"):
        with transaction.atomic():
            Purchase.objects.filter(pk=purchase.pk).update(
                price_krw=purchase.price_krw + 1, total_krw=purchase.total_krw + 1
            )
            _check_deferred_now()
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Purchase.objects.filter(pk=purchase.pk).update(total_krw=purchase.total_krw + 1)  # ≠ price + VAT


def test_purchase_dates_must_be_ordered(buy, team_a):
    with pytest.raises(ValidationError) as error:
        buy(teams=[team_a], access_from=D(2026, 1, 1), access_until=datetime.date(2025, 1, 1))
    assert "access_until" in error.value.message_dict
