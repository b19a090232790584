"""Budget nodes and their balances, for writers that hold the node's lock.

A balance is the sum of a node's entries; the pool of an envelope is its entries
with no allocation. Writers lock the Envelope row (pool) or the Allocation row
(team or member) before reading a balance they are about to spend."""

from django.db.models import Sum

from budget.models import Allocation, Envelope, LedgerEntry


def pool_balance(envelope: Envelope) -> int:
    return (
        LedgerEntry.objects.filter(envelope=envelope, allocation__isnull=True).aggregate(s=Sum("amount_krw"))["s"] or 0
    )


def node_balance(allocation: Allocation) -> int:
    return LedgerEntry.objects.filter(allocation=allocation).aggregate(s=Sum("amount_krw"))["s"] or 0


def lock_envelope(envelope: Envelope) -> Envelope:
    return Envelope.objects.select_for_update().get(pk=envelope.pk)


def team_node(envelope: Envelope, team, *, lock: bool = False) -> Allocation:
    """The team's node in the envelope, created on first use (safe against a concurrent creator)."""
    Allocation.objects.bulk_create([Allocation(envelope=envelope, team=team)], ignore_conflicts=True)
    queryset = Allocation.objects.select_for_update() if lock else Allocation.objects
    return queryset.get(envelope=envelope, team=team, organisation__isnull=True)


def member_node(parent: Allocation, organisation, *, lock: bool = False) -> Allocation:
    Allocation.objects.bulk_create(
        [Allocation(envelope_id=parent.envelope_id, team_id=parent.team_id, organisation=organisation, parent=parent)],
        ignore_conflicts=True,
    )
    queryset = Allocation.objects.select_for_update() if lock else Allocation.objects
    return queryset.get(envelope_id=parent.envelope_id, team_id=parent.team_id, organisation=organisation)
