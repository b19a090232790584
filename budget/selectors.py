"""Every non-trivial read of the budget, each with a fixed number of queries.
Balances are computed here from the ledger; nothing stores a total."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.permissions import private_team_scope

from .models import (
    USAGE_KINDS,
    Allocation,
    BudgetAlert,
    EntryKind,
    Envelope,
    LedgerEntry,
    ReallocationRequest,
    UsageImport,
)


@dataclass
class Totals:
    allocated_krw: int = 0  # net money received from above (allocations less returns)
    used_krw: int = 0  # usage charged, corrections included
    h100_gpu_seconds: int = 0

    @property
    def remaining_krw(self) -> int:
        return self.allocated_krw - self.used_krw

    @property
    def used_percent(self) -> int:
        return int(100 * self.used_krw / self.allocated_krw) if self.allocated_krw > 0 else 0

    @property
    def h100_gpu_hours(self) -> int:
        return self.h100_gpu_seconds // 3600

    def add(self, other: "Totals") -> None:
        self.allocated_krw += other.allocated_krw
        self.used_krw += other.used_krw
        self.h100_gpu_seconds += other.h100_gpu_seconds


_USAGE = Q(kind__in=USAGE_KINDS)


def node_totals(*, allocation_ids=None, envelope: Envelope | None = None) -> dict[int, Totals]:
    """Per allocation: its own figures, and for a team's node its members' added in
    (the team's allocation covers its members'). One query."""
    rows = LedgerEntry.objects.filter(allocation__isnull=False)
    if allocation_ids is not None:
        rows = rows.filter(Q(allocation_id__in=allocation_ids) | Q(allocation__parent_id__in=allocation_ids))
    if envelope is not None:
        rows = rows.filter(envelope=envelope)
    rows = rows.values("allocation_id", "allocation__parent_id").annotate(
        allocated=Sum("amount_krw", filter=~_USAGE), used=Sum("amount_krw", filter=_USAGE), h100=Sum("h100_gpu_seconds")
    )
    totals: dict[int, Totals] = defaultdict(Totals)
    for row in rows:
        own = Totals(row["allocated"] or 0, -(row["used"] or 0), row["h100"] or 0)
        totals[row["allocation_id"]].add(own)
        if row["allocation__parent_id"]:
            # Inside the team, a split is -x on the team and +x on the member: it cancels out.
            totals[row["allocation__parent_id"]].add(own)
    return totals


def envelope_current(*, on: datetime.date | None = None) -> Envelope | None:
    on = on or timezone.localdate()
    return (
        Envelope.objects.filter(period_start__lte=on, period_end__gte=on).order_by("-period_start").first()
        or Envelope.objects.order_by("-period_start").first()
    )


@dataclass
class EnvelopeFigures:
    total_krw: int
    unallocated_krw: int
    used_krw: int
    h100_gpu_seconds: int

    @property
    def allocated_krw(self) -> int:
        return self.total_krw - self.unallocated_krw

    @property
    def remaining_krw(self) -> int:
        return self.total_krw - self.used_krw

    @property
    def h100_gpu_hours(self) -> int:
        return self.h100_gpu_seconds // 3600


def envelope_figures(envelope: Envelope) -> EnvelopeFigures:
    row = LedgerEntry.objects.filter(envelope=envelope).aggregate(
        total=Sum("amount_krw", filter=Q(kind__in=(EntryKind.FUND, EntryKind.ADJUST), allocation__isnull=True)),
        pool=Sum("amount_krw", filter=Q(allocation__isnull=True)),
        used=Sum("amount_krw", filter=_USAGE),
        h100=Sum("h100_gpu_seconds"),
    )
    return EnvelopeFigures(row["total"] or 0, row["pool"] or 0, -(row["used"] or 0), row["h100"] or 0)


@dataclass
class TeamBudget:
    node: Allocation
    totals: Totals
    members: list[tuple[Allocation, Totals]] = field(default_factory=list)


def team_budgets(*, user, envelope: Envelope, team_id: int | None = None) -> list[TeamBudget]:
    """The teams the user may see, with their members' allocations. Two queries."""
    scope = private_team_scope(user)
    nodes = (
        Allocation.objects.filter(envelope=envelope)
        .select_related("team", "organisation")
        .order_by("team__joined_on", "team_id", "organisation__name_en")
    )
    if scope is not None:
        nodes = nodes.filter(team_id__in=scope)
    if team_id is not None:
        nodes = nodes.filter(team_id=team_id)
    nodes = list(nodes)
    totals = node_totals(envelope=envelope, allocation_ids=[n.pk for n in nodes])
    teams: dict[int, TeamBudget] = {}
    for node in nodes:
        if node.parent_id is None:
            teams[node.pk] = TeamBudget(node, totals.get(node.pk, Totals()))
    for node in nodes:
        if node.parent_id in teams:
            teams[node.parent_id].members.append((node, totals.get(node.pk, Totals())))
    return list(teams.values())


