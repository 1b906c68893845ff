import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from posts.models import Review
from subscriptions.models import Announcement, Subscriber
from subscriptions.tasks import announce_due_publications
from tests.factories import make_contributor, make_review
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def subscriber(email: str, *, confirmed: bool = True) -> Subscriber:
    return Subscriber.objects.create(
        email=email,
        confirmed_at=timezone.now() if confirmed else None,
    )


def just_published(**fields):
    """A review out a minute ago (the factory dates reviews further back each time)."""
    return make_review(published_at=timezone.now() - timedelta(minutes=1), **fields)


def sweep() -> None:
    announce_due_publications()
    run_tasks()


@pytest.fixture
def readers():
    return subscriber("one@example.org"), subscriber("two@example.org")


def test_a_published_review_is_announced_once_to_each_confirmed_subscriber(readers, mailoutbox):
    subscriber("pending@example.org", confirmed=False)
    review = just_published(
        title="Implementation support in practice",
        standfirst="What it takes to help services use evidence.",
        reviewer=make_contributor(name="Dana Reviewer"),
    )
    sweep()
    sweep()  # a second run, as the worker does every minute, sends nothing again
    assert sorted(email.to[0] for email in mailoutbox) == ["one@example.org", "two@example.org"]
    email = next(email for email in mailoutbox if email.to == ["one@example.org"])
    assert email.subject == "New review: Implementation support in practice"
    assert "What it takes to help services use evidence." in email.body
    assert "Reviewed by Dana Reviewer" in email.body
    assert f"https://testserver{review.get_absolute_url()}" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert f'<a href="https://testserver{review.get_absolute_url()}">' in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    announcement = Announcement.objects.get(review=review)
    assert (announcement.kind, announcement.recipients) == ("published", 2)


def test_a_scheduled_review_is_announced_on_its_date_not_when_the_editor_publishes(
    readers, mailoutbox
):
    review = make_review(title="Out tomorrow", published_at=timezone.now() + timedelta(days=1))
    make_review(title="Still a draft", published=False)
    sweep()
    assert mailoutbox == []
    assert not Announcement.objects.exists()
    Review.objects.filter(pk=review.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    sweep()
    assert {email.subject for email in mailoutbox} == {"New review: Out tomorrow"}
    assert len(mailoutbox) == 2


def test_a_synthesis_is_announced_once_its_date_has_come(readers, mailoutbox):
    review = just_published(title="Discussed review")
    sweep()
    mailoutbox.clear()
    review.synthesis = "Brokers agreed on **three** points."
    review.synthesis_published_at = timezone.now() + timedelta(hours=2)
    review.save()
    sweep()
    assert mailoutbox == []
    Review.objects.filter(pk=review.pk).update(synthesis_published_at=timezone.now())
    sweep()
    sweep()
    assert [email.subject for email in mailoutbox] == ["What brokers said: Discussed review"] * 2
    assert f"https://testserver{review.get_absolute_url()}#synthesis" in mailoutbox[0].body


def test_no_synthesis_email_for_a_review_readers_cannot_see(readers, mailoutbox):
    make_review(
        title="Unpublished with a synthesis",
        published=False,
        synthesis="Said.",
        synthesis_published_at=timezone.now() - timedelta(hours=1),
    )
    sweep()
    assert mailoutbox == []


def test_an_email_is_withdrawn_if_its_review_is_unpublished_before_it_goes(readers, mailoutbox):
    review = just_published()
    announce_due_publications()
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    run_tasks()
    assert mailoutbox == []


def test_a_review_dated_long_ago_is_recorded_but_not_emailed(readers, mailoutbox):
    review = make_review(published_at=timezone.now() - timedelta(days=30))
    sweep()
    assert mailoutbox == []
    assert Announcement.objects.get(review=review).recipients == 0


def test_the_one_click_header_unsubscribes_and_no_more_emails_follow(readers, mailoutbox):
    just_published(title="First")
    sweep()
    email = next(email for email in mailoutbox if email.to == ["one@example.org"])
    url = re.fullmatch(r"<https://testserver(/\S+)>", email.extra_headers["List-Unsubscribe"])
    # What a mail client sends (RFC 8058): a POST with no cookie and no CSRF token.
    Client(enforce_csrf_checks=True).post(url.group(1), {"List-Unsubscribe": "One-Click"})
    mailoutbox.clear()
    just_published(title="Second")
    sweep()
    assert [email.to for email in mailoutbox] == [["two@example.org"]]


def test_the_migration_marks_what_was_already_out_as_announced(readers, mailoutbox):
    published = make_review(
        synthesis="Said.", synthesis_published_at=timezone.now() - timedelta(hours=1)
    )
    scheduled = make_review(published_at=timezone.now() + timedelta(hours=1))
    draft = make_review(published=False)
    migration = importlib.import_module(
        "subscriptions.migrations.0002_announce_nothing_published_before"
    )
    migration.mark_published_as_announced(apps, None)
    assert set(Announcement.objects.values_list("review", "kind")) == {
        (published.pk, "published"),
        (published.pk, "synthesis"),
    }
    sweep()
    assert mailoutbox == []
    Review.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    sweep()
    assert len(mailoutbox) == 2
    assert not Announcement.objects.filter(review=draft).exists()


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_announces_due_reviews(mailoutbox):
    subscriber("one@example.org")
    just_published(title="Found by the worker")
    call_command("worker", "--once")
    assert [email.subject for email in mailoutbox] == ["New review: Found by the worker"]
