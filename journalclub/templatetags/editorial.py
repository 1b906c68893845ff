from django import template
from django.utils.safestring import SafeString

from journalclub.markdown import render_editorial

register = template.Library()


@register.filter
def editorial_markdown(text: str) -> SafeString:
    """Staff-written Markdown with no field to keep its HTML in (the flat pages), through
    the same allowlist as every editorial text."""
    return render_editorial(text)
