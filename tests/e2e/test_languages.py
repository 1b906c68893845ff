"""The language switcher in a browser, with and without JavaScript: French and back, the
choice remembered from one page to the next, and French pages free of serious axe-core
violations."""

import pytest
from django.core.management import call_command

from tests.e2e.test_accessibility import DEMO_PATH, assert_no_serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_reader_switches_to_french_and_back(live_server, browser, javascript):
    call_command("load_demo")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + DEMO_PATH)
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator(".site-header").get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/fr{DEMO_PATH}"
    assert page.locator("html").get_attribute("lang") == "fr"

    # The choice holds for English links: the home page opens in French.
    page.goto(live_server.url + "/")
    assert page.url == f"{live_server.url}/fr/"

    page.locator(".site-header").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_french_pages_have_no_serious_accessibility_violations(live_server, page):
    call_command("load_demo")
    for path in ("/fr/", f"/fr{DEMO_PATH}", "/fr/accounts/login/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert_no_serious_violations(page)
