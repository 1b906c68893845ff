"""Times for people, labelled with their zone (journalclub/times.py):
`{{ value|moment }}` is a `<time>` element, `{{ value|moment:"time" }}` the time of day
alone, and `{{ value|moment_text }}` plain text for emails."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from journalclub.times import moment_text as _moment_text

register = template.Library()


@register.filter
def moment(value: datetime | None, part: str = "") -> SafeString | str:
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = _moment_text(local, time_only=part == "time")
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="seconds"), text)


@register.filter
def moment_text(value: datetime | None, part: str = "") -> str:
    if not isinstance(value, datetime):
        return ""
    return _moment_text(value, time_only=part == "time")
