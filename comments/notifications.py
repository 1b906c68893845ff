"""Emails about new comments: to the author of the comment replied to, and to the
members who follow the question. Built and sent by a background task, enqueued in the
transaction that makes the comment visible (posting it, or approving it). Each is written
in its recipient's language and time zone, and names the author's role on the review
(comments/roles.py).

A review's guest reviewer, once an editor links their account to it, follows every question
of the review: they hear of each new comment by default, and the follow email's one-click
link stops them, question by question, as it does for any follower.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from journalclub.inputs import header_text
from journalclub.languages import in_language_of
from outbox.tasks import queue_emails, retry_task_later, send_now
from posts.models import Contributor, Question, Review

from .models import Comment, QuestionFollow
from .roles import author_group, badge_of

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


def author_name(comment: Comment) -> str:
    """The author as emails name them, with their role on the review if they have one:
    "Amara Okafor (Guest reviewer)". Reads `comment.review.reviewer` and `author_group`."""
    if comment.author is None:
        return _("A member")
    badge = badge_of(comment, comment.review)
    return f"{comment.author.public_name} ({badge})" if badge else comment.author.public_name


def reply_email(reply: Comment, recipient, site_url: str) -> EmailMessage:
    """In the recipient's language, its links to the pages in that language."""
    with in_language_of(recipient):
        unsubscribe = site_url + unsubscribe_url("replies", recipient.pk)
        author = author_name(reply)
        # The review as the recipient reads it: its version in their language, if published.
        title = reply.review.version_in(get_language()).title
        context = {
            "reply": reply,
            "review_title": title,
            "author": author,
            "recipient": recipient,
            "comment_url": site_url + reply.get_absolute_url(),
            "unsubscribe_url": unsubscribe,
            "site_name": settings.SITE_NAME,
        }
        subject = _("%(author)s replied to your comment on “%(title)s”") % {
            "author": author,
            "title": title,
        }
        return EmailMessage(
            subject=header_text(subject),
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
    emails = []
    for follow in follows:
        if not follow.member.email:
            continue
        with in_language_of(follow.member):
            emails.append(_follow_email(comment, follow, site_url))
    return emails


def _follow_email(comment: Comment, follow: QuestionFollow, site_url: str) -> EmailMessage:
    unsubscribe = site_url + unsubscribe_url("follow", follow.pk)
    author = author_name(comment)
    reviewer = follow.member_id == comment.review.reviewer.user_id
    # The review and question as the follower reads them: the version in their language.
    review = comment.review.version_in(get_language())
    question = comment.question
    translated = list(review.questions.all()) if review.pk != comment.review_id else []
    if question.number <= len(translated):
        question = translated[question.number - 1]
    context = {
        "comment": comment,
        "review_title": review.title,
        "question_text": question.text,
        "author": author,
        "reviewer": reviewer,
        "recipient": follow.member,
        "comment_url": site_url + comment.get_absolute_url(),
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    names = {"author": author, "title": review.title}
    subject = (
        _("%(author)s commented on your review “%(title)s”") % names
        if reviewer
        else _("%(author)s commented on a question you follow: “%(title)s”") % names
    )
    return EmailMessage(
        subject=header_text(subject),
        body=render_to_string("comments/email/follow.txt", context),
        to=[follow.member.email],
        headers=_one_click_unsubscribe(unsubscribe),
    )


@task()
def notify_about_new_comment(comment_id: int, site_url: str, attempt: int = 1) -> int:
    """The reply email, then the followers' emails, of a comment that became visible. A
    comment hidden, deleted or held by the time this runs is mailed to no one. Running it
    again sends nothing twice: each member hears of a comment once, by the reply email if
    they get one."""
    with retry_task_later(notify_about_new_comment, comment_id, site_url, attempt=attempt):
        comment = (
            Comment.objects.visible()
            .select_related("author", "review__reviewer", "question", "parent__author")
            .annotate(author_group=author_group())
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


def follow_own_review(reviews) -> None:
    """Each review's guest reviewer, when their account is linked, follows its questions
    (those they follow already are left as they are)."""
    questions = Question.objects.filter(
        review__in=reviews, review__reviewer__user__isnull=False
    ).values_list("pk", "review__reviewer__user")
    follows = [QuestionFollow(question_id=pk, member_id=user_id) for pk, user_id in questions]
    QuestionFollow.objects.bulk_create(follows, ignore_conflicts=True)


# What links a review to its reviewer's account, on each model that can change it.
LINKS = {Contributor: "user_id", Review: "reviewer_id"}


def _note_link_before(sender, instance, **kwargs) -> None:
    # Only a new link follows: saving a review again must not undo an unsubscription.
    field = LINKS[sender]
    saved = sender.objects.filter(pk=instance.pk) if instance.pk else sender.objects.none()
    instance._link_before = saved.values_list(field, flat=True).first()


def _follow_when_linked(sender, instance, created: bool = False, **kwargs) -> None:
    if sender is Question:
        if created:
            follow_own_review(Review.objects.filter(pk=instance.review_id))
    elif getattr(instance, LINKS[sender]) != getattr(instance, "_link_before", None):
        reviews = Review.objects.filter(reviewer=instance) if sender is Contributor else [instance]
        follow_own_review(reviews)


def follow_reviews_when_linked() -> None:
    """Connected once the apps are ready (comments/apps.py)."""
    for model in (Contributor, Review, Question):
        uid = f"comments:reviewer-follows:{model.__name__}"
        if model in LINKS:
            pre_save.connect(_note_link_before, sender=model, dispatch_uid=uid)
        post_save.connect(_follow_when_linked, sender=model, dispatch_uid=uid)
