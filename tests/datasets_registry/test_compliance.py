"""The compliance check on worked cases, and its fixed number of queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audit.models import AuditEvent
from datasets_registry import services
from datasets_registry.compliance import ComplianceStatus
from datasets_registry.models import TrainingDataItem, TrainingDeclaration
from datasets_registry.selectors import compliance_for_checkpoints

from .conftest import D


def declare(checkpoint, catalogue, *names, start=D(2025, 10, 1), end=D(2025, 11, 30), openly=False, actor=None):
    return services.training_declaration_set(
        actor=actor,
        checkpoint=checkpoint,
        releases_openly=openly,
        items=[{"dataset": catalogue["datasets"][n], "trained_from": start, "trained_until": end} for n in names],
    )


def status_and_text(checkpoint):
    with translation.override("en"):  # reasons are written in the active language
        result = compliance_for_checkpoints([checkpoint.pk])[checkpoint.pk]
        return result.status, " ".join(str(r) for r in result.reasons)


def test_undeclared(checkpoint_of, team_a):
    assert status_and_text(checkpoint_of(team_a))[0] == ComplianceStatus.UNDECLARED


def test_compliant_when_entitled_throughout_and_the_licence_allows(buy, checkpoint_of, catalogue, team_a):
    buy(teams=[team_a], datasets=("open",))
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "open", openly=True)
    assert status_and_text(checkpoint) == (ComplianceStatus.COMPLIANT, "")


def test_no_entitlement(checkpoint_of, catalogue, team_a, team_b, buy):
    buy(teams=[team_b], datasets=("open",))  # another team's entitlement does not count
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "open")
    status, text = status_and_text(checkpoint)
    assert status == ComplianceStatus.NON_COMPLIANT and "no entitlement" in text


def test_expired_entitlement(buy, checkpoint_of, catalogue, team_a):
    buy(teams=[team_a], datasets=("open",), access_from=D(2025, 9, 1), access_until=D(2025, 10, 31))
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "open", start=D(2025, 10, 1), end=D(2025, 11, 30))
    status, text = status_and_text(checkpoint)
    assert status == ComplianceStatus.NON_COMPLIANT and "2025-11-01" in text


def test_revoked_entitlement_stops_covering(buy, checkpoint_of, catalogue, team_a, people):
    purchase = buy(teams=[team_a], datasets=("open",))
    services.entitlement_revoke(
        actor=people["admin"], entitlement=purchase.entitlements.get(), revoked_on=D(2025, 11, 15), reason="breach"
    )
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "open")
    status, text = status_and_text(checkpoint)
    assert status == ComplianceStatus.NON_COMPLIANT and "2025-11-15" in text


def test_consecutive_entitlements_cover_together(catalogue, checkpoint_of, team_a):
    dataset = catalogue["datasets"]["open"]
    services.entitlement_grant(
        actor=None, dataset=dataset, team=team_a, valid_from=D(2025, 9, 1), valid_until=D(2025, 10, 31)
    )
    services.entitlement_grant(
        actor=None, dataset=dataset, team=team_a, valid_from=D(2025, 11, 1), valid_until=D(2025, 12, 31)
    )
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "open")
    assert status_and_text(checkpoint)[0] == ComplianceStatus.COMPLIANT


def test_licence_forbids_training(buy, checkpoint_of, catalogue, team_a):
    buy(teams=[team_a], datasets=("no-training",))
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "no-training")
    status, text = status_and_text(checkpoint)
    assert status == ComplianceStatus.NON_COMPLIANT and "prohibits model training" in text


def test_licence_forbids_open_weight_release_only_when_released_openly(buy, checkpoint_of, catalogue, team_a):
    buy(teams=[team_a], datasets=("closed-weights",))
    closed, opened = checkpoint_of(team_a, "closed"), checkpoint_of(team_a, "opened")
    declare(closed, catalogue, "closed-weights", openly=False)
    declare(opened, catalogue, "closed-weights", openly=True)
    assert status_and_text(closed)[0] == ComplianceStatus.COMPLIANT
    status, text = status_and_text(opened)
    assert status == ComplianceStatus.NON_COMPLIANT and "open-source release" in text


def test_conditional_terms_are_allowed_but_named(buy, checkpoint_of, catalogue, team_a):
    buy(teams=[team_a], datasets=("conditional",))
    checkpoint = checkpoint_of(team_a)
    declare(checkpoint, catalogue, "conditional")
    status, text = status_and_text(checkpoint)
    assert status == ComplianceStatus.COMPLIANT and "De-identified records only." in text


def test_fixed_number_of_queries_for_any_number_of_checkpoints(
    buy, checkpoint_of, catalogue, team_a, team_b, django_assert_max_num_queries
):
    buy(teams=[team_a, team_b], datasets=("open", "closed-weights", "conditional"))
    checkpoints = [checkpoint_of(team, f"c{n}") for n in range(15) for team in (team_a, team_b)]
    for n, checkpoint in enumerate(checkpoints):
        if n % 3:
            declare(checkpoint, catalogue, "open", "closed-weights", "conditional", openly=n % 2 == 0)
    with django_assert_max_num_queries(4):
        result = compliance_for_checkpoints([c.pk for c in checkpoints])
    assert len(result) == 30
    assert {r.status for r in result.values()} == set(ComplianceStatus)


def test_unknown_or_repeated_datasets_and_bad_dates_are_refused(checkpoint_of, catalogue, team_a, people):
    checkpoint = checkpoint_of(team_a)
    dataset = catalogue["datasets"]["open"]
    bad = [
        [{"dataset": "no-such-dataset", "trained_from": D(2025, 1, 1), "trained_until": D(2025, 2, 1)}],
        [{"dataset": dataset, "trained_from": D(2025, 1, 1), "trained_until": D(2025, 2, 1)}] * 2,
        [{"dataset": dataset, "trained_from": D(2025, 3, 1), "trained_until": D(2025, 2, 1)}],
    ]
    for items in bad:
        with pytest.raises(ValidationError) as error:
            services.training_declaration_set(
                actor=people["member_a"], checkpoint=checkpoint, releases_openly=False, items=items
            )
        assert "items" in error.value.message_dict
    assert not TrainingDeclaration.objects.exists() and not TrainingDataItem.objects.exists()


def test_only_the_team_or_an_admin_declares_and_it_is_audited(checkpoint_of, catalogue, team_a, people):
    checkpoint = checkpoint_of(team_a)
    for role in ("member_b", "reviewer"):
        with pytest.raises(PermissionDenied):
            declare(checkpoint, catalogue, "open", actor=people[role])
    declare(checkpoint, catalogue, "open", actor=people["member_a"])
    declare(checkpoint, catalogue, "open", "conditional", openly=True, actor=people["admin"])
    assert checkpoint.training_declaration.items.count() == 2
    events = AuditEvent.objects.filter(action="training_declaration.set").order_by("seq")
    assert [e.actor.username for e in events] == ["member-a", "admin"]
