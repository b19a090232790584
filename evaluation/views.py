"""Thin HTML views for checkpoints and runs; all access goes through core.permissions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consortium.models import Team, TeamStatus
from core.idempotency import FormAlreadySent, submit_once
from core.inputs import whole_number
from core.permissions import Action, can, require, submit_team_ids_of

from . import protocol, selectors
from .forms import CheckpointSubmitForm, RunRequestForm
from .services.checkpoints import checkpoint_submit
from .services.runs import run_cancel, run_request


def _submittable_teams(user):
    """Active teams the person may submit for (SUBMIT_CHECKPOINT's rule: lead or submitter)."""
    return Team.objects.filter(pk__in=submit_team_ids_of(user), status=TeamStatus.ACTIVE)


@login_required
@require_safe
def checkpoint_list(request):
    checkpoints = selectors.checkpoints_visible_to(request.user)
    page = Paginator(checkpoints, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/checkpoint_list.html",
        {
            "page": page,
            "can_submit": _submittable_teams(request.user).exists(),
        },
    )


@login_required
def checkpoint_submit_view(request):
    require(request.user, Action.USE_EVALUATION)
    teams = _submittable_teams(request.user)
    form = CheckpointSubmitForm(request.POST or None, teams=teams, suites=selectors.suites_current())
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = submit_once(
                request,
                lambda: checkpoint_submit(actor=request.user, **form.cleaned_data),
                keep=lambda submitted: str(submitted.pk),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except FormAlreadySent as sent:  # a double click: the first submission is the one
            if not sent.done:
                form.add_error(None, sent.message)
            else:
                messages.info(request, sent.message)
                return redirect("checkpoint-detail", pk=int(sent.kept))
        else:
            messages.success(request, _("Submitted. Validation has started."))
            return redirect("checkpoint-detail", pk=checkpoint.pk)
    return render(request, "evaluation/checkpoint_submit.html", {"form": form})


@login_required
def checkpoint_detail(request, pk: int):
    checkpoint = selectors.checkpoint_detail(user=request.user, pk=pk)
    if checkpoint is None:
        raise Http404
    require(request.user, Action.VIEW_TEAM_PRIVATE, checkpoint)
    form = RunRequestForm(request.POST or None, suites=selectors.suites_current())
    if request.method == "POST" and form.is_valid():
        try:
            run = run_request(
                actor=request.user,
                checkpoint=checkpoint,
                suite_version=selectors.suite_version_current(slug=form.cleaned_data["suite"]),
                preview_limit=form.cleaned_data["preview_limit"],
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                form.add_error(None, problems)
        else:
            return redirect("run-detail", pk=run.pk)
    return render(
        request,
        "evaluation/checkpoint_detail.html",
        {
            "checkpoint": checkpoint,
            "runs": list(checkpoint.runs.all()),
            "form": form,
            "can_request": can(request.user, Action.SUBMIT_CHECKPOINT, checkpoint.team)
            or can(request.user, Action.MANAGE_REGISTRY),
        },
    )


def _visible_run(request, pk: int):
    run = selectors.run_detail(user=request.user, pk=pk)
    if run is None:
        raise Http404
    require(request.user, Action.VIEW_TEAM_PRIVATE, run)
    return run


@login_required
@require_safe
def run_detail(request, pk: int):
    run = _visible_run(request, pk)
    return render(
        request,
        "evaluation/run_detail.html",
        {
            "run": run,
            "results": list(run.task_results.all()),
            "protocol_groups": protocol.grouped(run.protocol),
            "sample_tasks": selectors.sample_tasks_visible(user=request.user, run=run),
            "has_samples": selectors.run_has_samples(run),
            "log_tail": selectors.run_log_for(user=request.user, run=run),
            "error": selectors.run_error_for(user=request.user, run=run),
            "shards": selectors.run_shards(run),
            "can_cancel": not run.is_terminal
            and (can(request.user, Action.SUBMIT_CHECKPOINT, run.team) or can(request.user, Action.MANAGE_REGISTRY)),
        },
    )


@login_required
@require_safe
def run_status(request, pk: int):
    """What the run page polls while a run is queued or running."""
    run = _visible_run(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "terminal": run.is_terminal,
            "progress_done": run.progress_done,
            "progress_total": run.progress_total,
            "progress_percent": run.progress_percent,
            "current_task": run.current_task,
            "attempts": run.attempts,
            "progress_unit": _("shards") if run.shards.exists() else _("tasks"),
            "error": selectors.run_error_for(user=request.user, run=run),
        }
    )


@login_required
@require_POST
def run_cancel_view(request, pk: int):
    run = _visible_run(request, pk)
    try:
        run_cancel(actor=request.user, run=run)
        messages.success(request, _("The run was cancelled."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("run-detail", pk=pk)


@login_required
@require_safe
def run_samples(request, pk: int):
    run = _visible_run(request, pk)
    tasks = selectors.sample_tasks_visible(user=request.user, run=run)
    task = request.GET.get("task") or (tasks[0] if tasks else "")
    page_number = max(1, whole_number(request.GET.get("page", ""), max_digits=9) or 1)
    narrow = selectors.SampleFilter(
        subtask=request.GET.get("subtask", ""), outcome=request.GET.get("outcome", ""), query=request.GET.get("q", "")
    )
    rows, total = selectors.run_samples(user=request.user, run=run, task=task, page=page_number, narrow=narrow)
    pages = max(1, -(-total // 20))
    return render(
        request,
        "evaluation/run_samples.html",
        {
            "run": run,
            "tasks": tasks,
            "task": task,
            "rows": rows,
            "total": total,
            "page": page_number,
            "pages": pages,
            "narrow": narrow,
            "capped": bool(narrow.query) and total > selectors.SEARCH_COUNT_CAP,
            "cap": selectors.SEARCH_COUNT_CAP,
            "subtasks": selectors.run_subtasks(run, task) if task in tasks else [],
            "query_string": urlencode(
                {
                    k: v
                    for k, v in {
                        "task": task,
                        "subtask": narrow.subtask,
                        "outcome": narrow.outcome,
                        "q": narrow.query,
                    }.items()
                    if v
                }
            ),
        },
    )


@login_required
@require_safe
def run_samples_export(request, pk: int):
    """Every sample of the run (or of ?task=) the user may browse, as JSON lines, streamed."""
    run = _visible_run(request, pk)
    task = request.GET.get("task", "")
    lines = selectors.run_samples_export(user=request.user, run=run, task=task)
    if lines is None:
        raise Http404
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
    name = f"run-{run.pk}-{task}-samples.jsonl" if task else f"run-{run.pk}-samples.jsonl"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
