"""Funding an envelope and moving its money down the tree (envelope → team → member)
and back. Every movement locks the node it spends from, so concurrent requests can
never allocate more than there is."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from budget.models import Allocation, EntryKind, Envelope, GpuReservation, GpuType, LedgerEntry, Provider
from consortium.models import Membership, Team, TeamStatus
from core.permissions import Action, can, require

from .nodes import lock_envelope, member_node, node_balance, pool_balance, team_node
from .rates import rate_in_force, reservation_krw


def _require_budget_admin(actor) -> None:
    if actor is not None:
        require(actor, Action.MANAGE_BUDGET)


def _positive(amount_krw) -> int:
    if not isinstance(amount_krw, int) or isinstance(amount_krw, bool) or amount_krw <= 0:
        raise ValidationError({"amount_krw": _("Give a positive whole number of won.")})
    return amount_krw


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    return reason.strip()[:500]


def _move(
    *,
    envelope: Envelope,
    source: Allocation | None,
    target: Allocation | None,
    amount_krw: int,
    kind: EntryKind,
    actor,
    reason: str,
    reservation: GpuReservation | None = None,
) -> uuid.UUID:
    """Two entries that sum to zero: `amount_krw` leaves `source` and reaches `target` (None: the pool)."""
    movement, now = uuid.uuid4(), timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                envelope=envelope,
                allocation=node,
                kind=kind,
                amount_krw=sign * amount_krw,
                movement=movement,
                occurred_at=now,
                actor_id=actor_id,
                reason=reason,
                source="budget",
                reservation=reservation,
            )
            for node, sign in ((source, -1), (target, 1))
        ]
    )
    return movement


@transaction.atomic
def envelope_create(
    *,
    actor,
    programme,
    name: str,
    period_start: datetime.date,
    period_end: datetime.date,
    total_krw: int,
    reason: str = "",
) -> Envelope:
    """A programme period's GPU budget, funded with `total_krw` in its first ledger entry."""
    _require_budget_admin(actor)
    envelope = Envelope(programme=programme, name=name, period_start=period_start, period_end=period_end)
    envelope.full_clean()
    envelope.save()
    LedgerEntry.objects.create(
        envelope=envelope,
        kind=EntryKind.FUND,
        amount_krw=_positive(total_krw),
        occurred_at=timezone.now(),
        actor=actor if actor and actor.is_authenticated else None,
        reason=reason or name,
        source="budget",
    )
    audit_record(
        actor=actor, action="budget.envelope.create", target=envelope, after=snapshot(envelope, total_krw=total_krw)
    )
    return envelope


def _check_provider_conflict(provider: Provider, team: Team, day: datetime.date) -> None:
    """A GPU lessor that is a member of a team cannot allocate its own GPUs to that team
    (the programme gave lessor teams no GPUs in the first period). Configurable."""
    if settings.BUDGET_PROVIDER_MAY_SUPPLY_OWN_TEAM:
        return
    if Membership.objects.active_on(day).filter(team=team, organisation_id=provider.organisation_id).exists():
        raise ValidationError(
            {
                "provider": _("%(provider)s is a member of %(team)s and cannot allocate its own GPUs to it.")
                % {"provider": provider, "team": team}
            }
        )


def _reservation(
    *, team: Team, gpu_type: GpuType, provider: Provider, gpu_count: int, start: datetime.date, end: datetime.date
) -> GpuReservation:
    if end < start:
        raise ValidationError({"end": _("The reservation ends before it starts.")})
    if gpu_count <= 0:
        raise ValidationError({"gpu_count": _("Reserve at least one GPU.")})
    _check_provider_conflict(provider, team, start)
    rate = rate_in_force(gpu_type=gpu_type, provider=provider, on=start)
    return GpuReservation.objects.create(
        gpu_type=gpu_type,
        provider=provider,
        gpu_count=gpu_count,
        start=start,
        end=end,
        krw_per_gpu_hour=rate,
        amount_krw=reservation_krw(gpu_count=gpu_count, start=start, end=end, krw_per_gpu_hour=rate),
    )


