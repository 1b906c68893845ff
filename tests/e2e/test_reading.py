import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PATH = "/reviews/implementation-research-out-of-step-with-practice/"


def test_reader_opens_the_demo_review_from_the_home_page(live_server, page):
    call_command("load_demo")
    page.goto(live_server.url)
    page.locator(".review-card").get_by_role(
        "link", name="Is implementation research out of step"
    ).click()
    page.wait_for_url(f"**{DEMO_PATH}")

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Is implementation research out of step with implementation practice?"
    )
    findings = page.locator("ol.findings > li")
    questions = page.locator("ol.questions > li")
    assert findings.count() == 3
    assert questions.count() == 3
    for index in range(3):
        assert findings.nth(index).is_visible()
        assert questions.nth(index).is_visible()
    assert page.locator("#question-2").is_visible()

    doi_link = page.get_by_role("link", name="https://doi.org/10.1177/26334895221105585")
    assert doi_link.get_attribute("href") == "https://doi.org/10.1177/26334895221105585"
    assert page.console_errors == []


def test_review_page_is_readable_on_a_phone(live_server, browser):
    call_command("load_demo")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + DEMO_PATH)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert scroll_width <= 375
