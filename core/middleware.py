from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException


def request_language(request) -> str:
    """Pages are Korean unless the visitor chose English with the switcher (a cookie).
    API clients may also ask with Accept-Language, e.g. for English error messages."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    if request.path_info.startswith("/api/"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class KoreanFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulCharactersMiddleware:
    """A NUL character is never text a person typed, and PostgreSQL can neither store nor compare it.
    A page's query string or form holding one answers 400 before a view reads it (Django's form
    fields refuse it, but a view reading request.POST directly passed it on: 500). The API refuses
    it through DRF's fields and core.api.exceptions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/") and _holds_nul(request):
            return HttpResponseBadRequest(_("The request holds a NUL character."))
        return self.get_response(request)


def _holds_nul(request) -> bool:
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for source in sources
        for key, values in source.lists()
    )


class ApiJsonErrorsMiddleware:
    """Every error under /api/ is JSON, with DEBUG on or off. DRF's views already answer JSON; what
    Django answers before or around them is not: an unknown URL (with DEBUG, the technical 404 page;
    the handlers in core.views only run with DEBUG off), a Host it refuses, a body too large, an
    unhandled exception (the technical 500 page, or the plain 500 page). Outermost in MIDDLEWARE,
    it sees each of those as an HTML response and answers `{"detail": ...}` with the same status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith("/api/")
            and not _is_json(response.get("Content-Type", ""))
        ):
            return _json_error(response)
        return response


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _json_error(response):
    """The same status, headers (Allow, Retry-After, the security headers…) and cookies; a JSON body."""
    status = response.status_code
    detail = {
        400: _("The request is too large or malformed."),
        404: _("Not found."),
        500: APIException.default_detail,
    }.get(status)
    if detail is None:
        try:
            detail = HTTPStatus(status).phrase
        except ValueError:
            detail = str(status)
    answer = JsonResponse({"detail": str(detail)}, status=status)
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            answer[header] = value
    answer.cookies = response.cookies
    return answer
