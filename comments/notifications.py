"""Emails about new comments: to the author of the comment replied to, and to the
members who follow the question. Built and sent by a background task, enqueued in the
transaction that makes the comment visible (posting it, or approving it)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from journalclub.inputs import header_text
from outbox.tasks import queue_emails, retry_task_later, send_now

from .models import Comment, QuestionFollow

# The one-click links in emails: a signed id, each purpose with its own salt (those of the
# links already sent), so a token works for its own purpose only.
UNSUBSCRIBE_SALTS = {
    "replies": "accounts.reply-emails.unsubscribe",  # the member's reply emails
    "follow": "comments.follow.unsubscribe",  # one follow of a question
}


def unsubscribe_url(purpose: str, pk: int) -> str:
    token = signing.dumps(pk, salt=UNSUBSCRIBE_SALTS[purpose])
    return reverse(f"comments:unsubscribe_{purpose}", kwargs={"token": token})


def unsubscribe_target(purpose: str, token: str) -> int | None:
    """The id a link of `purpose` was made for; None if the token was not."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALTS[purpose])
    except signing.BadSignature:
        return None


def reply_recipient(reply: Comment):
    """Who should hear of this reply: the parent's author, unless it is themselves, they
    opted out, or their comment is gone."""
    parent = reply.parent
    if parent is None or parent.is_deleted or parent.author is None:
        return None
    recipient = parent.author
    if recipient.pk == reply.author_id or not recipient.reply_emails or not recipient.email:
        return None
    return recipient


def _one_click_unsubscribe(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def reply_email(reply: Comment, recipient, site_url: str) -> EmailMessage:
    unsubscribe = site_url + unsubscribe_url("replies", recipient.pk)
    context = {
        "reply": reply,
        "recipient": recipient,
        "comment_url": site_url + reply.get_absolute_url(),
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    return EmailMessage(
        subject=header_text(
            f"{reply.author.public_name} replied to your comment on “{reply.review.title}”"
        ),
        body=render_to_string("comments/email/reply.txt", context),
        to=[recipient.email],
        headers=_one_click_unsubscribe(unsubscribe),
    )


def follow_emails(comment: Comment, site_url: str) -> list[EmailMessage]:
    """One email to each follower of the comment's question but its author."""
    follows = (
        QuestionFollow.objects.filter(question=comment.question)
        .exclude(member_id=comment.author_id)
        .select_related("member")
    )
    author = comment.author.public_name if comment.author else "A member"
    emails = []
    for follow in follows:
        if not follow.member.email:
            continue
        unsubscribe = site_url + unsubscribe_url("follow", follow.pk)
        context = {
            "comment": comment,
            "recipient": follow.member,
            "comment_url": site_url + comment.get_absolute_url(),
            "unsubscribe_url": unsubscribe,
            "site_name": settings.SITE_NAME,
        }
        emails.append(
            EmailMessage(
                subject=header_text(
                    f"{author} commented on a question you follow: “{comment.review.title}”"
                ),
                body=render_to_string("comments/email/follow.txt", context),
                to=[follow.member.email],
                headers=_one_click_unsubscribe(unsubscribe),
            )
        )
    return emails


@task()
def notify_about_new_comment(comment_id: int, site_url: str, attempt: int = 1) -> int:
    """The reply email, then the followers' emails, of a comment that became visible. A
    comment hidden, deleted or held by the time this runs is mailed to no one. Running it
    again sends nothing twice: each member hears of a comment once, by the reply email if
    they get one."""
    with retry_task_later(notify_about_new_comment, comment_id, site_url, attempt=attempt):
        comment = (
            Comment.objects.visible()
            .select_related("author", "review", "question", "parent__author")
            .filter(pk=comment_id)
            .first()
        )
        if comment is None:
            return 0
        messages = []
        recipient = reply_recipient(comment)
        if recipient is not None:
            messages.append(reply_email(comment, recipient, site_url))
        messages += follow_emails(comment, site_url)
        with transaction.atomic():
            emails = queue_emails([(f"comment:{comment.pk}", message) for message in messages])
    return send_now(emails)
