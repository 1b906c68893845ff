"""In a real browser, on a desktop and a phone: each radio button and checkbox sits left of
its label, on the label's line, and a field's error sits under that field. With
SCREENSHOT_DIR set, screenshots go there as forms-*.png."""

import pytest
from django.contrib.auth.models import Group

from tests.e2e.journeys import screenshot_dir
from tests.e2e.test_moderation import sign_in, submit
from tests.factories import make_comment, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


# Where a label's words are, without the input a label may wrap (Django's radio buttons).
TEXT_BOX = """label => {
  const range = document.createRange();
  const words = [...label.childNodes].filter(node => node.nodeType === 3 && node.data.trim());
  range.setStartBefore(words[0]);
  range.setEndAfter(words[words.length - 1]);
  const rect = range.getBoundingClientRect();
  return {x: rect.x, y: rect.y, width: rect.width, height: rect.height};
}"""


def check_beside_its_label(page, input_selector: str) -> None:
    """At both sizes, the input is left of its label's text and on the same line."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for control in page.locator(input_selector).all():
            label = page.locator(f"label[for='{control.get_attribute('id')}']")
            box, text = control.bounding_box(), label.evaluate(TEXT_BOX)
            assert box["x"] + box["width"] <= text["x"], (size, label.inner_text())
            assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < 12


def shoot(page, name: str) -> None:
    folder = screenshot_dir()
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        if folder:
            page.screenshot(path=folder / f"forms-{name}-{size}.png", full_page=True)
    page.set_viewport_size(SIZES["desktop"])


def test_radios_and_checkboxes_sit_left_of_their_labels(live_server, page, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    page.goto(f"{live_server.url}/accounts/login/")
    check_beside_its_label(page, "input[name=remember]")
    shoot(page, "sign-in")

    comment = make_comment(body="A comment to flag.")
    member = make_user(display_name="Flagging Member")
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/comments/{comment.pk}/flag/")
    check_beside_its_label(page, "input[name=reason]")
    shoot(page, "flag")
    page.locator("main form.stacked-form").evaluate("form => form.noValidate = true")
    submit(page, page.get_by_role("button", name="Send flag"))
    assert page.locator(".form-errors--summary").is_visible()
    shoot(page, "flag-error")

    moderator = make_user(display_name="Mo Derator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    page.context.clear_cookies()
    sign_in(page, live_server.url, moderator.email)
    page.goto(f"{live_server.url}/moderation/members/{comment.author_id}/")
    check_beside_its_label(page, "input[name=length], input[name=hide_comments]")
    shoot(page, "suspend")
    page.goto(f"{live_server.url}/moderation/")
    shoot(page, "queue")


def test_sign_up_errors_sit_under_their_fields(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "new.member@example.org")
    page.fill("input[name=password1]", "correct-horse-battery")
    page.fill("input[name=password2]", "another-horse-battery")
    page.locator("input[name=display_name]").evaluate("input => input.required = false")
    submit(page, page.locator("main button[type=submit]"))
    name_error = page.locator(".form-field:has(input[name=display_name]) .errorlist")
    assert name_error.inner_text() == "This field is required."
    name_box = page.locator("input[name=display_name]").bounding_box()
    assert name_error.bounding_box()["y"] > name_box["y"]
    shoot(page, "sign-up-errors")
