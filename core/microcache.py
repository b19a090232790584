"""A few seconds' cache of the public leaderboard pages as anonymous visitors get them.

On the day a stage is announced the public reads the leaderboards all at once, and every
anonymous visitor gets the same page (published snapshots only). So each worker keeps each such
response for PUBLIC_MICROCACHE_SECONDS and answers repeats without sessions, authentication,
queries or rendering. Nothing personal can enter it: only requests with no credentials (no
cookie but the language one, no Authorization header) are served or stored, and only responses
that set no cookie. The price: a newly published snapshot reaches the public within those seconds.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from .middleware import request_language

PUBLIC_VIEWS = frozenset(
    {
        "leaderboard-list",
        "leaderboard-detail",
        "leaderboard-export",
        "snapshot-list",
        "snapshot-detail",
        "api:leaderboard-list",
        "api:leaderboard-detail",
        "api:leaderboard-charts",
        "api:snapshot-detail",
    }
)


def _cacheable_request(request) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if any(name != settings.LANGUAGE_COOKIE_NAME for name in request.COOKIES):
        return False
    try:
        return resolve(request.path_info).view_name in PUBLIC_VIEWS
    except Resolver404:
        return False


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


class PublicMicrocacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PUBLIC_MICROCACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        cache = caches["microcache"]
        key = hashlib.sha256(
            repr((request.get_full_path(), request_language(request), request.META.get("HTTP_ACCEPT", ""))).encode()
        ).hexdigest()
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            return HttpResponse(content, status=status, headers=headers)
        response = self.get_response(request)
        if _cacheable_response(request, response):
            cache.set(key, (response.status_code, dict(response.items()), response.content), seconds)
        return response
