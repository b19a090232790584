from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
