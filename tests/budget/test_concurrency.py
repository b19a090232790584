"""20 parallel allocation requests, each in its own thread and database connection:
the envelope is never overspent (the pool's row lock serialises them)."""

import threading

import pytest
from django.core.exceptions import ValidationError

from budget.models import LedgerEntry
from budget.services.allocations import allocation_grant, allocation_split
from budget.services.nodes import node_balance, pool_balance
from tests.support.factories import MembershipFactory, OrganisationFactory, TeamFactory
from tests.support.idempotency import race


def _race(calls):
    """Start every call at once (a barrier), each on its own connection; return their outcomes."""
    pending, lock = iter(calls), threading.Lock()

    def send(barrier):
        with lock:
            call = next(pending)
        barrier.wait()
        try:
            call()
        except ValidationError:
            return "refused"
        return "ok"

    return race(len(calls), send)


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_grants_never_overspend_the_envelope(people, envelope):
    teams = [TeamFactory() for _ in range(20)]
    # 100bn in the pool; each asks 7bn: only 14 fit.
    outcomes = _race(
        [
            (
                lambda team=team: allocation_grant(
                    actor=people["admin"], envelope=envelope, team=team, amount_krw=7 * 10**9, reason="race"
                )
            )
            for team in teams
        ]
    )
    assert sorted(set(outcomes)) == ["ok", "refused"], outcomes
    assert outcomes.count("ok") == 14
    assert pool_balance(envelope) == 2 * 10**9
    assert sum(LedgerEntry.objects.filter(envelope=envelope).values_list("amount_krw", flat=True)) == 100 * 10**9


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_splits_never_exceed_the_team_allocation(people, envelope, team_a):
    node = allocation_grant(actor=people["admin"], envelope=envelope, team=team_a, amount_krw=10_000, reason="x")
    members = [MembershipFactory(team=team_a, organisation=OrganisationFactory()).organisation for _ in range(20)]
    outcomes = _race(
        [
            (
                lambda org=org: allocation_split(
                    actor=people["member_a"],
                    envelope=envelope,
                    team=team_a,
                    organisation=org,
                    amount_krw=1_500,
                    reason="race",
                )
            )
            for org in members
        ]
    )
    assert outcomes.count("ok") == 6 and outcomes.count("refused") == 14, outcomes
    assert node_balance(node) == 1_000
    children = sum(node_balance(child) for child in node.children.all())
    assert children == 9_000 and children <= 10_000
