from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """Liveness for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
