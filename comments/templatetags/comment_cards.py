from django import template
from django.utils.safestring import SafeString

from comments.discussion import render_card
from comments.models import Viewer

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_card(context, comment) -> SafeString:
    """The card of `comment` as the page's reader sees it, outside a thread (the queue)."""
    request = context["request"]
    from_queue = bool(context.get("from_queue"))
    return render_card(comment, Viewer.of(request.user), request, from_queue=from_queue)[0]