@transaction.atomic
def allocation_grant(
    *,
    actor,
    envelope: Envelope,
    team: Team,
    reason: str,
    amount_krw: int | None = None,
    reservation: dict | None = None,
) -> Allocation:
    """Allocate from the envelope's pool to a team: an amount in KRW, or a GPU reservation
    (gpu_type, provider, gpu_count, start, end) converted through the rate card."""
    _require_budget_admin(actor)
    reason = _reason(reason)
    team = Team.objects.get(pk=team.pk)  # its status as stored, not as the caller last saw it
    if team.status != TeamStatus.ACTIVE:
        raise ValidationError({"team": _("%(team)s is no longer active.") % {"team": team}})
    if (amount_krw is None) == (reservation is None):
        raise ValidationError({"amount_krw": _("Give either an amount or a GPU reservation.")})
    booked = _reservation(team=team, **reservation) if reservation is not None else None
    amount = booked.amount_krw if booked else _positive(amount_krw)
    envelope = lock_envelope(envelope)
    available = pool_balance(envelope)
    if amount > available:
        raise ValidationError(
            {
                "amount_krw": _("Only %(available)s won is left unallocated in %(envelope)s.")
                % {"available": f"{available:,}", "envelope": envelope}
            }
        )
    node = team_node(envelope, team)
    _move(
        envelope=envelope,
        source=None,
        target=node,
        amount_krw=amount,
        kind=EntryKind.ALLOCATE,
        actor=actor,
        reason=reason,
        reservation=booked,
    )
    audit_record(
        actor=actor,
        action="budget.allocation.grant",
        target=node,
        after=snapshot(node, amount_krw=amount, reason=reason, reservation=snapshot(booked) if booked else None),
    )
    return node


def _may_split(actor, team: Team) -> None:
    if actor is not None and not can(actor, Action.MANAGE_BUDGET):
        require(actor, Action.LEAD_TEAM, team)


@transaction.atomic
def allocation_split(
    *, actor, envelope: Envelope, team: Team, organisation, amount_krw: int, reason: str
) -> Allocation:
    """The team lead (or an admin) passes part of the team's allocation to a member organisation."""
    _may_split(actor, team)
    reason, amount = _reason(reason), _positive(amount_krw)
    if not Membership.objects.active_on(timezone.localdate()).filter(team=team, organisation=organisation).exists():
        raise ValidationError(
            {
                "organisation": _("%(organisation)s is not a member of %(team)s.")
                % {"organisation": organisation, "team": team}
            }
        )
    parent = team_node(envelope, team, lock=True)
    available = node_balance(parent)
    if amount > available:
        raise ValidationError(
            {
                "amount_krw": _("Only %(available)s won of the team's allocation is unassigned.")
                % {"available": f"{available:,}"}
            }
        )
    child = member_node(parent, organisation)
    _move(
        envelope=envelope,
        source=parent,
        target=child,
        amount_krw=amount,
        kind=EntryKind.ALLOCATE,
        actor=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="budget.allocation.split",
        target=child,
        after=snapshot(child, amount_krw=amount, reason=reason),
    )
    return child


@transaction.atomic
def allocation_return(*, actor, allocation: Allocation, amount_krw: int, reason: str) -> Allocation:
    """Give unspent money back one level up: a member's to its team, a team's to the pool."""
    if allocation.organisation_id:
        _may_split(actor, allocation.team)
    else:
        _require_budget_admin(actor)
    reason, amount = _reason(reason), _positive(amount_krw)
    envelope = allocation.envelope
    if allocation.parent_id is None:
        lock_envelope(envelope)  # writers of the pool go one at a time
    node = Allocation.objects.select_for_update().get(pk=allocation.pk)
    available = node_balance(node)
    if amount > available:
        raise ValidationError(
            {"amount_krw": _("Only %(available)s won of this allocation is unspent.") % {"available": f"{available:,}"}}
        )
    _move(
        envelope=envelope,
        source=node,
        target=node.parent,
        amount_krw=amount,
        kind=EntryKind.RELEASE,
        actor=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="budget.allocation.return",
        target=node,
        after=snapshot(node, amount_krw=amount, reason=reason),
    )
    return node


@transaction.atomic
def allocation_release_unspent(*, actor, team: Team, reason: str) -> int:
    """When a stage eliminates a team, return every unspent won of its allocations (the team's
    and its members') to the envelopes' pools, in one audited step. Returns the KRW released."""
    _require_budget_admin(actor)
    reason = _reason(reason)
    team = Team.objects.get(pk=team.pk)
    if team.status != TeamStatus.ELIMINATED:
        raise ValidationError({"team": _("Only an eliminated team's allocation is released.")})
    released: dict[int, int] = {}
    for envelope in Envelope.objects.filter(allocations__team=team).distinct().order_by("pk"):
        lock_envelope(envelope)
        nodes = list(Allocation.objects.select_for_update().filter(envelope=envelope, team=team).order_by("pk"))
        for node in nodes:
            balance = node_balance(node)
            if balance > 0:
                _move(
                    envelope=envelope,
                    source=node,
                    target=None,
                    amount_krw=balance,
                    kind=EntryKind.RELEASE,
                    actor=actor,
                    reason=reason,
                )
                released[node.pk] = balance
    total = sum(released.values())
    audit_record(
        actor=actor,
        action="budget.allocation.release_unspent",
        target=team,
        after={"reason": reason, "released_krw": total, "by_allocation": released},
    )
    return total
