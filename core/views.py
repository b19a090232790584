from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """Liveness for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe  # a link: GET only
def language_switch(request, code: str):
    """The header's language links: sets the language cookie and goes back. A link rather than
    Django's POST form so that pages carry no CSRF token for anonymous visitors, which lets the
    public pages be served from core.microcache (changing a language cookie needs no protection)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def page_not_found(request, exception):
    """An unknown /api/ URL answers JSON like every other API error (a client parses one format)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """What Django refuses before any view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE): JSON on /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("The request is too large or malformed.")}, status=400)
    return defaults.bad_request(request, exception)
