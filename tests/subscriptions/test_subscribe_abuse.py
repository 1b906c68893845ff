"""The subscribe form cannot be used to flood an inbox, or to send links to another site."""

from datetime import timedelta

import pytest
from django.test import Client

from subscriptions.models import Subscriber
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def ask(client, email: str):
    return client.post("/subscribe/email/", {"email": email})


def as_if_sent_long_ago() -> None:
    """Past the ten minutes between two confirmation emails to one address."""
    for subscriber in Subscriber.objects.all():
        subscriber.confirmation_sent_at -= timedelta(hours=1)
        subscriber.save(update_fields=["confirmation_sent_at"])


def test_spellings_of_one_address_are_one_subscriber(mailoutbox):
    for spelling in [
        "Reader@Bücher.example",
        "reader@xn--bcher-kva.example",
        "READER@BÜCHER.EXAMPLE",
    ]:
        assert ask(Client(), spelling).status_code == 200
    run_tasks()
    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        "reader@xn--bcher-kva.example"
    ]
    assert [email.to for email in mailoutbox] == [["reader@xn--bcher-kva.example"]]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ('"reader"@example.org', "Enter an email address without quotes or backslashes."),
        ('"re\\"ader"@example.org', "Enter an email address without quotes or backslashes."),
        # "ſ" (U+017F) matches [a-z] in Django's case-insensitive email pattern.
        ("\u017fam@example.org", "Use only unaccented letters, digits and . _ + - before the @."),
        ('"a\x01b"@example.org', "An email address cannot contain control characters."),
        ('"a\x1bb"@example.org', "An email address cannot contain control characters."),
    ],
    ids=["quoted", "backslash", "non-ascii-name", "control-character", "escape"],
)
def test_unusual_spellings_are_refused_with_a_message(client, mailoutbox, email, message):
    response = ask(client, email)
    assert response.status_code == 400
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    run_tasks()
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_one_client_may_ask_five_times_an_hour(mailoutbox):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(5):
        assert ask(client, f"reader{number}@example.org").status_code == 200
    refused = ask(client, "victim@example.org")
    assert refused.status_code == 429
    assert "Too many requests from your network: try again in an hour." in refused.content.decode()
    # Another client is not held back.
    assert ask(Client(REMOTE_ADDR="198.51.100.2"), "other@example.org").status_code == 200
    run_tasks()
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "other@example.org",
        *[f"reader{number}@example.org" for number in range(5)],
    ]
    assert len(mailoutbox) == 6


def test_an_unconfirmed_address_gets_three_confirmation_emails_at_most(mailoutbox):
    for number in range(5):
        # From five different clients, hours apart: neither other limit applies.
        assert (
            ask(Client(REMOTE_ADDR=f"203.0.113.{number}"), "victim@example.org").status_code == 200
        )
        as_if_sent_long_ago()
    run_tasks()
    assert len(mailoutbox) == 3
    assert Subscriber.objects.get().confirmation_emails == 3


def test_the_confirmation_email_does_not_promise_silence(client, mailoutbox):
    ask(client, "reader@example.org")
    run_tasks()
    [email] = mailoutbox
    assert "we will not write to you again" not in email.body
    assert "this address gets at most three of these emails" in email.body


def test_links_in_subscription_emails_use_the_site_domain_not_the_host_header(settings, mailoutbox):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    client = Client(HTTP_HOST="attacker.example")
    assert ask(client, "reader@example.org").status_code == 200
    run_tasks()
    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert "attacker.example" not in email.body + html + str(email.extra_headers)
    assert "https://testserver/subscribe/confirm/" in email.body
    assert "https://testserver/subscribe/unsubscribe/" in email.extra_headers["List-Unsubscribe"]
