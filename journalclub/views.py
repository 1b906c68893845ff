import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.flatpages.views import render_flatpage
from django.contrib.sites.shortcuts import get_current_site
from django.db import InterfaceError, InternalError, OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext_lazy
from django.views import defaults
from django.views.decorators.cache import never_cache

from . import health

logger = logging.getLogger("journalclub")

# Errors of a database that cannot answer or write just now: unreachable, restarting, read-only
# (PostgreSQL's read-only transactions are InternalError), a serialization failure or a lock.
# A retry in a minute may well succeed. Integrity and data errors are bugs: 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, InternalError)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks, status = health.report()
    return JsonResponse(checks, status=status)


TEXT_LABELS = {"body": gettext_lazy("Your text")}


@dataclass(frozen=True)
class SentForm:
    """What a POST carried, handed back when it could not be done: a member's words are
    never lost. Text is shown in textareas, to copy or to edit; the rest goes back in hidden
    fields, so that "Send it again" posts the same form to the same address."""

    action: str
    csrf_token: str
    texts: list[tuple[str, str, str]]  # name, label, value
    hidden: list[tuple[str, str]]
    passwords_left_out: bool

    @classmethod
    def of(cls, request: HttpRequest) -> "SentForm | None":
        if request.method != "POST":
            return None
        texts, hidden, passwords_left_out = [], [], False
        for name, values in request.POST.lists():
            if name == "csrfmiddlewaretoken":
                continue
            if "password" in name.lower():
                passwords_left_out = True
            elif len(values) == 1 and any(character.isspace() for character in values[0]):
                texts.append(
                    (name, TEXT_LABELS.get(name, name.replace("_", " ").capitalize()), values[0])
                )
            else:
                hidden.extend((name, value) for value in values)
        return cls(
            action=request.get_full_path(),
            csrf_token=request.POST.get("csrfmiddlewaretoken", ""),
            texts=texts,
            hidden=hidden,
            passwords_left_out=passwords_left_out,
        )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it can tell an outage of the
    # database from a bug. Rendered without the request context: the database may be down.
    if (error := _unavailable_database(sys.exc_info()[1])) is not None:
        return _database_unavailable(request, error)
    return _with_sent_form(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A session that could not be saved is reported as interrupted (SessionInterrupted, a
    # 400), whatever the reason: it may only be that the database is read-only just now.
    if (error := _unavailable_database(exception)) is not None:
        return _database_unavailable(request, error)
    return defaults.bad_request(request, exception)


def _unavailable_database(exception: BaseException | None) -> BaseException | None:
    """The database error behind `exception`, if it is one a retry may get past."""
    while exception is not None and not isinstance(exception, DATABASE_UNAVAILABLE):
        exception = exception.__cause__ or exception.__context__
    return exception


def _database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    logger.error(
        "database unavailable",
        extra={
            "event": "database_unavailable",
            "error": type(error).__name__,
            "method": request.method,
            "path": request.path,
        },
    )
    response = _with_sent_form(request, "503.html", status=503)
    response["Retry-After"] = "30"
    return response


def _with_sent_form(request: HttpRequest, template: str, status: int) -> HttpResponse:
    response = render(None, template, {"sent": SentForm.of(request)}, status=status)
    # It may hold the member's text and form token: for this browser, this once.
    add_never_cache_headers(response)
    return response


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def robots_txt(request: HttpRequest) -> HttpResponse:
    private = ["/admin/", "/moderation/", "/accounts/", "/search/"]
    # The same pages in French too, under /fr/ (journalclub/urls.py).
    prefixes = [""] + [
        f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}{path}" for prefix in prefixes for path in private),
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def guidelines(request: HttpRequest) -> HttpResponse:
    """The community guidelines in the page's language: the flat page at /<language>/guidelines/
    (/fr/guidelines/) when editors have written one, else the English one at /guidelines/.
    Editors keep both in the admin (Flat pages)."""
    language = get_language()
    urls = ["/guidelines/"]
    if language != settings.LANGUAGE_CODE:
        urls.insert(0, f"/{language}/guidelines/")
    pages = {
        page.url: page
        for page in FlatPage.objects.filter(url__in=urls, sites=get_current_site(request).id)
    }
    page = next((pages[url] for url in urls if url in pages), None)
    if page is None:
        raise Http404
    # The language it is written in, for lang="…" when it is not the page's (the template).
    page.language = language if page.url != "/guidelines/" else settings.LANGUAGE_CODE
    return render_flatpage(request, page)
