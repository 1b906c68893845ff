"""In a real browser: a visitor subscribes from the footer and confirms by the emailed
link; the subscribe page and the footer form at desktop and phone sizes (screenshots in
SCREENSHOT_DIR when it is set), with no serious accessibility violations."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from subscriptions.models import Subscriber
from tests.e2e.journeys import screenshot_dir
from tests.factories import make_review
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def test_visitor_subscribes_from_the_footer_and_confirms_by_email(live_server, page):
    make_review(title="A review to start with")
    page.goto(live_server.url + "/")
    footer = page.locator("footer")
    footer.get_by_label("Get new reviews by email").fill("reader@example.org")
    footer.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"

    run_tasks()
    [email] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/subscribe/confirm/\S+)", email.body).group(1)
    page.goto(live_server.url + path)
    assert not Subscriber.objects.get().is_confirmed
    page.get_by_role("button", name="Yes, subscribe me").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert Subscriber.objects.get().is_confirmed
    assert page.console_errors == []


@pytest.mark.parametrize("size", SIZES)
def test_subscribe_page_and_footer_form_fit_and_pass_axe(live_server, browser, size):
    for n in range(3):
        make_review(title=f"A recent review about evidence use, number {n + 1}")
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    folder = screenshot_dir()

    page.goto(live_server.url + "/subscribe/")
    assert page.locator("#feed-url").input_value() == live_server.url + "/feed/"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if folder:
        page.screenshot(path=folder / f"subscribe-page-{size}.png", full_page=True)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []

    page.goto(live_server.url + "/")
    page.locator(".subscribe-box").scroll_into_view_if_needed()
    if folder:
        page.locator(".subscribe-box").screenshot(path=folder / f"subscribe-home-{size}.png")
        page.locator("footer").screenshot(path=folder / f"subscribe-footer-{size}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
