import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from subscriptions.models import CONFIRM_SALT, UNSUBSCRIBE_SALT, Subscriber
from tests.factories import PASSWORD, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def ask(client, email: str):
    return client.post("/subscribe/email/", {"email": email})


def link_in(body: str, path: str) -> str:
    return re.search(rf"https?://testserver({path}[^\s\"<]+)", body).group(1)


def test_visitor_gets_one_confirmation_email_and_nothing_else(client, mailoutbox):
    response = ask(client, "  Reader@Example.org ")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    make_review(title="Not for unconfirmed readers")
    run_tasks()
    [email] = mailoutbox
    assert email.to == ["reader@example.org"]
    assert email.subject == "Confirm your subscription to Journal Club"
    assert "/subscribe/confirm/" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert "/subscribe/unsubscribe/" in email.extra_headers["List-Unsubscribe"]
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.is_confirmed) == ("reader@example.org", False)


def test_confirmation_link_only_asks_on_get_and_confirms_on_post(client, mailoutbox):
    ask(client, "reader@example.org")
    run_tasks()
    path = link_in(mailoutbox[0].body, "/subscribe/confirm/")
    page = client.get(path)
    assert page.status_code == 200
    assert "Yes, subscribe me" in page.content.decode()
    assert not Subscriber.objects.get().is_confirmed  # a mail scanner's visit confirms nothing
    done = client.post(path)
    assert "You are subscribed" in done.content.decode()
    assert Subscriber.objects.get().is_confirmed


def test_confirmation_link_expires_after_seven_days(client):
    subscriber = Subscriber.objects.create(email="late@example.org")

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - 8 * 24 * 3600))

    token = EightDaysAgo(salt=CONFIRM_SALT).sign_object(subscriber.pk)
    response = client.post(f"/subscribe/confirm/{token}/")
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    assert not Subscriber.objects.get().is_confirmed


def test_an_unsubscribe_token_does_not_confirm(client):
    subscriber = Subscriber.objects.create(email="x@example.org")
    token = signing.dumps(subscriber.pk, salt=UNSUBSCRIBE_SALT)
    assert client.post(f"/subscribe/confirm/{token}/").status_code == 400
    assert not Subscriber.objects.get().is_confirmed


def test_asking_again_reveals_nothing_and_sends_nothing_to_a_subscriber(client, mailoutbox):
    Subscriber.objects.create(email="known@example.org", confirmed_at=timezone.now())
    for_subscriber = ask(client, "known@example.org").content.decode()
    for_stranger = ask(client, "stranger@example.org").content.decode()
    assert for_subscriber.replace("known@", "stranger@") == for_stranger
    run_tasks()
    assert [email.to for email in mailoutbox] == [["stranger@example.org"]]


def test_confirmation_emails_to_one_address_are_limited_to_one_per_ten_minutes(client, mailoutbox):
    for _ in range(3):
        assert "Check your inbox" in ask(client, "target@example.org").content.decode()
    run_tasks()
    assert len(mailoutbox) == 1
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    ask(client, "target@example.org")
    run_tasks()
    assert [email.to for email in mailoutbox] == [["target@example.org"]] * 2


def test_a_bad_address_gets_a_clear_message(client):
    response = ask(client, "not an address")
    assert response.status_code == 400
    assert "Enter an email address such as name@example.org." in response.content.decode()
    assert not Subscriber.objects.exists()


def test_visitor_form_needs_no_csrf_token_as_cached_pages_carry_none(mailoutbox):
    response = ask(Client(enforce_csrf_checks=True), "reader@example.org")
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="reader@example.org").exists()


def test_pages_with_the_footer_form_stay_cacheable_for_visitors(client):
    review = make_review()
    for url in ("/", review.get_absolute_url(), "/subscribe/"):
        response = client.get(url)
        page = response.content.decode()
        assert 'action="/subscribe/email/"' in page
        assert "csrfmiddlewaretoken" not in page
        assert response.cookies == {}


def test_home_page_and_every_page_footer_offer_the_email_form(client):
    review = make_review()
    home = client.get("/").content.decode()
    assert "Never miss a review" in home
    assert home.count('action="/subscribe/email/"') == 2
    assert 'id="subscribe-email-home"' in home and 'id="subscribe-email-footer"' in home
    detail = client.get(review.get_absolute_url()).content.decode()
    assert detail.count('action="/subscribe/email/"') == 1
    assert '<a href="/subscribe/">' in detail


