"""Thin HTML views for leaderboards; what a viewer may see is decided in selectors.leaderboard_inputs_for."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.permissions import Action, can, require
from evaluation.models import TaskCategory

from . import selectors
from .caching import cached
from .charts import figures
from .exports import FORMATS, export
from .options import ViewOptions, apply
from .services import snapshot_publish
from .table import compute_table


def _leaderboard(slug: str):
    leaderboard = selectors.leaderboard_by_slug(slug)
    if leaderboard is None:
        raise Http404
    return leaderboard


@require_safe
def leaderboard_list(request):
    return render(request, "leaderboards/leaderboard_list.html", {"leaderboards": selectors.leaderboards_all()})


def _table_parts(request, leaderboard, inputs, *, source, snapshot) -> dict:
    """The computed, rendered part of the page (cacheable: it depends only on the inputs)."""
    options = ViewOptions.from_query(request.GET)
    table = compute_table(inputs, scale=options.scale)
    rows = apply(table, options)
    context = {
        "leaderboard": leaderboard,
        "table": table,
        "rows": rows,
        "options": options,
        "source": source,
        "tasks": options.visible_tasks(table),
        "categories": [
            (c, TaskCategory(c).label if c in TaskCategory.values else c) for c in options.visible_categories(table)
        ],
    }
    return {
        "table_html": render_to_string("leaderboards/_table.html", context, request=request),
        # Escaped here, in the cached part: escaping it on every request took a sixth of the request's time.
        "figures_json": json_script(figures(rows, table), "leaderboard-figures"),
        "source": source,
        "snapshot": None if snapshot is None else {"pk": snapshot.pk, "published_at": snapshot.published_at},
        "all_categories": [
            (c, str(TaskCategory(c).label) if c in TaskCategory.values else c) for c in table.categories
        ],
    }


def _table_page(request, leaderboard, parts):
    return render(
        request,
        "leaderboards/leaderboard_detail.html",
        {
            **parts,
            "leaderboard": leaderboard,
            "options": ViewOptions.from_query(request.GET),
            "can_publish": can(request.user, Action.PUBLISH_RESULTS),
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def leaderboard_detail(request, slug: str):
    leaderboard = selectors.leaderboard_for_viewer(slug, request.user)
    if leaderboard is None:
        raise Http404

    def build():
        inputs, source, snapshot = selectors.leaderboard_inputs_for(request.user, leaderboard)
        return _table_parts(request, leaderboard, inputs, source=source, snapshot=snapshot)

    return _table_page(request, leaderboard, cached("page", leaderboard, request.GET, build))


@require_safe
def leaderboard_export(request, slug: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    leaderboard = _leaderboard(slug)
    inputs, _source, _snapshot = selectors.leaderboard_inputs_for(request.user, leaderboard)
    options = ViewOptions.from_query(request.GET)
    response = HttpResponse(export(compute_table(inputs, scale=options.scale), options, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{leaderboard.slug}-{options.scale}.{fmt}"'
    return response


@require_POST
def leaderboard_publish(request, slug: str):
    leaderboard = _leaderboard(slug)
    require(request.user, Action.PUBLISH_RESULTS)
    published = snapshot_publish(actor=request.user, leaderboard=leaderboard, note=request.POST.get("note", ""))
    messages.success(request, _("Published a snapshot at %(when)s.") % {"when": published.published_at})
    return redirect("leaderboard-detail", slug=slug)


@require_safe
def snapshot_list(request, slug: str):
    leaderboard = _leaderboard(slug)
    return render(
        request,
        "leaderboards/snapshot_list.html",
        {"leaderboard": leaderboard, "snapshots": selectors.snapshots_of(leaderboard)},
    )


@require_safe
def snapshot_detail(request, slug: str, pk: int):
    """A published snapshot is public as it was published."""
    leaderboard = _leaderboard(slug)
    snapshot = leaderboard.snapshots.filter(pk=pk).first()
    if snapshot is None:
        raise Http404
    parts = _table_parts(request, leaderboard, snapshot.inputs, source=selectors.Source.SNAPSHOT, snapshot=snapshot)
    return _table_page(request, leaderboard, parts)
