"""A comment's card as HTML, built in Python.

Long discussions render thousands of cards; the template engine spent ~0.15 ms on each
(measured with bench/), this spends a small fraction of that. The markup is the one the thread
template used; every value is escaped here except `body_html`, which is nh3's sanitized
output stored at save time. `comments/threads.py` prepares the values.
"""

from functools import cache

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import linebreaksbr, pluralize
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

EDITED = mark_safe(' · <span class="comment__edited">edited</span>')
AWAITING_APPROVAL = mark_safe(' · <span class="badge">Awaiting approval</span>')
PLACEHOLDERS = {
    "hidden": "Hidden by a moderator.",
    "deleted": "This comment was deleted by its author.",
    "removed": "Deleted member: this comment was removed with their account.",
    "withheld": "This comment is not shown yet.",
}


def render_card(comment, *, moderator: bool, from_queue: bool, csrf_token: str) -> SafeString:
    parts = [f'<article id="comment-{comment.pk}" class="{comment.css_class}">']
    if comment.display == "text":
        parts += _text(comment, moderator)
    else:
        parts.append(f'<p class="comment__placeholder">{PLACEHOLDERS[comment.display]}</p>')
    if moderator:
        parts.append(_moderator_tools(comment, from_queue, csrf_token))
    parts.append("</article>")
    # Safe: every interpolated value above is escaped, or is sanitized body_html.
    return mark_safe("".join(parts))


def _text(comment, moderator: bool) -> list[str]:
    # Plain f-strings with escape(): format_html costs more than the rest of a card.
    affiliation = (
        f'<span class="comment__affiliation">, {escape(comment.author_affiliation)}</span>'
        if comment.author_affiliation
        else ""
    )
    parts = [
        f'<header class="comment__meta"><span class="comment__author">'
        f"{escape(comment.author_name)}</span>{affiliation} · "
        f'<a class="comment__permalink" href="{comment.permalink}">'
        f'<time datetime="{comment.created_iso}">{comment.created_label}</time></a>'
        f"{EDITED if comment.edited_at else ''}"
        f"{'' if comment.approved else AWAITING_APPROVAL}</header>"
    ]
    if comment.hidden_at:
        parts.append(_hidden_note(comment, moderator))
    parts.append(f'<div class="comment__body prose">{comment.body_html}</div>')
    if moderator and comment.edited_at:
        parts.append(_history(comment))
    if comment.has_actions:
        parts.append(_actions(comment))
    return parts


def _hidden_note(comment, moderator: bool) -> str:
    reason = comment.get_hidden_reason_display()
    note = format_html(" ({})", comment.hidden_note) if comment.hidden_note else ""
    if moderator:
        who = (
            format_html("by {}", comment.hidden_by.public_name)
            if comment.hidden_by
            else "automatically"
        )
        text = format_html(
            "Hidden {} on {}: {}{}.",
            who,
            format_date(comment.hidden_at, "j M Y, H:i"),
            reason,
            note,
        )
    else:
        text = format_html(
            "Hidden by a moderator: {}{}. Only you and the moderators can see this text.",
            reason,
            note,
        )
    return format_html('<p class="comment__moderation" role="note">{}</p>', text)


def _history(comment) -> str:
    revisions = comment.earlier_versions  # set for moderators by threads.prepare
    if not revisions:
        return ""
    items = "".join(
        format_html(
            '<li><time datetime="{}">{}</time>: {}</li>',
            format_date(revision.written_at, "c"),
            format_date(revision.written_at, "j M Y, H:i"),
            linebreaksbr(revision.body, autoescape=True),
        )
        for revision in revisions
    )
    count = len(revisions)
    return format_html(
        '<details class="comment__history"><summary>Edit history ({} earlier version{})'
        "</summary><ol>{}</ol></details>",
        count,
        "" if count == 1 else "s",
        mark_safe(items),
    )


