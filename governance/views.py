"""Thin HTML views: a reviewer's conflicts of interest, and a stage's objections."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.models import Team
from core.inputs import whole_number
from core.permissions import Action, can, led_team_ids_of, require
from core.roles import MINISTRY_REVIEWER_GROUP
from stages import selectors as stage_selectors
from stages.models import Criterion

from . import selectors
from .models import Objection, ObjectionStatus
from .services import conflict_declare, objection_answer, objection_file


def _messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def conflicts(request):
    """A reviewer's affiliations and declared conflicts, and the form to declare one; an admin sees
    every reviewer's and may record one for any of them."""
    user = request.user
    is_admin = can(user, Action.MANAGE_STAGES)
    if not can(user, Action.DECLARE_CONFLICT, user):
        raise PermissionDenied
    reviewers = (
        list(get_user_model().objects.filter(groups__name=MINISTRY_REVIEWER_GROUP).order_by("username"))
        if is_admin
        else []
    )
    if request.method == "POST":
        team = Team.objects.filter(pk=whole_number(request.POST.get("team", ""))).first()
        reviewer = user
        if is_admin and request.POST.get("reviewer"):
            reviewer = get_user_model().objects.filter(pk=whole_number(request.POST["reviewer"])).first()
        if team is None or reviewer is None:
            messages.error(request, _("Choose a team (and, as an admin, a reviewer)."))
        else:
            try:
                conflict_declare(actor=user, reviewer=reviewer, team=team, reason=request.POST.get("reason", ""))
                messages.success(request, _("Conflict with %(team)s recorded.") % {"team": team.name})
                return redirect("conflicts")
            except ValidationError as error:
                _messages(request, error)
    teams = list(Team.objects.order_by("name_en"))
    names = {t.pk: t for t in teams}
    affiliations = [
        {"team": names[t], "reason": why} for t, why in sorted(selectors.conflicts_of(user).items()) if t in names
    ]
    return render(
        request,
        "governance/conflicts.html",
        {
            "affiliations": affiliations,
            "declared": selectors.declared_conflicts(None if is_admin else user),
            "teams": teams,
            "reviewers": reviewers,
            "is_admin": is_admin,
            "can_declare_own": can(user, Action.ENTER_EXPERT_SCORES),
        },
    )


def _stage(slug: str):
    stage = stage_selectors.stage_by_slug(slug)
    if stage is None:
        raise Http404
    return stage


def stage_objections(request, slug: str):
    """The stage's objections and answers as the person may see them; a team lead files one here."""
    stage = _stage(slug)
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        team = Team.objects.filter(pk=whole_number(request.POST.get("team", ""))).first()
        if team is None or not can(user, Action.FILE_OBJECTION, team):
            raise PermissionDenied
        criterion = (
            Criterion.objects.select_related("part").filter(pk=whole_number(request.POST.get("criterion", ""))).first()
        )
        try:
            objection_file(
                actor=user,
                stage=stage,
                team=team,
                text=request.POST.get("text", ""),
                task=request.POST.get("task", ""),
                criterion=criterion,
            )
            messages.success(request, _("Your objection is filed; reviewers and admins will answer it."))
            return redirect("stage-objections", slug=slug)
        except ValidationError as error:
            _messages(request, error)
    elif request.method not in ("GET", "HEAD"):
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    ends = selectors.objection_window_ends(stage)
    led = led_team_ids_of(user) if user.is_authenticated else frozenset()
    may_file = ends is not None and timezone.now() <= ends and led
    return render(
        request,
        "governance/stage_objections.html",
        {
            "stage": stage,
            "objections": selectors.objections_visible(user, stage),
            "window_ends": ends,
            "window_open": ends is not None and timezone.now() <= ends,
            "lead_teams": list(stage.entries.filter(team_id__in=led).select_related("team")) if may_file else [],
            "tasks": list(stage.suite_version.tasks.order_by("position").values_list("task", flat=True))
            if may_file
            else [],
            "criteria": list(Criterion.objects.filter(part__stage=stage).order_by("part__position", "position"))
            if may_file
            else [],
            "can_answer": can(user, Action.ANSWER_OBJECTION),
            "outcomes": [ObjectionStatus.UPHELD, ObjectionStatus.REJECTED],
        },
    )


@login_required
@require_POST
def objection_answer_view(request, slug: str, pk: int):
    require(request.user, Action.ANSWER_OBJECTION)  # before reading the form
    objection = Objection.objects.filter(pk=pk, stage__slug=slug).first()
    if objection is None:
        raise Http404
    try:
        objection_answer(
            actor=request.user,
            objection=objection,
            outcome=request.POST.get("outcome", ""),
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("The objection is answered."))
    except ValidationError as error:
        _messages(request, error)
    return redirect("stage-objections", slug=slug)
