"""The emails of subscriptions: confirming an address, and announcing each review and
synthesis once readers can see it. All go through the outbox."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from journalclub.inputs import header_text
from journalclub.languages import in_language_of
from outbox.tasks import deliver, queue_emails, send_later
from posts.models import Review

from .models import Announcement, Subscriber, site_url

# A review or synthesis whose date is further back than this when the sweep first sees
# it (one backdated by an editor, or out while the worker was down for long) is recorded
# as announced without emailing: old news would read as new.
ANNOUNCE_WITHIN = timedelta(days=7)
EMAILS_PER_DELIVERY = 100


def _one_click_unsubscribe(subscriber: Subscriber) -> dict:
    return {
        "List-Unsubscribe": f"<{subscriber.unsubscribe_url()}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _email(subject: str, template: str, context: dict, subscriber: Subscriber):
    """The email to `subscriber`; call it in their language (in_language_of)."""
    context = {
        **context,
        "subscriber": subscriber,
        "unsubscribe_url": subscriber.unsubscribe_url(),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=render_to_string(f"subscriptions/email/{template}.txt", context),
        to=[subscriber.email],
        headers=_one_click_unsubscribe(subscriber),
    )
    message.attach_alternative(
        render_to_string(f"subscriptions/email/{template}.html", context), "text/html"
    )
    return message


@transaction.atomic
def ask_to_subscribe(email: str, language: str) -> None:
    """A visitor asks for emails at `email` in `language`: its owner gets a link to confirm,
    unless the address is subscribed already or was sent one a few minutes ago. What the
    visitor is told is the same either way."""
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"language": language}
    )
    if subscriber.is_confirmed or not subscriber.claim_confirmation_email():
        return
    if not created:
        subscriber.language = language
        subscriber.save(update_fields=["language"])
    with in_language_of(subscriber):
        message = _email(
            _("Confirm your subscription to %(site_name)s") % {"site_name": settings.SITE_NAME},
            "confirm",
            {"confirm_url": subscriber.confirm_url()},
            subscriber,
        )
    # Each confirmation is its own event: a second one, later, is sent too.
    event = f"subscription:{subscriber.pk}:confirm:{subscriber.confirmation_sent_at:%Y%m%d%H%M%S%f}"
    send_later([(event, message)])


def verified_address(member) -> str | None:
    address = EmailAddress.objects.filter(user=member, primary=True, verified=True).first()
    return address.email.strip().lower() if address else None


@transaction.atomic
def subscribe_member(member, language: str) -> Subscriber | None:
    """One click: a member's verified address needs no confirmation. None if the member
    has no verified address."""
    email = verified_address(member)
    if email is None:
        return None
    subscriber = Subscriber.objects.get_or_create(email=email)[0]
    subscriber.member = member
    subscriber.language = language
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.save(update_fields=["member", "language", "confirmed_at"])
    return subscriber


def announcement_email(review: Review, kind: str, subscriber: Subscriber):
    """The announcement of `review` (or of its translation in the subscriber's language),
    in the subscriber's language, its links to their language's pages."""
    review = review.version_in(subscriber.language)
    with in_language_of(subscriber):
        if kind == Announcement.Kind.SYNTHESIS:
            subject = _("What brokers said: %(title)s") % {"title": review.title}
            url = f"{site_url()}{review.get_absolute_url()}#synthesis"
        else:
            subject = _("New review: %(title)s") % {"title": review.title}
            url = site_url() + review.get_absolute_url()
        context = {"review": review, "kind": kind, "review_url": url}
        return _email(subject, "announcement", context, subscriber)


def _announce(review: Review, kind: str, published_at) -> int:
    """Record the announcement and keep one email per confirmed subscriber; returns how
    many. A sweep that runs twice, or two at once, announces each only once."""
    with transaction.atomic():
        announcement, created = Announcement.objects.get_or_create(review=review, kind=kind)
        if not created or published_at < timezone.now() - ANNOUNCE_WITHIN:
            return 0
        # The two versions of a review are one piece of news: each subscriber was told of
        # the first out, in their language's version when it was out too.
        other = review.other_version()
        if other is not None and other.announcements.filter(kind=kind).exists():
            return 0
        event = f"review:{review.pk}:{kind}"
        messages = [
            (event, announcement_email(review, kind, subscriber))
            for subscriber in Subscriber.objects.confirmed().iterator()
        ]
        emails = queue_emails(messages)
        announcement.recipients = len(emails)
        announcement.save(update_fields=["recipients"])
        ids = [email.pk for email in emails]
        for start in range(0, len(ids), EMAILS_PER_DELIVERY):
            deliver.enqueue(ids[start : start + EMAILS_PER_DELIVERY])
    return len(emails)


def announce_due_publications() -> int:
    """Email subscribers about every review and synthesis that readers can see now and
    that was not announced yet: scheduled ones come out by the passage of time, so the
    task worker calls this every minute. Returns how many emails it kept."""
    published = Review.objects.published().with_citation()
    reviews = published.exclude(announcements__kind=Announcement.Kind.REVIEW)
    syntheses = (
        published.filter(synthesis_published_at__lte=timezone.now())
        .exclude(synthesis_html="")
        .exclude(announcements__kind=Announcement.Kind.SYNTHESIS)
    )
    sent = 0
    for review in reviews.order_by("published_at", "pk"):
        sent += _announce(review, Announcement.Kind.REVIEW, review.published_at)
    for review in syntheses.order_by("synthesis_published_at", "pk"):
        sent += _announce(review, Announcement.Kind.SYNTHESIS, review.synthesis_published_at)
    return sent
