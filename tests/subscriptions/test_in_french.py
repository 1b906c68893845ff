"""Subscription emails go out in the subscriber's language, whoever's request or task sends
them, and link to the pages in that language."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Review
from subscriptions.models import Announcement, Subscriber
from subscriptions.tasks import announce_due_publications
from tests.factories import PASSWORD, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

NB = "\u00a0"  # the no-break space French puts before a colon


def subscriber(email: str, language: str) -> Subscriber:
    return Subscriber.objects.create(email=email, language=language, confirmed_at=timezone.now())


def just_published(**fields) -> Review:
    return make_review(published_at=timezone.now() - timedelta(minutes=1), **fields)


def sweep() -> None:
    announce_due_publications()
    run_tasks()


def subject_of(email) -> str:
    # journalclub.inputs.header_text makes every space of a subject a plain one.
    return email.subject.replace(NB, " ")


def html_of(email) -> str:
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def test_a_french_visitor_gets_the_confirmation_email_in_french(client, mailoutbox):
    response = client.post("/fr/subscribe/email/", {"email": "lectrice@example.org"})
    assert "<h1>Consultez votre boîte de réception</h1>" in response.content.decode()
    run_tasks()
    [email] = mailoutbox
    assert Subscriber.objects.get().language == "fr"
    assert email.subject == "Confirmez votre abonnement à Journal Club"
    assert email.body.startswith("Bonjour,\n")
    assert re.search(r"https?://testserver/fr/subscribe/confirm/\S+/\n", email.body)
    assert '<html lang="fr">' in html_of(email)
    assert "/fr/subscribe/unsubscribe/" in email.extra_headers["List-Unsubscribe"]


def test_the_confirmation_link_opens_the_french_page(client, mailoutbox):
    client.post("/fr/subscribe/email/", {"email": "lectrice@example.org"})
    run_tasks()
    path = re.search(r"https?://testserver(/fr/subscribe/confirm/\S+/)", mailoutbox[0].body)[1]
    done = client.post(path).content.decode()
    assert "<h1>Abonnement confirmé</h1>" in done
    assert Subscriber.objects.get().is_confirmed


def test_an_english_visitor_gets_the_confirmation_email_in_english(client, mailoutbox):
    client.post("/subscribe/email/", {"email": "reader@example.org"})
    run_tasks()
    [email] = mailoutbox
    assert Subscriber.objects.get().language == "en"
    assert email.subject == "Confirm your subscription to Journal Club"
    assert re.search(r"https?://testserver/subscribe/confirm/\S+/\n", email.body)


def test_asking_again_in_french_switches_a_pending_address_to_french(client, mailoutbox):
    client.post("/subscribe/email/", {"email": "reader@example.org"})
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=1))
    client.post("/fr/subscribe/email/", {"email": "reader@example.org"})
    run_tasks()
    assert [email.subject for email in mailoutbox] == [
        "Confirm your subscription to Journal Club",
        "Confirmez votre abonnement à Journal Club",
    ]
    assert Subscriber.objects.get().language == "fr"


def test_a_member_subscribing_from_a_french_page_gets_french_emails(client):
    member = make_user(email="membre@example.org")
    client.post("/fr/accounts/login/", {"login": member.email, "password": PASSWORD})
    response = client.post("/fr/subscribe/member/", follow=True)
    assert Subscriber.objects.get().language == "fr"
    assert (
        f"Abonnement confirmé{NB}: les nouvelles recensions et synthèses seront envoyées à "
        "membre@example.org." in response.content.decode()
    )


def test_one_announcement_goes_out_in_each_subscribers_language(mailoutbox):
    subscriber("reader@example.org", "en")
    subscriber("lectrice@example.org", "fr")
    review = just_published(title="Evidence in practice")
    sweep()
    emails = {email.to[0]: email for email in mailoutbox}
    english, french = emails["reader@example.org"], emails["lectrice@example.org"]
    assert english.subject == "New review: Evidence in practice"
    assert subject_of(french) == "Nouvelle recension : Evidence in practice"
    assert f"://testserver/reviews/{review.slug}/" in english.body
    assert f"La lire et participer à la discussion{NB}: https://testserver/fr/reviews/" in (
        french.body
    )
    assert '<html lang="fr">' in html_of(french)
    assert '<h1 lang="en">' in html_of(french)  # the review itself is in English


def test_a_french_subscriber_is_sent_the_french_version_of_a_review(mailoutbox):
    subscriber("reader@example.org", "en")
    subscriber("lectrice@example.org", "fr")
    original = just_published(title="Evidence in practice", slug="evidence")
    just_published(
        title="Les données probantes en pratique",
        slug="donnees-probantes",
        language="fr",
        translation_of=original,
    )
    sweep()
    emails = {email.to[0]: email for email in mailoutbox}
    assert len(mailoutbox) == 2  # the two versions are one piece of news
    french = emails["lectrice@example.org"]
    assert subject_of(french) == "Nouvelle recension : Les données probantes en pratique"
    assert "://testserver/fr/reviews/donnees-probantes/" in french.body
    assert "://testserver/reviews/evidence/" in emails["reader@example.org"].body
    assert Announcement.objects.count() == 2  # both recorded, so neither is announced later


def test_the_synthesis_announcement_in_french(mailoutbox):
    subscriber("lectrice@example.org", "fr")
    review = just_published(title="Evidence in practice")
    Announcement.objects.create(review=review, kind=Announcement.Kind.REVIEW)
    review.synthesis = "Brokers agreed."
    review.synthesis_published_at = timezone.now() - timedelta(minutes=1)
    review.save()
    sweep()
    [email] = mailoutbox
    assert subject_of(email) == "Ce qu’en disent les courtiers : Evidence in practice"
    assert f"/fr/reviews/{review.slug}/#synthesis" in email.body
