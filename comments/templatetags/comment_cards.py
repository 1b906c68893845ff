import re
from html import unescape

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from comments.discussion import render_card
from comments.models import Viewer

register = template.Library()


BLOCK_END = re.compile(r"(</(?:p|li|h\d|blockquote|pre|td|th)>|<br\s*/?>)", re.IGNORECASE)


@register.filter
def plain_text(html: str) -> str:
    """Rendered Markdown (`body_html`, `text_html`) as the words a reader sees, on one line,
    for excerpts: no tags, no entities (the template escapes the text again)."""
    return " ".join(unescape(strip_tags(BLOCK_END.sub(r"\1 ", html))).split())


@register.simple_tag(takes_context=True)
def comment_card(context, comment) -> SafeString:
    """The card of `comment` as the page's reader sees it, outside a thread (the queue)."""
    request = context["request"]
    from_queue = bool(context.get("from_queue"))
    return render_card(comment, Viewer.of(request.user), request, from_queue=from_queue)[0]
