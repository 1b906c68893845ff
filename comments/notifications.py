"""Reply emails."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from accounts.views import unsubscribe_url

from .models import Comment


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
