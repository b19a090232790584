"""Allocations move money down the tree and never beyond what the parent holds."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from budget.models import EntryKind, LedgerEntry
from budget.selectors import envelope_figures, node_totals
from budget.services.allocations import (
    allocation_grant,
    allocation_release_unspent,
    allocation_return,
    allocation_split,
)
from budget.services.nodes import node_balance, pool_balance
from consortium.models import TeamStatus
from consortium.services import team_change_status

from .conftest import BILLION


def test_grant_split_and_return_keep_every_sum(people, envelope, team_a, extra_member):
    admin, lead = people["admin"], people["member_a"]
    node = allocation_grant(actor=admin, envelope=envelope, team=team_a, amount_krw=30 * BILLION, reason="stage 1")
    member = extra_member(team_a).organisation
    child = allocation_split(
        actor=lead, envelope=envelope, team=team_a, organisation=member, amount_krw=10 * BILLION, reason="pretraining"
    )
    allocation_return(actor=lead, allocation=child, amount_krw=2 * BILLION, reason="not needed")
    assert pool_balance(envelope) == 70 * BILLION
    assert node_balance(node) == 22 * BILLION
    assert node_balance(child) == 8 * BILLION
    totals = node_totals(envelope=envelope)
    assert totals[node.pk].allocated_krw == 30 * BILLION  # the split stays inside the team
    assert totals[child.pk].allocated_krw == 8 * BILLION
    figures = envelope_figures(envelope)
    assert (figures.total_krw, figures.allocated_krw) == (100 * BILLION, 30 * BILLION)
    # Every movement is two entries that cancel out.
    assert sum(LedgerEntry.objects.filter(kind__in=["allocate", "release"]).values_list("amount_krw", flat=True)) == 0
    assert AuditEvent.objects.filter(action__startswith="budget.allocation").count() == 3


def test_more_than_is_left_is_refused_and_nothing_is_written(people, envelope, team_a, extra_member):
    with pytest.raises(ValidationError) as error:
        allocation_grant(
            actor=people["admin"], envelope=envelope, team=team_a, amount_krw=101 * BILLION, reason="too much"
        )
    assert "amount_krw" in error.value.message_dict
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="ok")
    with pytest.raises(ValidationError):
        allocation_split(
            actor=people["member_a"],
            envelope=envelope,
            team=team_a,
            organisation=extra_member(team_a).organisation,
            amount_krw=BILLION + 1,
            reason="x",
        )
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATE).count() == 2


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_amounts_are_positive_whole_won(people, envelope, team_a, amount):
    with pytest.raises(ValidationError):
        allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=amount, reason="x")


def test_split_needs_a_member_organisation(people, envelope, team_a, team_b):
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="x")
    with pytest.raises(ValidationError) as error:
        allocation_split(
            actor=people["member_a"],
            envelope=envelope,
            team=team_a,
            organisation=team_b.lead_organisation,
            amount_krw=1,
            reason="x",
        )
    assert "organisation" in error.value.message_dict


@pytest.mark.parametrize("role", ["anonymous", "member_a", "member_b", "reviewer"])
def test_only_admins_grant(people, envelope, team_a, role):
    with pytest.raises(PermissionDenied):
        allocation_grant(actor=people[role], envelope=envelope, team=team_a, amount_krw=1, reason="x")


@pytest.mark.parametrize(
    "role,allowed",
    [("member_a", True), ("admin", True), ("member_b", False), ("reviewer", False), ("anonymous", False)],
)
def test_the_lead_or_an_admin_splits(people, envelope, team_a, extra_member, role, allowed):
    allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=BILLION, reason="x")
    member = extra_member(team_a).organisation

    def call():
        return allocation_split(
            actor=people[role], envelope=envelope, team=team_a, organisation=member, amount_krw=1, reason="x"
        )

    if allowed:
        call()
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_an_eliminated_team_gives_back_what_it_has_not_spent(people, envelope, team_a, extra_member, catalogue):
    from budget.services.charging import Charger
    from tests.budget.test_charging import line

    admin = people["admin"]
    node = allocation_grant(actor=admin, envelope=envelope, team=team_a, amount_krw=10 * BILLION, reason="x")
    child = allocation_split(
        actor=people["member_a"],
        envelope=envelope,
        team=team_a,
        organisation=extra_member(team_a).organisation,
        amount_krw=4 * BILLION,
        reason="x",
    )
    Charger().charge([line(catalogue, team_a, key="job-1", gpu_count=1000, seconds=3600)])  # 3.6m won on the team
    with pytest.raises(ValidationError):
        allocation_release_unspent(actor=admin, team=team_a, reason="cut")  # still active
    team_change_status(actor=admin, team=team_a, to=TeamStatus.ELIMINATED, reason="stage 1")
    with pytest.raises(PermissionDenied):
        allocation_release_unspent(actor=people["reviewer"], team=team_a, reason="cut")
    released = allocation_release_unspent(actor=admin, team=team_a, reason="eliminated in stage 1")
    assert released == 10 * BILLION - 3_600_000
    assert node_balance(node) == 0 and node_balance(child) == 0
    assert pool_balance(envelope) == 90 * BILLION + released
    assert allocation_release_unspent(actor=admin, team=team_a, reason="again") == 0
    event = AuditEvent.objects.filter(action="budget.allocation.release_unspent").first()
    assert event is not None
    with pytest.raises(ValidationError):
        allocation_grant(actor=admin, envelope=envelope, team=team_a, amount_krw=1, reason="x")


def test_the_ledger_is_append_only_on_postgresql(envelope):
    from django.db import DatabaseError, transaction

    entry = LedgerEntry.objects.first()
    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount_krw=1),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
