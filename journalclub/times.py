"""The times people see: in their own time zone (a member's `time_zone`, else the site's
TIME_ZONE), always labelled with it, since members read from several zones, and written as
their language writes them: "3 Dec 2026, 18:56 EST", « 3 décembre 2026, 18 h 56 HNE »."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone, translation
from django.utils.dateformat import format as format_date

# English as the site has always written it; other languages take Django's date format
# ("j F Y": 3 décembre 2026) and French the hour as Canadians write it: 18 h 56, with
# no-break spaces.
DATE_FORMATS = {"en": "j M Y"}
TIME_FORMATS = {"en": "H:i", "fr": "G\u00a0\\h\u00a0i"}
# The Office québécois de la langue française's abbreviations for Canada's zones.
FRENCH_ZONE_LABELS = {
    "EST": "HNE", "EDT": "HAE", "CST": "HNC", "CDT": "HAC", "MST": "HNR", "MDT": "HAR",
    "PST": "HNP", "PDT": "HAP", "AST": "HNA", "ADT": "HAA", "NST": "HNT", "NDT": "HAT",
}  # fmt: skip


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
    """The zone's abbreviation at that moment ("EST", "EDT"; in French "HNE", "HAE"), or
    its offset ("UTC-03") for zones that have no abbreviation."""
    name = moment.tzname() or ""
    if name[:1] in "+-":
        return f"UTC{name}"
    if translation.get_language() == "fr":
        return FRENCH_ZONE_LABELS.get(name, name)
    return name


def moment_text(moment: datetime | None, *, time_only: bool = False) -> str:
    """`moment` in the active time zone and language, labelled: "3 Dec 2026, 18:56 EST"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    language = translation.get_language()
    text = format_date(local, TIME_FORMATS.get(language) or formats.get_format("TIME_FORMAT"))
    if not time_only:
        date_format = DATE_FORMATS.get(language) or formats.get_format("DATE_FORMAT")
        text = f"{format_date(local, date_format)}, {text}"
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