def _actions(comment) -> str:
    link = comment.permalink
    actions = []
    if comment.can_reply:
        actions.append(
            f'<a class="comment__reply" href="{link}reply/" data-comment="{comment.pk}" '
            f'data-question="{comment.question_id}">Reply<span class="visually-hidden"> to '
            f"{escape(comment.author_name)}</span></a>"
        )
    if comment.can_edit:
        actions.append(f'<a href="{link}edit/">Edit</a>')
    if comment.can_delete:
        actions.append(f'<a href="{link}delete/">Delete</a>')
    if comment.can_flag:
        actions.append(
            f'<a class="comment__flag" href="{link}flag/">'
            'Flag<span class="visually-hidden"> this comment</span></a>'
        )
    return f'<p class="comment__actions">{" ".join(actions)}</p>'


def _moderator_tools(comment, from_queue: bool, csrf_token: str) -> str:
    link = comment.permalink

    def hidden_inputs() -> str:  # only the rare hidden or pending comment needs them
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}',
            csrf_token,
            mark_safe('<input type="hidden" name="next" value="queue">') if from_queue else "",
        )

    tools = []
    if comment.hidden_at:
        tools.append(_post_button(f"{link}unhide/", "Unhide", comment.pk, hidden_inputs()))
    elif not comment.deleted_at:
        # f-strings rather than format_html on this hot path: the link and the pk are ours.
        tools.append(
            f'<a href="{link}hide/{"?next=queue" if from_queue else ""}">Hide'
            f'<span class="visually-hidden"> comment {comment.pk}</span></a>'
        )
    if not comment.approved and not comment.deleted_at and not comment.hidden_at:
        tools.append(_post_button(f"{link}approve/", "Approve", comment.pk, hidden_inputs()))
    if getattr(comment, "member_url", None):
        tools.append(
            f'<a href="{comment.member_url}">Member<span class="visually-hidden">: '
            f"{escape(comment.author_name)}</span></a>"
        )
    return f'<div class="moderator-tools">{"".join(tools)}</div>'


def _post_button(action: str, label: str, pk: int, hidden_inputs: str) -> str:
    return format_html(
        '<form method="post" action="{}">{}<button type="submit" class="link-button">'
        '{}<span class="visually-hidden"> comment {}</span></button></form>',
        action,
        hidden_inputs,
        label,
        pk,
    )


def _more_link(first) -> str:
    count = first.folded
    return format_html(
        '<p class="thread__more"><a href="{}">Read the whole conversation '
        "({} more comment{})</a></p>",
        _conversation_url_pattern().format(first.pk),
        count,
        pluralize(count),
    )


@cache
def _conversation_url_pattern() -> str:
    return reverse("comments:conversation", kwargs={"pk": 918273645}).replace("918273645", "{}")


def render_thread(
    comments: list, *, moderator: bool, from_queue: bool, csrf_token: str
) -> SafeString:
    """A flattened thread (threads.flatten) as nested lists of cards."""
    if not comments:
        return mark_safe("")
    parts = ['<ol class="thread">']
    for comment in comments:
        parts.append('<li class="thread__item">')
        parts.append(
            getattr(comment, "card_html", None)  # ready-made (threads.fill_shared)
            or render_card(
                comment, moderator=moderator, from_queue=from_queue, csrf_token=csrf_token
            )
        )
        if comment.children:
            parts.append('<ol class="thread">')
        else:
            # The last "</li>" closes the conversation's first comment: a folded
            # conversation's link to its own page goes just before it.
            closing = "</li>" + "</ol></li>" * len(comment.closing)
            if comment.ends_folded_thread is not None:
                closing = closing[: -len("</li>")] + _more_link(comment.ends_folded_thread)
                closing += "</li>"
            parts.append(closing)
    parts.append("</ol>")
    # Safe: the cards are escaped by render_card; the rest is fixed markup.
    return mark_safe("\n".join(parts))
