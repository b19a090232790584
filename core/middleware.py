from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


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
    return any("\x00" in key or any("\x00" in value for value in values)
               for source in sources for key, values in source.lists())
