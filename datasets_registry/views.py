"""Thin HTML views: ask permissions, call a selector or a service, render.
The catalogue is public; purchases, spending and entitlements need a login and show
only what selectors.*_visible_to lets the viewer see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consortium.models import Organisation, Team
from core.krw import format_krw
from core.permissions import Action, can, require

from . import exports, selectors, services
from .forms import CatalogueFilterForm, ProviderFilterForm, PurchaseForm, TrainingDeclarationForm
from .models import Dataset, Provider

BLANK_ROWS = 3


@require_safe
def catalogue(request):
    require(request.user, Action.VIEW_REGISTRY)
    providers = list(Provider.objects.order_by("name_ko"))
    form = CatalogueFilterForm(request.GET or None, providers=providers)
    filters = form.cleaned_data if form.is_valid() else {}
    datasets = selectors.dataset_catalogue(**{k: v for k, v in filters.items() if v})
    return render(
        request,
        "datasets_registry/catalogue.html",
        {
            "form": form,
            "page": Paginator(datasets, 50).get_page(request.GET.get("page")),
        },
    )


@require_safe
def provider_list(request):
    require(request.user, Action.VIEW_REGISTRY)
    form = ProviderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "datasets_registry/provider_list.html",
        {
            "form": form,
            "providers": list(selectors.provider_catalogue(**{k: v for k, v in filters.items() if v})),
        },
    )


@require_safe
def dataset_detail(request, slug: str):
    require(request.user, Action.VIEW_REGISTRY)
    dataset = selectors.dataset_detail(slug=slug)
    if dataset is None:
        raise Http404
    return render(request, "datasets_registry/dataset_detail.html", {"dataset": dataset})


@login_required
@require_safe
def purchase_list(request):
    purchases = selectors.purchases_visible_to(request.user)
    return render(
        request,
        "datasets_registry/purchase_list.html",
        {
            "page": Paginator(purchases, 50).get_page(request.GET.get("page")),
            "can_record": can(request.user, Action.MANAGE_REGISTRY),
        },
    )


@login_required
def purchase_create_view(request):
    require(request.user, Action.MANAGE_REGISTRY)
    form = PurchaseForm(
        request.POST or None,
        teams=Team.objects.order_by("joined_on", "id"),
        organisations=Organisation.objects.order_by("name_ko"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            purchase = services.purchase_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Purchase recorded; the cost split and entitlements were made."))
            return redirect("data-purchase-detail", pk=purchase.pk)
    return render(request, "datasets_registry/purchase_form.html", {"form": form})


@login_required
@require_safe
def purchase_detail(request, pk: int):
    purchase = selectors.purchase_detail(user=request.user, pk=pk)
    if purchase is None:
        raise Http404
    return render(
        request,
        "datasets_registry/purchase_detail.html",
        {
            "purchase": purchase,
            "shares": list(purchase.shares.all()),
            "datasets": list(purchase.datasets.all()),
        },
    )


def _chart(rows, label_of) -> dict:
    return {
        "labels": [label_of(r) for r in rows],
        "values": [r["total"] for r in rows],
        "texts": [format_krw(r["total"]) for r in rows],
    }


@login_required
@require_safe
def spending(request):
    summary = selectors.spending_summary(request.user)
    english = request.LANGUAGE_CODE.startswith("en")

    def named(prefix):
        return lambda r: (r[f"{prefix}_name_en"] if english else r[f"{prefix}_name_ko"]) or r[f"{prefix}_name_ko"]

    def payer_of(r):
        return named("team_")(r) if r["team__name_ko"] else named("organisation_")(r)

    charts = {
        "by_provider": _chart(summary["by_provider"], named("purchase__provider_")),
        "by_payer": _chart(summary["by_payer"], payer_of),
        "by_month": _chart(summary["by_month"], lambda r: r["month"].strftime("%Y-%m")),
    }
    return render(
        request,
        "datasets_registry/spending.html",
        {
            "charts": charts,
            "total": sum(charts["by_payer"]["values"]),
        },
    )


def _export(request, fmt: str):
    header, rows = exports.share_rows(selectors.shares_visible_to(request.user))
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(header, rows),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    response["Content-Disposition"] = f'attachment; filename="data-purchase-shares.{fmt}"'
    return response


@login_required
@require_safe
def export_csv(request):
    return _export(request, "csv")


@login_required
@require_safe
def export_xlsx(request):
    return _export(request, "xlsx")


@login_required
@require_safe
def team_entitlements(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    require(request.user, Action.VIEW_TEAM_PRIVATE, team)
    return render(
        request,
        "datasets_registry/team_entitlements.html",
        {
            "team": team,
            "entitlements": list(selectors.team_entitlements(team=team)),
        },
    )


@login_required
@require_safe
def entitlement_team_list(request):
    """The teams whose entitlements the viewer may see (their own, or all for reviewers and admins)."""
    teams = [t for t in Team.objects.order_by("joined_on", "id") if can(request.user, Action.VIEW_TEAM_PRIVATE, t)]
    return render(request, "datasets_registry/entitlement_teams.html", {"teams": teams})


# ---- the checkpoint page's training-data section ------------------------------------------------------


def _may_declare(user, checkpoint) -> bool:
    return can(user, Action.SUBMIT_CHECKPOINT, checkpoint.team) or can(user, Action.MANAGE_REGISTRY)


def _declaration_form(checkpoint, declaration, data=None) -> TrainingDeclarationForm:
    items = list(declaration.items.all()) if declaration else []
    initial = {"releases_openly": declaration.releases_openly if declaration else False}
    for n, item in enumerate(items):
        initial.update(
            {
                f"dataset_{n}": item.dataset.slug,
                f"trained_from_{n}": item.trained_from,
                f"trained_until_{n}": item.trained_until,
            }
        )
    datasets = Dataset.objects.select_related("provider").order_by("name_ko", "id")
    return TrainingDeclarationForm(data, initial=initial, datasets=datasets, rows=len(items) + BLANK_ROWS)


def checkpoint_training_context(*, user, checkpoint) -> dict:
    """Context for templates/datasets_registry/_checkpoint_training_data.html, which the
    checkpoint page includes (the caller has checked VIEW_TEAM_PRIVATE)."""
    declaration = selectors.training_declaration_of(checkpoint=checkpoint)
    may_declare = _may_declare(user, checkpoint)
    return {
        "training_data": {
            "declaration": declaration,
            "items": list(declaration.items.all()) if declaration else [],
            "compliance": selectors.compliance_for_checkpoints([checkpoint.pk])[checkpoint.pk],
            "form": _declaration_form(checkpoint, declaration) if may_declare else None,
        }
    }


@login_required
@require_POST
def checkpoint_declare(request, pk: int):
    from evaluation.models import Checkpoint

    checkpoint = get_object_or_404(Checkpoint.objects.select_related("team"), pk=pk)
    # Another team's checkpoint is "not found", as on its own page.
    if not can(request.user, Action.VIEW_TEAM_PRIVATE, checkpoint) or not _may_declare(request.user, checkpoint):
        raise Http404
    form = _declaration_form(checkpoint, selectors.training_declaration_of(checkpoint=checkpoint), request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("checkpoint-detail", pk=pk)
    try:
        services.training_declaration_set(
            actor=request.user,
            checkpoint=checkpoint,
            releases_openly=form.cleaned_data["releases_openly"],
            items=form.items(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Training data declared."))
    return redirect("checkpoint-detail", pk=pk)
