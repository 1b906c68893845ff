import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

logger = logging.getLogger("journalclub")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest):
    # Django calls this while handling the exception, so it can tell an outage of the
    # database from a bug. Rendered without the request context: the database may be down.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        logger.error("database unavailable", extra={"event": "database_unavailable"})
        # A member's words are never lost: hand back what they were posting.
        kept_text = request.POST.get("body", "") if request.method == "POST" else ""
        response = render(None, "503.html", {"kept_text": kept_text}, status=503)
        response["Retry-After"] = "30"
        return response
    return render(None, "500.html", status=500)


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /moderation/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
