"""In a real browser: an editor without two-factor authentication asks for the admin's "add a
review" page, is sent to set it up, sees a QR code drawn under the site's CSP, activates it,
keeps the recovery codes and lands on the page they asked for."""

import re
from urllib.parse import urlencode

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.e2e.journeys import screenshot_dir
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_editor_sets_up_two_factor_and_lands_where_they_were_going(live_server, page, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    editor = make_user(editor=True, display_name="Eden Editor")
    violations = []
    page.expose_binding("reportViolation", lambda source, violation: violations.append(violation))
    page.add_init_script(REPORT_VIOLATIONS)
    asked_for = f"{live_server.url}/admin/posts/review/add/"

    # Signing in on the way to the admin: no second password prompt before adding a factor.
    page.goto(asked_for)
    page.locator("main").get_by_label("Email").fill(editor.email)
    page.locator("main").get_by_label("Password").fill(PASSWORD)
    submit(page, page.locator("main").get_by_role("button", name="Sign in", exact=True))

    setup = f"{live_server.url}/accounts/2fa/totp/activate/?" + urlencode(
        {"next": "/admin/posts/review/add/"}
    )
    assert page.url == setup
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 150 and box["width"] == box["height"], box
    assert page.locator("main img").count() == 0
    assert_no_serious_violations(page)

    # The key behind the QR code is there to type in by hand, and it is the one drawn.
    page.get_by_text("Can't scan the code?").click()
    secret = page.get_by_label("Setup key").input_value()
    folder = screenshot_dir()
    if folder:
        page.screenshot(path=folder / "two-factor-setup-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert 150 <= qr.locator("svg").bounding_box()["width"] <= 390
    if folder:
        page.screenshot(path=folder / "two-factor-setup-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    adapter = get_adapter()
    drawn = adapter.build_totp_svg(adapter.build_totp_url(editor, secret))
    expected_path = re.search(r' d="([^"]+)"', drawn).group(1)
    assert qr.locator("svg path").get_attribute("d") == expected_path

    counter = next(yield_hotp_counters_from_time())
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, counter)))
    submit(page, page.get_by_role("button", name="Activate"))
    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).count() == 1

    # Recovery codes are shown once; the way on is below them.
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    submit(page, page.get_by_role("link", name="Continue to the page you asked for"))
    assert page.url == asked_for
    assert page.get_by_role("heading", level=1).inner_text() == "Add review"

    assert violations == []
    assert page.console_errors == []


def test_editor_asking_for_the_admin_signs_in_sets_up_and_arrives_without_a_second_password(
    live_server, page, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    editor = make_user(editor=True, display_name="Eden Editor")
    page.goto(f"{live_server.url}/admin/")
    main = page.locator("main")
    main.get_by_label("Email").fill(editor.email)
    main.get_by_label("Password").fill(PASSWORD)
    submit(page, main.get_by_role("button", name="Sign in", exact=True))
    assert page.url == f"{live_server.url}/accounts/2fa/totp/activate/?next=%2Fadmin%2F"
    svg = page.get_by_role("img", name="QR code for your authenticator app").locator("svg")
    assert svg.count() == 1 and svg.bounding_box()["width"] >= 150

    page.get_by_text("Can't scan the code?").click()
    secret = page.get_by_label("Setup key").input_value()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Authenticator code").fill(code)
    submit(page, page.get_by_role("button", name="Activate"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10
    if folder := screenshot_dir():
        page.screenshot(path=folder / "two-factor-recovery-codes-1280.png", full_page=True)
    submit(page, page.get_by_role("link", name="Continue to the page you asked for"))
    assert page.url == f"{live_server.url}/admin/"
    assert "/accounts/reauthenticate/" not in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Site administration"
    assert page.console_errors == []
