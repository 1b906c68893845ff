"""Emails about new comments: to the author of the comment replied to, and to the
members who follow the question."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.views import unsubscribe_url

from .models import Comment, QuestionFollow


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


def send_reply_email(reply: Comment, site_url: str) -> bool:
    recipient = reply_recipient(reply)
    if recipient is None:
        return False
    unsubscribe = site_url + unsubscribe_url(recipient)
    context = {
        "reply": reply,
        "recipient": recipient,
        "comment_url": site_url + reply.get_absolute_url(),
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=f"{reply.author.public_name} replied to your comment on “{reply.review.title}”",
        body=render_to_string("comments/email/reply.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()
    return True


FOLLOW_SALT = "comments.follow.unsubscribe"


def follow_unsubscribe_url(follow: QuestionFollow) -> str:
    token = signing.dumps(follow.pk, salt=FOLLOW_SALT)
    return reverse("comments:unfollow_by_link", kwargs={"token": token})


def send_follow_emails(comment: Comment, site_url: str, *, skip: set[int]) -> int:
    """One email to each follower of the comment's question, except its author and the
    members in `skip` (who were told already)."""
    follows = (
        QuestionFollow.objects.filter(question=comment.question)
        .exclude(member_id__in={comment.author_id, *skip})
        .select_related("member")
    )
    author = comment.author.public_name if comment.author else "A member"
    messages = []
    for follow in follows:
        if not follow.member.email:
            continue
        unsubscribe = site_url + follow_unsubscribe_url(follow)
        context = {
            "comment": comment,
            "recipient": follow.member,
            "comment_url": site_url + comment.get_absolute_url(),
            "unsubscribe_url": unsubscribe,
            "site_name": settings.SITE_NAME,
        }
        messages.append(
            EmailMessage(
                subject=f"{author} commented on a question you follow: “{comment.review.title}”",
                body=render_to_string("comments/email/follow.txt", context),
                to=[follow.member.email],
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    # One connection to the mail server for all of them, not one per follower.
    return mailers.default.send_messages(messages) if messages else 0


def notify_about_new_comment(comment: Comment, site_url: str) -> None:
    """After a comment becomes visible: the reply email, then the followers' emails. A
    comment hidden, deleted or held by the time this runs is mailed to no one."""
    comment = (
        Comment.objects.visible()
        .select_related("author", "review", "question", "parent__author")
        .filter(pk=comment.pk)
        .first()
    )
    if comment is None:
        return
    recipient = reply_recipient(comment)
    if recipient is not None:
        send_reply_email(comment, site_url)
    send_follow_emails(comment, site_url, skip={recipient.pk} if recipient else set())
