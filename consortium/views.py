"""Thin HTML views: ask permissions, call a selector, render."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.permissions import Action, can, require

from . import selectors


@require_safe
def overview(request):
    require(request.user, Action.VIEW_REGISTRY)
    programme = selectors.programme_current()
    today = timezone.localdate()
    teams = list(selectors.team_overview(programme=programme, on=today)) if programme else []
    return render(
        request,
        "consortium/overview.html",
        {
            "programme": programme,
            "teams": teams,
            "today": today,
            "timeline": selectors.programme_timeline(programme=programme) if programme else [],
        },
    )


@require_safe
def team_detail(request, slug: str):
    team = selectors.team_detail(slug=slug)
    if team is None:
        raise Http404
    require(request.user, Action.VIEW_REGISTRY, team)
    today = timezone.localdate()
    memberships = list(team.memberships.all())
    return render(
        request,
        "consortium/team_detail.html",
        {
            "team": team,
            "today": today,
            "current": [m for m in memberships if m.is_active_on(today)],
            "upcoming": [m for m in memberships if m.joined_on > today],
            "former": [m for m in memberships if m.left_on and m.left_on < today],
            "can_manage_roles": can(request.user, Action.MANAGE_TEAM_ROLES, team),
        },
    )


@require_safe
def organisation_detail(request, slug: str):
    organisation = selectors.organisation_detail(slug=slug)
    if organisation is None:
        raise Http404
    require(request.user, Action.VIEW_REGISTRY, organisation)
    show_people = can(request.user, Action.VIEW_PEOPLE, organisation)
    return render(
        request,
        "consortium/organisation_detail.html",
        {
            "organisation": organisation,
            "today": timezone.localdate(),
            "memberships": list(organisation.memberships.all()),
            "people": list(selectors.organisation_people(organisation=organisation)) if show_people else None,
        },
    )