def test_member_subscribes_with_one_click_and_gets_no_confirmation(client, mailoutbox):
    member = make_user(email="Member@Example.org")
    client.force_login(member)
    page = client.get("/").content.decode()
    assert 'action="/subscribe/member/"' in page and 'action="/subscribe/email/"' not in page
    response = client.post("/subscribe/member/", {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.member, subscriber.is_confirmed) == (
        "member@example.org",
        member,
        True,
    )
    run_tasks()
    assert mailoutbox == []
    page = client.get("/subscribe/").content.decode()
    assert "New reviews and syntheses come to <strong>member@example.org</strong>" in page


def test_member_confirms_a_pending_visitor_subscription_of_their_address(client):
    Subscriber.objects.create(email="member@example.org")
    member = make_user(email="member@example.org")
    client.force_login(member)
    client.post("/subscribe/member/")
    assert Subscriber.objects.get().is_confirmed


def test_member_without_a_verified_address_is_asked_to_verify_it(client):
    client.force_login(make_user(verified=False))
    response = client.post("/subscribe/member/")
    assert response.status_code == 302 and response.url == "/accounts/email/"
    assert not Subscriber.objects.exists()


def test_member_subscription_refuses_visitors_gets_and_forged_posts(client):
    response = client.post("/subscribe/member/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    member = make_user()
    client.force_login(member)
    assert client.get("/subscribe/member/").status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(member)
    assert forged.post("/subscribe/member/").status_code == 403
    assert not Subscriber.objects.exists()


def test_member_subscription_ignores_an_offsite_next(client):
    client.force_login(make_user())
    response = client.post("/subscribe/member/", {"next": "https://elsewhere.example/"})
    assert response.url == "/subscribe/"


def test_member_stops_the_emails_from_the_subscribe_page(client):
    member = make_user()
    client.force_login(member)
    client.post("/subscribe/member/")
    client.post("/subscribe/member/", {"action": "stop"})
    assert not Subscriber.objects.exists()


def test_deleting_an_account_removes_the_members_subscriptions(client):
    member = make_user(email="leaving@example.org")
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    client.post("/subscribe/member/")
    other = Subscriber.objects.create(email="stays@example.org", confirmed_at=timezone.now())
    client.post("/accounts/delete/", {"confirm": "delete"})
    assert list(Subscriber.objects.all()) == [other]


def test_deleting_an_account_removes_a_visitor_subscription_of_its_verified_address(client):
    Subscriber.objects.create(email="leaving@example.org", confirmed_at=timezone.now())
    member = make_user(email="leaving@example.org")
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    client.post("/accounts/delete/", {"confirm": "delete"})
    assert not Subscriber.objects.exists()


# One-click unsubscribe


def confirmed_subscriber(email: str = "reader@example.org") -> Subscriber:
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now())


def test_unsubscribe_link_only_asks_on_get(client):
    subscriber = confirmed_subscriber()
    path = subscriber.unsubscribe_url().removeprefix("https://testserver")
    page = client.get(path).content.decode()
    assert "Stop emails about new reviews?" in page and "reader@example.org" in page
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_one_click_post_without_csrf_token_unsubscribes(client):
    subscriber = confirmed_subscriber()
    path = subscriber.unsubscribe_url().removeprefix("https://testserver")
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert "You are unsubscribed" in client.post(path).content.decode()  # twice: still fine


def test_unsubscribe_refuses_a_forged_or_confirmation_token(client):
    subscriber = confirmed_subscriber()
    confirm_token = signing.dumps(subscriber.pk, salt=CONFIRM_SALT)
    for token in (confirm_token, "nonsense", signing.dumps(subscriber.pk, salt="other")):
        response = client.post(f"/subscribe/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


# The subscribe page


def test_subscribe_page_explains_feeds_and_lists_only_published_reviews(client):
    make_review(title="Out for all to read")
    make_review(title="A draft in the making", published=False)
    make_review(title="Out next week", published_at=timezone.now() + timedelta(days=7))
    response = client.get("/subscribe/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Out for all to read" in page
    assert "A draft in the making" not in page and "Out next week" not in page
    feed_input = 'id="feed-url" class="feed-url" value="http://testserver/feed/" readonly>'
    assert feed_input in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'action="/subscribe/email/"' in page


def test_the_atom_feed_stays_for_feed_readers(client):
    make_review(title="In the feed")
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "In the feed" in response.content.decode()


def test_subscribe_page_asks_for_get_only(client):
    assert client.post("/subscribe/").status_code == 405
