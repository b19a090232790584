"""Every non-trivial read of the registry, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet

from .models import Membership, Organisation, Programme, Team


def programme_current() -> Programme | None:
    return Programme.objects.order_by("-year", "id").first()


def _active_on_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )


def team_overview(*, programme: Programme, on: datetime.date) -> QuerySet[Team]:
    """The programme's teams, each with `member_count`: organisations in it on `on`."""
    return (
        programme.teams.select_related("lead_organisation")
        .annotate(member_count=Count("memberships", filter=_active_on_q(on, "memberships__"), distinct=True))
        .order_by("joined_on", "id")
    )


def _memberships_with_roles(queryset=None) -> QuerySet[Membership]:
    queryset = queryset if queryset is not None else Membership.objects.all()
    return queryset.select_related("team", "organisation").prefetch_related("roles").order_by("joined_on", "id")


def team_detail(*, slug: str) -> Team | None:
    """A team with its memberships (organisation and roles prefetched)."""
    return (
        Team.objects.select_related("programme", "lead_organisation")
        .prefetch_related(Prefetch("memberships", queryset=_memberships_with_roles()))
        .filter(slug=slug)
        .first()
    )


def organisation_detail(*, slug: str) -> Organisation | None:
    return (
        Organisation.objects.prefetch_related(Prefetch("memberships", queryset=_memberships_with_roles()))
        .filter(slug=slug)
        .first()
    )


def organisation_people(*, organisation: Organisation):
    return organisation.users.filter(is_active=True).order_by("last_name", "first_name", "username")


def membership_list() -> QuerySet[Membership]:
    return _memberships_with_roles()


def membership_active_filter(queryset: QuerySet[Membership], day: datetime.date) -> QuerySet[Membership]:
    return queryset.filter(_active_on_q(day))


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date
    kind: str  # "team_joined" | "member_joined" | "member_left" | "team_status"
    team: Team
    organisation: Organisation | None = None


def programme_timeline(*, programme: Programme) -> list[TimelineEntry]:
    """Dated events of the programme, newest first: teams selected, members joining
    after their team started, members leaving. Stage evaluations join it with the stage issue."""
    teams = {t.pk: t for t in programme.teams.all()}
    entries = [TimelineEntry(t.joined_on, "team_joined", t) for t in teams.values()]
    later_changes = (
        Membership.objects.filter(team__programme=programme)
        .select_related("organisation")
        .filter(Q(left_on__isnull=False) | Q(joined_on__gt=F("team__joined_on")))
    )
    for m in later_changes:
        team = teams[m.team_id]
        if m.joined_on > team.joined_on:
            entries.append(TimelineEntry(m.joined_on, "member_joined", team, m.organisation))
        if m.left_on:
            entries.append(TimelineEntry(m.left_on, "member_left", team, m.organisation))
    return sorted(entries, key=lambda e: (e.day, e.kind), reverse=True)
