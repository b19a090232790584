"""Thin HTML views for stage evaluations; visibility lives in selectors, rules in services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consortium.models import Team
from core.inputs import whole_number
from core.permissions import Action, can, led_team_ids_of, require
from core.uploads import upload_size_check
from evaluation.models import Checkpoint, CheckpointStatus
from leaderboards.selectors import checkpoint_flags

from . import selectors
from .blockers import stage_blockers
from .conflicts import conflicts_of
from .report import export, part_columns, parts_chart, result_rows
from .services.gate import gate_item_decide
from .services.nominations import nomination_submit, nominations_freeze
from .services.official_runs import official_run_rerequest
from .services.scores import expert_scores_save, user_scores_import
from .services.stages import stage_finalise, team_exclude

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _stage(slug: str):
    stage = selectors.stage_by_slug(slug)
    if stage is None:
        raise Http404
    return stage


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_safe
def stage_list(request):
    return render(request, "stages/stage_list.html", {"stages": selectors.stages_all()})


@require_safe
def stage_detail(request, slug: str):
    stage = _stage(slug)
    user = request.user
    result = selectors.stage_result_for(user, stage)
    nominations = {n.team_id: n for n in selectors.nominations_visible(user, stage)}
    flags = checkpoint_flags(user, {n.checkpoint_id: n.team_id for n in nominations.values()})
    for nomination in nominations.values():
        nomination.flags = flags.get(str(nomination.checkpoint_id), {})
    context = {
        "stage": stage,
        "teams": [
            {"entry": entry, "nomination": nominations.get(entry.team_id)}
            for entry in stage.entries.select_related("team").order_by("team__name_en")
        ],
        "can_manage": can(user, Action.MANAGE_STAGES),
        "can_publish": can(user, Action.PUBLISH_RESULTS),
        "can_score": can(user, Action.ENTER_EXPERT_SCORES),
    }
    if context["can_publish"] or context["can_manage"]:
        context["blockers"] = stage_blockers(stage)  # exactly what stage_finalise refuses with
        context["gate_items"] = selectors.gate_items(stage)
        gate = {
            i.nomination_id: i for i in context["gate_items"] if i.report.checkpoint_id == i.nomination.checkpoint_id
        }
        for item in context["teams"]:  # the nominated checkpoint's latest gate item, beside the team
            item["gate"] = gate.get(item["nomination"].pk) if item["nomination"] else None
    led = led_team_ids_of(user) if user.is_authenticated else frozenset()
    context["nominable"] = (
        list(
            Checkpoint.objects.filter(team_id__in=led, status=CheckpointStatus.READY)
            .select_related("team")
            .order_by("-submitted_at")
        )
        if led
        else []
    )
    if result is not None:
        inputs, outcome, final = result
        context.update(
            inputs=inputs,
            outcome=outcome,
            final=final,
            columns=part_columns(inputs),
            rows=result_rows(inputs, outcome),
            chart=parts_chart(inputs, outcome),
        )
    return render(request, "stages/stage_detail.html", context)


@require_safe
def stage_report(request, slug: str):
    stage = _stage(slug)
    result = selectors.stage_result_for(request.user, stage)
    if result is None:
        raise Http404
    inputs, outcome, final = result
    return render(
        request,
        "stages/stage_report.html",
        {
            "stage": stage,
            "inputs": inputs,
            "outcome": outcome,
            "final": final,
            "columns": part_columns(inputs),
            "rows": result_rows(inputs, outcome),
            "chart": parts_chart(inputs, outcome),
            "result": getattr(stage, "result", None) if final else None,
        },
    )


@require_safe
def stage_export(request, slug: str, fmt: str):
    if fmt not in EXPORT_TYPES:
        raise Http404
    stage = _stage(slug)
    result = selectors.stage_result_for(request.user, stage)
    if result is None:
        raise Http404
    inputs, outcome, _final = result
    response = HttpResponse(export(inputs, outcome, fmt), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stage.slug}-result.{fmt}"'
    return response


def _post_back(request, slug: str, write, success) -> HttpResponse:
    """Run a service; say what happened (or every problem) and go back to the stage page."""
    try:
        result = write()
        messages.success(request, success(result))
    except ValidationError as error:
        _errors(request, error)
    return redirect("stage-detail", slug=slug)


@login_required
@require_POST
def nominate(request, slug: str):
    stage = _stage(slug)
    checkpoint_id = whole_number(request.POST.get("checkpoint", ""))  # a crafted form must not answer 500
    checkpoint = Checkpoint.objects.select_related("team").filter(pk=checkpoint_id).first()
    if checkpoint is None or not can(request.user, Action.VIEW_TEAM_PRIVATE, checkpoint):
        raise Http404
    return _post_back(
        request,
        slug,
        lambda: nomination_submit(actor=request.user, stage=stage, checkpoint=checkpoint),
        lambda _n: _("Nominated %(checkpoint)s.") % {"checkpoint": checkpoint.name},
    )


@login_required
@require_POST
def freeze(request, slug: str):
    return _post_back(
        request,
        slug,
        lambda: nominations_freeze(actor=request.user, stage=_stage(slug)),
        lambda queued: _("Nominations frozen; %(n)s official runs are being verified and queued.") % {"n": len(queued)},
    )


@login_required
@require_POST
def exclude(request, slug: str):
    require(request.user, Action.PUBLISH_RESULTS)  # before reading the form: outsiders learn nothing from it
    stage = _stage(slug)
    team = Team.objects.filter(pk=whole_number(request.POST.get("team", ""))).first()
    if team is None:
        raise Http404
    return _post_back(
        request,
        slug,
        lambda: team_exclude(actor=request.user, stage=stage, team=team, reason=request.POST.get("reason", "")),
        lambda _entry: _("%(team)s is excluded from advancing.") % {"team": team.name},
    )


def _nomination(request, stage):
    nomination = (
        stage.nominations.select_related("team").filter(team_id=whole_number(request.POST.get("team", ""))).first()
    )
    if nomination is None:
        raise Http404
    return nomination


@login_required
@require_POST
def rerun_official(request, slug: str):
    require(request.user, Action.MANAGE_STAGES)  # before reading the form
    stage = _stage(slug)
    nomination = _nomination(request, stage)
    return _post_back(
        request,
        slug,
        lambda: official_run_rerequest(
            actor=request.user, stage=stage, nomination=nomination, reason=request.POST.get("reason", "")
        ),
        lambda n: (
            _("The official run of %(team)s is requested again (run #%(run)s).")
            % {"team": n.team.name, "run": n.official_run_id}
        ),
    )


@login_required
@require_POST
def gate_decide(request, slug: str):
    require(request.user, Action.PUBLISH_RESULTS)  # before reading the form
    stage = _stage(slug)
    nomination = _nomination(request, stage)
    return _post_back(
        request,
        slug,
        lambda: gate_item_decide(
            actor=request.user,
            stage=stage,
            nomination=nomination,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        ),
        lambda item: (
            _("Originality gate for %(team)s: %(status)s.")
            % {"team": nomination.team.name, "status": item.get_status_display()}
        ),
    )


@login_required
@require_POST
def finalise(request, slug: str):
    return _post_back(
        request,
        slug,
        lambda: stage_finalise(actor=request.user, stage=_stage(slug)),
        lambda _result: _("The stage is finalised."),
    )


@login_required
@require_POST
def import_user_scores(request, slug: str):
    require(request.user, Action.MANAGE_STAGES)  # before reading the upload
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("stage-detail", slug=slug)
    try:
        upload_size_check(upload, limit=settings.STAGE_USER_SCORES_MAX_BYTES)
        text = upload.read().decode("utf-8-sig")
        count = user_scores_import(actor=request.user, stage=_stage(slug), text=text)
        messages.success(request, _("Imported %(n)s user scores.") % {"n": count})
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("stage-detail", slug=slug)


@login_required
def expert_scores(request, slug: str):
    stage = _stage(slug)
    if not (can(request.user, Action.ENTER_EXPERT_SCORES) or can(request.user, Action.PUBLISH_RESULTS)):
        raise PermissionDenied
    criteria = selectors.expert_criteria(stage)
    teams = [e.team for e in stage.entries.select_related("team").order_by("team__name_en")]
    if request.method == "POST":
        require(request.user, Action.ENTER_EXPERT_SCORES)
        scores = {
            (team.pk, c.key): request.POST.get(f"score-{team.pk}-{c.key}", "") for team in teams for c in criteria
        }
        try:
            expert_scores_save(actor=request.user, stage=stage, scores=scores, submit="submit" in request.POST)
            messages.success(
                request,
                _("Scores submitted; they are final.") if "submit" in request.POST else _("Scores saved as a draft."),
            )
            return redirect("stage-expert-scores", slug=slug)
        except ValidationError as error:
            _errors(request, error)
    visible = selectors.expert_scores_visible(request.user, stage)
    # Teams the reviewer may not score show why, with no inputs (the service refuses them anyway).
    conflicts = (
        conflicts_of(request.user, [t.pk for t in teams]) if can(request.user, Action.ENTER_EXPERT_SCORES) else {}
    )
    grid = [
        {
            "team": team,
            "conflict": conflicts.get(team.pk, ""),
            "cells": [
                {
                    "criterion": c,
                    "name": f"score-{team.pk}-{c.key}",
                    "value": request.POST.get(f"score-{team.pk}-{c.key}", visible["own"].get((team.pk, c.key), "")),
                }
                for c in criteria
            ],
        }
        for team in teams
    ]
    return render(
        request,
        "stages/expert_scores.html",
        {
            "stage": stage,
            "criteria": criteria,
            "grid": grid,
            "others": visible["others"],
            "sees_others": visible["sees_others"],
            "submitted": selectors.has_submitted(request.user, stage),
            "can_score": can(request.user, Action.ENTER_EXPERT_SCORES) and not stage.is_finalised,
        },
    )
