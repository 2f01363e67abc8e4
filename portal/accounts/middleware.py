"""The language of each page: the mentor's choice, else the browser's, else English."""

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation


def language_for(user) -> str:
    """The language a person chose, or "" when they have not (the browser decides).

    Mentor pages and emails are translated; staff and school site contact pages are in
    English only, so a signed-in person who is not a mentor always gets English.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if not user.is_mentor:
        return settings.LANGUAGE_CODE
    return user.language or ""


class LanguageMiddleware:
    """Activate the request's language and say it in ``Content-Language``.

    Signed-in mentors who chose a language get it; anyone else (signed out, or a mentor
    who has not chosen) gets the best match for the browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            language = language_for(getattr(request, "user", None))
        except DatabaseError:
            # The database is down: the error page still gets the browser's language.
            language = ""
        if not language:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Pages are rendered by now; work after the request is in the default language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        vary = response.headers.get("Vary", "")
        if "accept-language" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        return response
