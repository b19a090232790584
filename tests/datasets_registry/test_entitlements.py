"""Entitlements: no overlaps (service and database), revocation and team elimination, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from datasets_registry import services
from datasets_registry.models import Entitlement

from .conftest import D


def test_overlapping_entitlements_are_refused_by_the_service(catalogue, team_a):
    dataset = catalogue["datasets"]["open"]
    services.entitlement_grant(
        actor=None, dataset=dataset, team=team_a, valid_from=D(2025, 1, 1), valid_until=D(2025, 6, 30)
    )
    with pytest.raises(ValidationError) as error:
        services.entitlement_grant(
            actor=None, dataset=dataset, team=team_a, valid_from=D(2025, 6, 30), valid_until=D(2025, 12, 31)
        )
    assert "entitlements" in error.value.message_dict
    # the next day is fine, and so is another holder on the same days
    services.entitlement_grant(
        actor=None, dataset=dataset, team=team_a, valid_from=D(2025, 7, 1), valid_until=D(2025, 12, 31)
    )
    services.entitlement_grant(
        actor=None,
        dataset=dataset,
        organisation=team_a.lead_organisation,
        valid_from=D(2025, 1, 1),
        valid_until=D(2025, 12, 31),
    )
    assert Entitlement.objects.count() == 3


@pytest.mark.parametrize("holder", ["team", "organisation"])
def test_the_database_refuses_overlaps_too(catalogue, team_a, holder):
    dataset = catalogue["datasets"]["open"]
    who = {"team": team_a} if holder == "team" else {"organisation": team_a.lead_organisation}
    Entitlement.objects.create(dataset=dataset, valid_from=D(2025, 1, 1), valid_until=D(2025, 6, 30), **who)
    with pytest.raises(IntegrityError, match="no_overlap"):
        with transaction.atomic():
            Entitlement.objects.create(dataset=dataset, valid_from=D(2025, 3, 1), valid_until=D(2025, 9, 30), **who)


def test_a_revoked_period_no_longer_blocks_a_new_entitlement(catalogue, team_a, people):
    dataset = catalogue["datasets"]["open"]
    first = services.entitlement_grant(
        actor=people["admin"], dataset=dataset, team=team_a, valid_from=D(2025, 1, 1), valid_until=D(2025, 12, 31)
    )
    services.entitlement_revoke(
        actor=people["admin"], entitlement=first, revoked_on=D(2025, 7, 1), reason="contract ended early"
    )
    first.refresh_from_db()
    assert first.effective_until == D(2025, 6, 30)
    assert first.covers(D(2025, 6, 30)) and not first.covers(D(2025, 7, 1))
    services.entitlement_grant(
        actor=people["admin"], dataset=dataset, team=team_a, valid_from=D(2025, 7, 1), valid_until=D(2025, 12, 31)
    )
    event = AuditEvent.objects.filter(action="entitlement.revoke").get()
    assert event.actor == people["admin"] and "contract ended early" in event.payload


def test_revocation_needs_a_reason_and_an_admin(catalogue, team_a, people):
    entitlement = services.entitlement_grant(
        actor=None,
        dataset=catalogue["datasets"]["open"],
        team=team_a,
        valid_from=D(2025, 1, 1),
        valid_until=D(2025, 12, 31),
    )
    with pytest.raises(ValidationError):
        services.entitlement_revoke(actor=people["admin"], entitlement=entitlement, reason=" ")
    for role in ("member_a", "reviewer"):
        with pytest.raises(PermissionDenied):
            services.entitlement_revoke(actor=people[role], entitlement=entitlement, reason="x")
    entitlement.refresh_from_db()
    assert entitlement.revoked_on is None


def test_elimination_ends_access_only_where_the_licence_says_so(buy, team_a, team_b, people):
    buy(teams=[team_a, team_b], datasets=("open", "closed-weights"))  # open: retain; closed-weights: end_access
    revoked = services.entitlements_apply_team_elimination(actor=people["admin"], team=team_a, on=D(2026, 1, 15))
    assert [e.dataset.slug for e in revoked] == ["ds-closed-weights"]
    a = {e.dataset.slug: e for e in Entitlement.objects.filter(team=team_a)}
    assert a["ds-closed-weights"].revoked_on == D(2026, 1, 15)
    assert a["ds-closed-weights"].effective_until == D(2026, 1, 14)
    assert a["ds-open"].revoked_on is None
    assert not Entitlement.objects.filter(team=team_b, revoked_on__isnull=False).exists()  # the other team keeps
    assert AuditEvent.objects.filter(action="entitlement.revoke").count() == 1
    # running it again changes nothing
    assert services.entitlements_apply_team_elimination(actor=people["admin"], team=team_a, on=D(2026, 2, 1)) == []
    assert AuditEvent.objects.filter(action="entitlement.revoke").count() == 1


def test_only_admins_apply_an_elimination(team_a, people):
    with pytest.raises(PermissionDenied):
        services.entitlements_apply_team_elimination(actor=people["reviewer"], team=team_a)
