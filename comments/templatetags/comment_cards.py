from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

from comments.cards import render_card, render_thread

register = template.Library()


def _options(context) -> dict:
    moderator = bool(context.get("moderator"))
    request = context.get("request")
    return {
        "moderator": moderator,
        "from_queue": bool(context.get("from_queue")),
        # Moderators' cards carry small forms (unhide, approve).
        "csrf_token": get_token(request) if moderator and request is not None else "",
    }


@register.simple_tag(takes_context=True)
def comment_card(context, comment) -> SafeString:
    return render_card(comment, **_options(context))


@register.simple_tag(takes_context=True)
def comment_thread(context, comments) -> SafeString:
    return render_thread(comments, **_options(context))
