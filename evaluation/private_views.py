"""Pages of the ministry's private benchmarks: benchmark authors only (AUTHOR_BENCHMARK)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.idempotency import FormAlreadySent, submit_once
from core.permissions import Action, require

from .forms import PrivateBenchmarkForm
from .models import PrivateBenchmark
from .private_tasks import ItemsError
from .services.private_benchmarks import (
    private_benchmark_preview,
    private_benchmark_publish,
    private_benchmark_save,
)


def _save(request, form, benchmark=None):
    """Save the form through the service; re-render with the service's reasons, or redirect."""
    upload = form.cleaned_data.pop("items")
    items_file = (upload.name, upload.read()) if upload else None
    try:
        saved = submit_once(
            request,
            lambda: private_benchmark_save(actor=request.user, items_file=items_file, **form.cleaned_data),
            keep=lambda b: b.slug,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return None
    except FormAlreadySent as sent:
        return redirect("private-benchmark", slug=sent.kept or benchmark.slug) if sent.done else None
    messages.success(request, _("Saved. Check the preview, then publish."))
    return redirect("private-benchmark", slug=saved.slug)


@login_required
def private_benchmark_list(request):
    require(request.user, Action.AUTHOR_BENCHMARK)
    form = PrivateBenchmarkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        answer = _save(request, form)
        if answer:
            return answer
    return render(
        request,
        "evaluation/private_benchmark_list.html",
        {"form": form, "benchmarks": PrivateBenchmark.objects.select_related("snapshot")},
    )


@login_required
def private_benchmark_detail(request, slug: str):
    require(request.user, Action.AUTHOR_BENCHMARK)
    benchmark = get_object_or_404(PrivateBenchmark.objects.select_related("snapshot"), slug=slug)
    initial = {
        f: getattr(benchmark, f) for f in ("slug", "name_ko", "name_en", "kind", "prompt_template", "answer_pattern")
    }
    form = PrivateBenchmarkForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["slug"] = benchmark.slug
        answer = _save(request, form, benchmark)
        if answer:
            return answer
    try:
        preview, preview_error = private_benchmark_preview(actor=request.user, benchmark=benchmark), ""
    except ItemsError as error:
        preview, preview_error = [], str(error)
    return render(
        request,
        "evaluation/private_benchmark_detail.html",
        {"benchmark": benchmark, "form": form, "preview": preview, "preview_error": preview_error},
    )


@login_required
@require_POST
def private_benchmark_publish_view(request, slug: str):
    require(request.user, Action.AUTHOR_BENCHMARK)
    benchmark = get_object_or_404(PrivateBenchmark, slug=slug)
    try:
        version = submit_once(request, lambda: private_benchmark_publish(actor=request.user, benchmark=benchmark))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except FormAlreadySent as sent:
        messages.info(request, sent.message)
    else:
        messages.success(
            request,
            _("Published in %(version)s: teams can be scored on it, and see their score only.") % {"version": version},
        )
    return redirect("private-benchmark", slug=slug)
