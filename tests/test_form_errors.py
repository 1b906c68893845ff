"""Form errors sit under their own field, after its label and input, on every form."""

import pytest

from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def position(page: str, text: str) -> int:
    index = page.find(text)
    assert index >= 0, f"{text!r} not in the page"
    return index


def test_sign_up_errors_come_after_their_own_field(client):
    page = client.post(
        "/accounts/signup/",
        {
            "email": "new.member@example.org",
            "display_name": "",
            "password1": "correct-horse-battery",
            "password2": "another-horse-battery",
        },
    ).content.decode()
    summary = position(page, "Please correct the errors below.")
    email_input = position(page, 'name="email"')
    name_label = position(page, 'for="id_display_name"')
    name_input = position(page, 'name="display_name"')
    required = position(page, "This field is required.")
    affiliation_label = position(page, 'for="id_affiliation"')
    assert summary < email_input < name_label < name_input < required < affiliation_label
    password2_input = position(page, 'name="password2"')
    mismatch = position(page, "You must type the same password each time.")
    assert position(page, 'name="password1"') < password2_input < mismatch
    assert page.count('class="form-field form-field--error"') == 2


def test_sign_in_remember_me_checkbox_comes_before_its_label(client):
    page = client.get("/accounts/login/").content.decode()
    assert position(page, 'name="remember"') < position(page, 'for="id_remember"')


def test_flag_form_error_comes_after_the_reasons(client):
    comment = make_comment()
    client.force_login(make_user(email="flagger@example.org", display_name="Flagger"))
    page = client.post(f"/comments/{comment.pk}/flag/", {"note": ""}).content.decode()
    assert position(page, "Please correct the errors below.") < position(page, 'name="reason"')
    assert position(page, 'name="reason"') < position(
        page, "Choose what is wrong with this comment."
    )
