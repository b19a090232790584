"""Thin HTML views of the budget; every read goes through selectors scoped by core.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consortium.models import Organisation, Team, TeamStatus
from core.idempotency import FormAlreadySent, submit_once
from core.permissions import Action, can, private_team_scope, require

from . import selectors
from .exports import usage_csv, usage_xlsx
from .forms import DecisionForm, GrantForm, ImportForm, RequestForm, SplitForm, UsageFilterForm
from .models import Provider, ReallocationRequest, UsageImport
from .services.allocations import allocation_grant, allocation_split
from .services.imports import usage_import_create
from .services.requests import (
    reallocation_request_approve,
    reallocation_request_create,
    reallocation_request_refuse,
)


def _envelope():
    envelope = selectors.envelope_current()
    if envelope is None:
        raise Http404(_("No budget envelope yet."))
    return envelope


def _chart(summary) -> dict:
    burn = summary.burn_down
    return {
        "months": burn.months,
        "remaining": burn.remaining_krw,
        "used": burn.used_krw,
        "exhaustion": burn.projected_exhaustion.isoformat() if burn.projected_exhaustion else None,
        "pace": burn.monthly_burn_krw,
        "labels": {"remaining": _("Remaining (KRW)"), "used": _("Used in month"), "projection": _("Projection")},
    }


def _errors_to_form(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _sent_twice(request, form, sent: FormAlreadySent) -> bool:
    """A form submitted again with its one-time token (a double click): nothing was written this time.
    True when the first submission did the write (say so and go on as after it), False when the form
    must be shown again with the reason."""
    if sent.done:
        messages.info(request, sent.message)
        return True
    form.add_error(None, sent.message)
    return False


@login_required
@require_safe
def dashboard(request):
    envelope = _envelope()
    summary = selectors.budget_summary(user=request.user, envelope=envelope)
    is_admin = can(request.user, Action.MANAGE_BUDGET)
    return render(
        request,
        "budget/dashboard.html",
        {
            "summary": summary,
            "chart": _chart(summary),
            "alerts": selectors.alerts_visible_to(user=request.user, envelope=envelope),
            "pending": list(selectors.requests_visible_to(user=request.user).filter(status="pending")[:20]),
            "is_admin": is_admin,
            "decision_form": DecisionForm(),
            "can_import": is_admin or Provider.objects.filter(organisation_id=request.user.organisation_id).exists(),
        },
    )


@login_required
def allocation_grant_view(request):
    """An admin allocates part of the envelope's unallocated money to a team."""
    require(request.user, Action.MANAGE_BUDGET)
    envelope = _envelope()
    form = GrantForm(request.POST or None, teams=Team.objects.filter(status=TeamStatus.ACTIVE).order_by("name_en"))
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(request, lambda: allocation_grant(actor=request.user, envelope=envelope, **form.cleaned_data))
        except ValidationError as error:
            _errors_to_form(form, error)
        except FormAlreadySent as sent:
            if _sent_twice(request, form, sent):
                return redirect("budget-dashboard")
        else:
            messages.success(request, _("Allocated to %(team)s.") % {"team": form.cleaned_data["team"].name})
            return redirect("budget-dashboard")
    return render(
        request,
        "budget/allocation_grant.html",
        {"form": form, "envelope": envelope, "figures": selectors.envelope_figures(envelope)},
    )


