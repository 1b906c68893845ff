"""Messages about one comment, shown beside it rather than at the top of the page.

After posting, the page opens at the new comment (#comment-N), far below the messages at
the top. A message whose extra tags name a comment's anchor ("comment-12") is shown just
after that comment's card, when the page shows the card; one naming a question's anchor
("question-2", after deleting one's only comment there) under that question's text; else at
the top as usual. The
conversations come from the cache, shared by every reader: the notice is put into this
page's copy of them, never into what is cached.
"""

import re
from collections.abc import Iterable

from django import template
from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ANCHOR = re.compile(r"^(comment|question)-\d+$")


def _anchor_of(message: Message) -> str | None:
    return next((tag for tag in message.extra_tags.split() if ANCHOR.match(tag)), None)


def _page_conversations(context) -> list[str]:
    """The conversations of the page: a review's questions (`discussions`), or one
    question or conversation (`discussion`)."""
    discussions = list(context.get("discussions") or [])
    if context.get("discussion") is not None:
        discussions.append(context["discussion"])
    return [html for discussion in discussions for html in discussion.conversations]


def _beside_comments(context) -> dict[str, list[Message]]:
    """The messages shown beside a comment of the page, by the comment's anchor."""
    conversations = _page_conversations(context)
    questions = {f"question-{discussion.number}" for discussion in context.get("discussions") or []}
    placed: dict[str, list[Message]] = {}
    for message in get_messages(context["request"]):
        anchor = _anchor_of(message)
        if anchor in questions or (
            anchor and any(f'<article id="{anchor}"' in html for html in conversations)
        ):
            placed.setdefault(anchor, []).append(message)
    return placed


@register.simple_tag(takes_context=True)
def top_messages(context) -> list[Message]:
    """The messages for the top of the page: all but those shown beside a comment."""
    if "request" not in context:
        return []
    beside = {
        id(message) for messages in _beside_comments(context).values() for message in messages
    }
    return [message for message in get_messages(context["request"]) if id(message) not in beside]


@register.simple_tag(takes_context=True)
def question_notice(context, number: int) -> str:
    """The messages about the page's question `number`, for under its text."""
    messages = _beside_comments(context).get(f"question-{number}") if "request" in context else []
    return render_to_string("comments/notice.html", {"messages": messages}) if messages else ""


@register.simple_tag(takes_context=True)
def conversations_with_notices(context, conversations: Iterable[str]) -> SafeString:
    """The conversations, each message about one of their comments just after its card."""
    beside = _beside_comments(context) if "request" in context else {}
    pieces = []
    for html in conversations:
        for anchor, messages in beside.items():
            start = html.find(f'<article id="{anchor}"')
            end = html.find("</article>", start) if start >= 0 else -1
            if end >= 0:
                end += len("</article>")
                notice = render_to_string("comments/notice.html", {"messages": messages})
                html = html[:end] + notice + html[end:]
        pieces.append(html)
    # The conversations are safe HTML (rendered templates); so is each notice.
    return mark_safe("".join(pieces))
