"""Moderation actions that span several models: flags, auto-hiding, suspensions."""

from datetime import datetime

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone

from outbox.tasks import queue_emails, retry_task_later, send_now

from .models import Comment, CommentRevision, Flag, HideReason, ModerationAction


class FlagRefused(Exception):
    """A flag that may not be raised; the message says why, for the member."""


def moderators() -> QuerySet:
    permission = Permission.objects.get(
        content_type__app_label="comments", codename="view_hidden_comment"
    )
    User = get_user_model()
    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__permissions=permission) | Q(user_permissions=permission),
        is_active=True,
    ).distinct()


@transaction.atomic
def flag_comment(comment: Comment, *, by, reason: str, note: str = "", site_url: str) -> Flag:
    """Record a member's flag; the Nth distinct open flag hides the comment for review."""
    if comment.author_id == by.pk:
        raise FlagRefused("You can't flag your own comment.")
    # Flags on one comment take turns, so that exactly one of them is the Nth.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(comment=comment, flagger=by, reason=reason, note=note)
    except IntegrityError:
        raise FlagRefused("You have already flagged this comment.") from None
    open_flags = comment.flags.open().count()
    if open_flags == settings.COMMENTS_AUTO_HIDE_FLAGS and not comment.is_hidden:
        comment.hide(by=None, reason=HideReason.FLAGGED, note=f"{open_flags} members flagged it.")
        notify_moderators_of_auto_hide.enqueue(comment.pk, site_url)
    return flag


@task()
def notify_moderators_of_auto_hide(comment_id: int, site_url: str, attempt: int = 1) -> int:
    with retry_task_later(notify_moderators_of_auto_hide, comment_id, site_url, attempt=attempt):
        comment = Comment.objects.select_related("review").get(pk=comment_id)
        if comment.hidden_at is None:  # a moderator has seen to it already
            return 0
        messages = [
            EmailMessage(
                subject=f"[{settings.SITE_NAME}] A comment was hidden after flags: please review",
                body=(
                    f"A comment on “{comment.review.title}” reached "
                    f"{settings.COMMENTS_AUTO_HIDE_FLAGS} flags and is hidden until a moderator "
                    f"reviews it.\n\nReview it in the moderation queue: {site_url}/moderation/\n"
                ),
                to=[email],
            )
            for email in moderators().values_list("email", flat=True)
            if email
        ]
        with transaction.atomic():
            # Each time it is hidden is news: the key names the moment.
            event = f"auto-hide:{comment.pk}:{comment.hidden_at:%Y%m%d%H%M%S%f}"
            emails = queue_emails([(event, message) for message in messages])
    return send_now(emails)


@transaction.atomic
def suspend_member(
    member, *, by, until: datetime | None, reason: str, hide_comments: bool = False
) -> int:
    """Suspend `member` until a date (None: indefinitely); optionally hide all their
    visible comments. Returns how many comments were hidden."""
    member.suspended_at = timezone.now()
    member.suspended_until = until
    member.suspension_reason = reason
    member.save(update_fields=["suspended_at", "suspended_until", "suspension_reason"])
    note = f"Until {until:%Y-%m-%d %H:%M}" if until else "Indefinitely"
    hidden = 0
    if hide_comments:
        for comment in member.comments.filter(hidden_at__isnull=True, deleted_at__isnull=True):
            comment.hide(by=by, reason=HideReason.OTHER, note=f"Member suspended: {reason}")
            hidden += 1
        note += f"; hid {hidden} comment(s)"
    ModerationAction.record(
        ModerationAction.Action.SUSPEND, actor=by, member=member, reason=reason, note=note
    )
    return hidden


@transaction.atomic
def lift_suspension(member, *, by, note: str = "") -> None:
    reason = member.suspension_reason
    member.suspended_at = member.suspended_until = None
    member.suspension_reason = ""
    member.save(update_fields=["suspended_at", "suspended_until", "suspension_reason"])
    ModerationAction.record(
        ModerationAction.Action.LIFT, actor=by, member=member, reason=reason, note=note
    )


def needs_approval(author) -> bool:
    """With pre-moderation on, a member's first comment waits for a moderator."""
    if not settings.COMMENTS_PREMODERATION:
        return False
    return not Comment.objects.filter(author=author, approved=True).exists()


@transaction.atomic
def delete_account(member) -> None:
    """Delete a member's account and personal data. Their comments stay in the threads
    under "Deleted member", with their text removed unless the site keeps it (setting).
    Every session they have, on any device, ends with it."""
    comments = Comment.objects.filter(author=member)
    if not settings.ACCOUNT_DELETION_KEEPS_TEXT:
        CommentRevision.objects.filter(comment__author=member).delete()
        comments.update(body="", body_html="")
    comments.update(author=None)
    for session in UserSession.objects.filter(user=member):
        session.end()
    member_id = member.pk
    member.delete()
    ModerationAction.record(
        ModerationAction.Action.ACCOUNT_DELETED,
        actor=None,
        note=f"Member #{member_id} deleted their account "
        f"({'text kept' if settings.ACCOUNT_DELETION_KEEPS_TEXT else 'text removed'}).",
    )