@login_required
def team_budget(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    require(request.user, Action.VIEW_TEAM_PRIVATE, team)
    envelope = _envelope()
    may_split = can(request.user, Action.LEAD_TEAM, team) or can(request.user, Action.MANAGE_BUDGET)
    may_request = can(request.user, Action.LEAD_TEAM, team)
    members = Organisation.objects.filter(memberships__team=team).distinct().order_by("name_en")
    split_form = SplitForm(prefix="split", organisations=members)
    request_form = RequestForm(prefix="request")
    if request.method == "POST" and "split-amount_krw" in request.POST and may_split:
        split_form = SplitForm(request.POST, prefix="split", organisations=members)
        if split_form.is_valid():
            try:
                submit_once(
                    request,
                    lambda: allocation_split(
                        actor=request.user, envelope=envelope, team=team, **split_form.cleaned_data
                    ),
                )
            except ValidationError as error:
                _errors_to_form(split_form, error)
            except FormAlreadySent as sent:
                if _sent_twice(request, split_form, sent):
                    return redirect("budget-team", slug=slug)
            else:
                messages.success(request, _("Allocation passed to the member."))
                return redirect("budget-team", slug=slug)
    elif request.method == "POST" and "request-amount_krw" in request.POST and may_request:
        request_form = RequestForm(request.POST, prefix="request")
        if request_form.is_valid():
            try:
                submit_once(
                    request,
                    lambda: reallocation_request_create(
                        actor=request.user, envelope=envelope, team=team, **request_form.cleaned_data
                    ),
                )
            except ValidationError as error:
                _errors_to_form(request_form, error)
            except FormAlreadySent as sent:
                if _sent_twice(request, request_form, sent):
                    return redirect("budget-team", slug=slug)
            else:
                messages.success(request, _("Request sent to the programme admins."))
                return redirect("budget-team", slug=slug)
    summary = selectors.budget_summary(user=request.user, envelope=envelope, team_id=team.pk)
    return render(
        request,
        "budget/team.html",
        {
            "team": team,
            "summary": summary,
            "chart": _chart(summary),
            "team_budget": summary.teams[0] if summary.teams else None,
            "requests": list(selectors.requests_visible_to(user=request.user).filter(team=team)[:20]),
            "usage": list(selectors.usage_visible_to(user=request.user, envelope=envelope, team_id=team.pk)[:20]),
            "split_form": split_form if may_split else None,
            "request_form": request_form if may_request else None,
        },
    )


@login_required
@require_safe
def usage_list(request):
    scope = private_team_scope(request.user)
    teams = Team.objects.all() if scope is None else Team.objects.filter(pk__in=scope)
    form = UsageFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.usage_visible_to(
        user=request.user,
        team_id=getattr(filters.get("team"), "pk", None),
        provider_id=getattr(filters.get("provider"), "pk", None),
        gpu_type_id=getattr(filters.get("gpu_type"), "pk", None),
        since=filters.get("since"),
        until=filters.get("until"),
        overrun=filters.get("overrun"),
    )
    export = request.GET.get("export")
    if export == "csv":
        return usage_csv(entries)
    if export == "xlsx":
        return usage_xlsx(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "budget/usage.html", {"form": form, "page": page, "query": query.urlencode()})


def _importable_providers(user):
    if can(user, Action.MANAGE_BUDGET):
        return Provider.objects.all()
    return Provider.objects.filter(organisation_id=getattr(user, "organisation_id", None) or 0)


@login_required
def import_new(request):
    providers = _importable_providers(request.user)
    if not providers.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            usage_import = usage_import_create(
                actor=request.user, provider=form.cleaned_data["provider"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return redirect("budget-import", pk=usage_import.pk)
    return render(request, "budget/import_new.html", {"form": form, "imports": selectors.imports_recent()})


def _visible_import(request, pk: int) -> UsageImport:
    usage_import = get_object_or_404(UsageImport.objects.select_related("provider"), pk=pk)
    require(request.user, Action.REPORT_USAGE, usage_import.provider)
    return usage_import


@login_required
@require_safe
def import_detail(request, pk: int):
    return render(request, "budget/import_detail.html", {"usage_import": _visible_import(request, pk)})


@login_required
@require_safe
def import_status(request, pk: int):
    usage_import = _visible_import(request, pk)
    return JsonResponse(
        {
            "status": usage_import.status,
            "label": usage_import.get_status_display(),
            "percent": usage_import.percent,
            "lines_done": usage_import.lines_done,
            "lines_total": usage_import.lines_total,
            "finished": usage_import.finished_at is not None,
        }
    )


@login_required
@require_POST
def request_decide(request, pk: int):
    require(request.user, Action.MANAGE_BUDGET)
    budget_request = get_object_or_404(ReallocationRequest, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        service = (
            reallocation_request_approve if form.cleaned_data["decision"] == "approve" else reallocation_request_refuse
        )
        try:
            submit_once(
                request, lambda: service(actor=request.user, request=budget_request, note=form.cleaned_data["note"])
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except FormAlreadySent as sent:
            (messages.info if sent.done else messages.error)(request, sent.message)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("budget-dashboard")
