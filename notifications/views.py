"""A person's inbox (mark as read), the unread count for the header, and their preferences.
Thin: core.permissions decides, services write, selectors read (always the person's own rows)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.permissions import Action, require

from . import selectors
from .forms import PreferencesForm
from .preferences import preferences_of
from .services import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)


@login_required
@require_safe
def inbox(request):
    require(request.user, Action.USE_NOTIFICATIONS)
    page = Paginator(selectors.inbox_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@never_cache
@login_required
@require_safe
def unread(request):
    """The header's unread count, fetched by the page: no page pays a query for it."""
    require(request.user, Action.USE_NOTIFICATIONS)
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one as read; with `go`, follow its link (a path inside the platform only)."""
    require(request.user, Action.USE_NOTIFICATIONS)
    notification_mark_read(actor=request.user, notification_id=pk)
    target = request.POST.get("go", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return redirect(target)
    return redirect("notification-inbox")


@login_required
@require_POST
def mark_all_read(request):
    require(request.user, Action.USE_NOTIFICATIONS)
    marked = notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": marked})
    return redirect("notification-inbox")


@login_required
def preferences(request):
    require(request.user, Action.USE_NOTIFICATIONS)
    # Not `request.POST or None`: with every box unticked the browser posts no field at all.
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial_choices=preferences_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_set(actor=request.user, choices=form.choices())
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form})
