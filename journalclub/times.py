"""The times people see: in their own time zone (a member's `time_zone`, else the site's
TIME_ZONE), always labelled with it, since members read from several zones."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date

MOMENT_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"


def zone_of(user) -> ZoneInfo:
    """The zone `user` reads times in: their own when set (and known), else the site's."""
    name = getattr(user, "time_zone", "") or ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone since dropped from the database: the site's zone will do
    return timezone.get_default_timezone()


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation at that moment ("EST", "EDT"), or its offset ("UTC-03")
    for zones that have no abbreviation."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def moment_text(moment: datetime | None, *, time_only: bool = False) -> str:
    """`moment` in the active time zone, labelled: "3 Dec 2026, 18:56 EST"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    text = format_date(local, TIME_FORMAT if time_only else MOMENT_FORMAT)
    return f"{text} {zone_label(local)}".rstrip()


class ActivateTimeZoneMiddleware:
    """Shows a signed-in member's pages in their own time zone, everyone else's in the
    site's. Every request sets it afresh: a zone left active by the request before must
    not carry over to the next reader served by the same thread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = zone_of(user) if user is not None and user.is_authenticated else None
        with timezone.override(zone):
            return self.get_response(request)
