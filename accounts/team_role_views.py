"""A team's people and their roles: the team's lead or an admin grants and ends them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.models import Team
from core.permissions import Action, require

from . import selectors
from .forms import TeamRoleGrantForm
from .models import TeamRole
from .services.team_roles import team_role_end, team_role_grant


@login_required
def team_roles(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    require(request.user, Action.MANAGE_TEAM_ROLES, team)
    found = selectors.team_people(team)
    people = [person for person, _grant in found["people"]]
    form = TeamRoleGrantForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = next(p for p in people if p.pk == form.cleaned_data["user"])
        try:
            team_role_grant(actor=request.user, team=team, user=person, role=form.cleaned_data["role"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {
                    "person": person.get_username(),
                    "role": dict(form.fields["role"].choices)[form.cleaned_data["role"]],
                },
            )
            return redirect("team-roles", slug=team.slug)
    return render(request, "accounts/team_roles.html", {"team": team, "form": form, **found})


@login_required
@require_POST
def team_role_end_view(request, slug: str, pk: int):
    grant = get_object_or_404(TeamRole.objects.select_related("team", "user"), pk=pk, team__slug=slug)
    team_role_end(actor=request.user, grant=grant)
    messages.success(request, _("%(person)s's role ended.") % {"person": grant.user.get_username()})
    return redirect("team-roles", slug=slug)
