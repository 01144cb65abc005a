"""The project's middleware: the language (Vietnamese unless the user picked another in the
switcher), and a clear answer when the database cannot be reached."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class ChosenLanguageMiddleware:
    """Like LocaleMiddleware, but ignores the browser's Accept-Language.

    The product is Vietnamese by default for everyone; English is a deliberate choice,
    remembered in the language cookie set by Django's set_language view.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseUnavailableMiddleware:
    """A database connection lost or refused while a view runs answers 503 Service
    Unavailable with Retry-After, as JSON on the API and as a plain page elsewhere, instead
    of a bare server error: the request's transaction has rolled back, so the user is told
    nothing was saved and to try again. The error is logged in full for the operators.

    The page is rendered without the request's context processors: they would query the
    database that just failed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable during %s %s", request.method, request.path, exc_info=exception
        )
        message = _(
            "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Thao tác vừa rồi chưa được "
            "lưu; xin thử lại sau ít phút."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            html = render_to_string("503.html", {"message": message})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
