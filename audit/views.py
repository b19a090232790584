"""The audit log for reviewers and admins: a filtered, paged page and a streamed CSV export."""

import csv
import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.inputs import whole_number
from core.permissions import Action, require

from . import selectors

FILTERS = ("actor", "action", "target_type", "date_from", "date_to")


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None  # a crafted date filters nothing rather than answering 500


def _filters(request) -> dict:
    get = request.GET
    return {
        "actor": get.get("actor", "").strip()[:150],
        "action": get.get("action", "").strip()[:100],
        "target_type": get.get("target_type", "").strip()[:100],
        "date_from": _date(get.get("date_from", "")),
        "date_to": _date(get.get("date_to", "")),
    }


@login_required
@require_safe
def audit_log(request):
    require(request.user, Action.VIEW_AUDIT)
    filters = _filters(request)
    paginator = Paginator(selectors.audit_events_filtered(**filters), settings.AUDIT_PAGE_SIZE)
    page = paginator.get_page(whole_number(request.GET.get("page", "1")) or 1)
    seq, digest = selectors.audit_head()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "choices": selectors.audit_filter_choices(),
            "head_seq": seq,
            "head_hash": digest,
            "exports": selectors.audit_head_exports(5),
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


COLUMNS = ("seq", "time", "actor", "action", "object_type", "object_id", "object", "payload", "prev_hash", "hash")


def _cell(value: str) -> str:
    """A spreadsheet must not run what someone typed: a leading =, +, - or @ is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
@require_safe
def audit_export(request):
    """The filtered events as CSV, streamed row by row (the payload and hashes included, so a copy
    can be re-verified outside)."""
    require(request.user, Action.VIEW_AUDIT)
    events = selectors.audit_events_filtered(**_filters(request))
    writer = csv.writer(_Echo())
    rows = (
        writer.writerow(
            [
                e.seq,
                e.created_at.isoformat(),
                _cell(e.actor_username),
                _cell(e.action),
                e.target_type,
                e.target_id,
                _cell(e.target_repr),
                e.payload,
                e.prev_hash,
                e.hash,
            ]
        )
        for e in events.iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        (line for chunk in ([writer.writerow(COLUMNS)], rows) for line in chunk), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    return response
