"""Moderation actions that span several models: flags, auto-hiding, suspensions."""

from datetime import datetime

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from journalclub.inputs import header_text
from journalclub.languages import in_language_of
from journalclub.times import moment_text
from outbox.tasks import queue_emails, retry_task_later, send_later, send_now

from .models import Comment, CommentRevision, Flag, FlagOutcome, HideReason, ModerationAction


def name_the_site(using: str = "default", **kwargs) -> None:
    """The one site of the sites framework (which the flat pages need), its domain and name
    taken from the settings at every `migrate`, and again when a test empties the database."""
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )


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
        raise FlagRefused(_("You can't flag your own comment."))
    # Flags on one comment take turns, so that exactly one of them is the Nth.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(comment=comment, flagger=by, reason=reason, note=note)
    except IntegrityError:
        raise FlagRefused(_("You have already flagged this comment.")) from None
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
        messages = []
        for moderator in moderators().exclude(email=""):
            # Each reads it in their language, and the time in their zone.
            with in_language_of(moderator):
                messages.append(_auto_hide_email(comment, moderator, site_url))
        with transaction.atomic():
            # Each time it is hidden is news: the key names the moment.
            event = f"auto-hide:{comment.pk}:{comment.hidden_at:%Y%m%d%H%M%S%f}"
            emails = queue_emails([(event, message) for message in messages])
    return send_now(emails)


def _auto_hide_email(comment: Comment, moderator, site_url: str) -> EmailMessage:
    subject = _("A comment was hidden after flags: please review")
    body = _(
        "A comment on “%(title)s” reached %(flags)s flags and was hidden on %(moment)s, "
        "until a moderator reviews it.\n\nReview it in the moderation queue: %(queue_url)s\n"
    ) % {
        "title": comment.review.title,
        "flags": settings.COMMENTS_AUTO_HIDE_FLAGS,
        "moment": moment_text(comment.hidden_at),
        "queue_url": site_url + reverse("comments:queue"),
    }
    return EmailMessage(
        subject=f"[{settings.SITE_NAME}] {subject}", body=body, to=[moderator.email]
    )


@transaction.atomic
def hide_comment(comment: Comment, *, by, reason: str, note: str, site_url: str) -> None:
    """A moderator hides a comment, upholding its open flags: its author and each flagger
    are told."""
    upheld = comment.hide(by=by, reason=reason, note=note)
    send_later([*_hidden_email(comment, site_url), *_flag_outcome_emails(upheld, site_url)])


@transaction.atomic
def dismiss_flags(comment: Comment, *, by, note: str, site_url: str) -> int:
    """A moderator rejects a comment's open flags; each flagger is told. Returns how many."""
    dismissed = comment.dismiss_flags(by=by, note=note)
    send_later(_flag_outcome_emails(dismissed, site_url))
    return len(dismissed)


def _email(template: str, context: dict, *, subject: str, to, site_url: str, **kwargs):
    """An email to member `to`: call it in their language and time zone (`in_language_of`)."""
    context = {
        **context,
        "recipient": to,
        "site_name": settings.SITE_NAME,
        # The community guidelines: a flat page editors change in the admin.
        "guidelines_url": site_url + reverse("guidelines"),
        "contact_email": settings.MODERATION_CONTACT_EMAIL,
    }
    body = render_to_string(f"comments/email/{template}", context)
    return EmailMessage(
        subject=header_text(f"[{settings.SITE_NAME}] {subject}"), body=body, to=[to.email], **kwargs
    )


def _hidden_email(comment: Comment, site_url: str) -> list[tuple[str, EmailMessage]]:
    """To its author only: the one member who may read the hidden text."""
    author = comment.author
    if author is None or not author.email:
        return []
    with in_language_of(author):
        # The review as its author reads it: its version in their language, if published.
        title = comment.review.version_in(get_language()).title
        message = _email(
            "hidden.txt",
            {
                "comment": comment,
                "review_title": title,
                "comment_url": site_url + comment.get_absolute_url(),
            },
            subject=_("A moderator hid your comment on “%(title)s”") % {"title": title},
            to=author,
            site_url=site_url,
            headers={"Reply-To": settings.MODERATION_CONTACT_EMAIL},
        )
    return [(f"hidden:{comment.pk}:{comment.hidden_at:%Y%m%d%H%M%S%f}", message)]


def _flag_outcome_emails(flags: list[Flag], site_url: str) -> list[tuple[str, EmailMessage]]:
    """One short email per flag: what a moderator decided, never the flagged text."""
    emails = []
    for flag in flags:
        if not flag.flagger.email:
            continue
        upheld = flag.outcome == FlagOutcome.UPHELD
        with in_language_of(flag.flagger):
            review = flag.comment.review.version_in(get_language())
            message = _email(
                "flag_outcome.txt",
                {
                    "upheld": upheld,
                    "review": review,
                    "review_url": site_url + review.get_absolute_url(),
                },
                subject=_("The comment you flagged was hidden")
                if upheld
                else _("The comment you flagged was reviewed"),
                to=flag.flagger,
                site_url=site_url,
            )
        emails.append((f"flag-outcome:{flag.pk}", message))
    return emails


def _suspension_email(member, site_url: str) -> list[tuple[str, EmailMessage]]:
    if not member.email:
        return []
    with in_language_of(member):
        message = _email(
            "suspended.txt",
            {"member": member},
            subject=_("Your account is suspended"),
            to=member,
            site_url=site_url,
            headers={"Reply-To": settings.MODERATION_CONTACT_EMAIL},
        )
    return [(f"suspended:{member.pk}:{member.suspended_at:%Y%m%d%H%M%S%f}", message)]


@transaction.atomic
def suspend_member(
    member,
    *,
    by,
    until: datetime | None,
    reason: str,
    hide_comments: bool = False,
    site_url: str = "",
) -> int:
    """Suspend `member` until a date (None: indefinitely) and, given `site_url` (where the
    links in emails start), email them why; optionally hide all their visible comments.
    Returns how many comments were hidden."""
    member.suspended_at = timezone.now()
    member.suspended_until = until
    member.suspension_reason = reason
    member.save(update_fields=["suspended_at", "suspended_until", "suspension_reason"])
    note = f"Until {moment_text(until)}" if until else "Indefinitely"
    hidden = 0
    if hide_comments:
        for comment in member.comments.filter(hidden_at__isnull=True, deleted_at__isnull=True):
            # The moderator's reason, in their own words, is the note its author sees on the
            # card (the log's suspension entry tells moderators why it was hidden).
            comment.hide(by=by, reason=HideReason.OTHER, note=reason)
            hidden += 1
        note += f"; hid {hidden} comment(s)"
    ModerationAction.record(
        ModerationAction.Action.SUSPEND, actor=by, member=member, reason=reason, note=note
    )
    if site_url:
        send_later(_suspension_email(member, site_url))
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
