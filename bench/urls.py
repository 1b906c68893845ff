"""The site's URLs plus the benchmark's floor: the same bytes served from memory."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from journalclub.urls import handler500  # noqa: F401
from journalclub.urls import urlpatterns as site_urlpatterns

FLOOR_BODY = {"content": b""}


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR_BODY["content"], content_type="text/html; charset=utf-8")


urlpatterns = [path("__floor__/", floor), *site_urlpatterns]