def _visible_entries(user, envelope: Envelope | None = None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.all()
    if envelope is not None:
        entries = entries.filter(envelope=envelope)
    scope = private_team_scope(user)
    if scope is not None:
        entries = entries.filter(allocation__team_id__in=scope)
    return entries


@dataclass
class BurnDown:
    months: list[str]  # "2025-08", …
    remaining_krw: list[int]  # after each month
    used_krw: list[int]  # in each month
    start_krw: int
    projected_exhaustion: datetime.date | None
    monthly_burn_krw: int


def burn_down(
    *, user, envelope: Envelope, teams: list[TeamBudget], figures: EnvelopeFigures | None, team_id: int | None = None
) -> BurnDown:
    """Remaining money month by month, from what the viewer may see (the envelope for staff,
    their team's allocation for members), projected forward at the last three months' pace."""
    start = figures.total_krw if figures is not None else sum(t.totals.allocated_krw for t in teams)
    entries = _visible_entries(user, envelope).filter(_USAGE)
    if team_id is not None:
        entries = entries.filter(allocation__team_id=team_id)
    monthly = (
        entries.annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(s=Sum("amount_krw"))
        .order_by("month")
    )
    used_by_month = {row["month"].date().replace(day=1): -row["s"] for row in monthly}
    months, remaining, used, left = [], [], [], start
    day = envelope.period_start.replace(day=1)
    today = min(max(timezone.localdate(), envelope.period_start), envelope.period_end)
    last = max([today.replace(day=1), *used_by_month])
    while day <= last:
        spent = used_by_month.get(day, 0)
        left -= spent
        months.append(day.strftime("%Y-%m"))
        used.append(spent)
        remaining.append(left)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    recent = [u for u in used[-3:] if u > 0]
    pace = sum(recent) // len(recent) if recent else 0
    exhaustion = None
    if pace > 0 and months and left / pace < 120:  # beyond ten years is no projection worth drawing
        after_last = (datetime.date.fromisoformat(months[-1] + "-01") + datetime.timedelta(days=32)).replace(day=1)
        exhaustion = after_last + datetime.timedelta(days=round(30.44 * max(left, 0) / pace))
    return BurnDown(months, remaining, used, start, exhaustion, pace)


def alerts_visible_to(*, user, envelope: Envelope, limit: int = 20) -> list[BudgetAlert]:
    alerts = BudgetAlert.objects.filter(allocation__envelope=envelope).select_related(
        "allocation__team", "allocation__organisation"
    )
    scope = private_team_scope(user)
    if scope is not None:
        alerts = alerts.filter(allocation__team_id__in=scope)
    return list(alerts[:limit])


def usage_visible_to(
    *,
    user,
    envelope: Envelope | None = None,
    team_id=None,
    provider_id=None,
    gpu_type_id=None,
    since=None,
    until=None,
    overrun=None,
) -> QuerySet[LedgerEntry]:
    """Usage charges (and their corrections), filtered; team scoping as VIEW_TEAM_PRIVATE."""
    entries = (
        _visible_entries(user, envelope)
        .filter(_USAGE)
        .select_related("allocation__team", "allocation__organisation", "gpu_type", "provider")
    )
    if team_id:
        entries = entries.filter(allocation__team_id=team_id)
    if provider_id:
        entries = entries.filter(provider_id=provider_id)
    if gpu_type_id:
        entries = entries.filter(gpu_type_id=gpu_type_id)
    if since:
        entries = entries.filter(occurred_at__date__gte=since)
    if until:
        entries = entries.filter(occurred_at__date__lte=until)
    if overrun is not None:
        entries = entries.filter(overrun=overrun)
    return entries.order_by("-occurred_at", "-id")


def requests_visible_to(*, user) -> QuerySet[ReallocationRequest]:
    requests = ReallocationRequest.objects.select_related("team", "requested_by", "decided_by", "envelope")
    scope = private_team_scope(user)
    return requests if scope is None else requests.filter(team_id__in=scope)


def imports_recent(limit: int = 20) -> list[UsageImport]:
    return list(UsageImport.objects.select_related("provider")[:limit])


@dataclass
class Summary:
    envelope: Envelope
    figures: EnvelopeFigures | None  # the whole envelope: reviewers and admins only
    teams: list[TeamBudget]
    burn_down: BurnDown


def budget_summary(*, user, envelope: Envelope, team_id: int | None = None) -> Summary:
    """The dashboard's figures, scoped to the viewer. Five queries whatever the data size."""
    staff = private_team_scope(user) is None
    figures = envelope_figures(envelope) if staff and team_id is None else None
    teams = team_budgets(user=user, envelope=envelope, team_id=team_id)
    return Summary(
        envelope, figures, teams, burn_down(user=user, envelope=envelope, teams=teams, figures=figures, team_id=team_id)
    )
