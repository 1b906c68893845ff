"""A member's and a staff member's first hour: signing up back to the question they came
from, names without usernames, unique display names, their time zone, two-factor setup in
one flow, and allauth's pages in sentence case."""

import re
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User, name_key
from tests.accounts.test_mfa import current_code
from tests.factories import PASSWORD, make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {
        "email": "new.broker@example.org",
        "display_name": "Amara Okafor",
        "affiliation": "",
        "password1": "correct-horse-battery",
        "password2": "correct-horse-battery",
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def confirmation_link(mailoutbox) -> str:
    run_tasks()
    (email,) = mailoutbox
    return re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", email.body).group(1)


# Sign-up back to the conversation


def test_the_discussion_sends_readers_to_sign_up_and_back_to_the_question_form(client):
    review = make_review()
    question = review.questions.first()
    page = client.get(question.get_absolute_url()).content.decode()
    back = f"{question.get_absolute_url()}%23comment-form-{question.pk}"
    assert f'href="/accounts/login/?next={back}">Sign in to comment</a>' in page
    assert f'href="/accounts/signup/?next={back}">create an account</a>' in page
    # Anonymous readers have no text box, so there is no typed text to lose.
    assert 'name="body"' not in page


def test_confirming_the_email_signs_in_and_returns_to_the_question(client, mailoutbox):
    review = make_review()
    question = review.questions.first()
    back = f"{question.get_absolute_url()}#comment-form-{question.pk}"
    signup_page = client.get("/accounts/signup/?" + urlencode({"next": back}))
    assert f'name="next" value="{back}"' in signup_page.content.decode()

    signed_up = sign_up(client, next=back)
    assert signed_up["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    link = confirmation_link(mailoutbox)

    # Opening the link (as a mail scanner would) confirms nothing: the page has a button.
    shown = client.get(link)
    assert shown.status_code == 200
    assert 'method="post"' in main(shown)
    member = User.objects.get(email="new.broker@example.org")
    assert member.emailaddress_set.get().verified is False

    confirmed = client.post(link)
    assert confirmed["Location"] == back
    assert client.session["_auth_user_id"] == str(member.pk)
    assert member.emailaddress_set.get().verified is True
    page = client.get(question.get_absolute_url())
    assert f'id="comment-form-{question.pk}"' in page.content.decode()
    greeting = [str(m) for m in get_messages(page.wsgi_request)]
    assert "Successfully signed in as Amara Okafor." in greeting


def test_a_link_opened_in_another_browser_confirms_but_does_not_sign_in(client, mailoutbox):
    from django.test import Client

    sign_up(client)
    link = confirmation_link(mailoutbox)
    elsewhere = Client()
    confirmed = elsewhere.post(link)
    assert confirmed["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in elsewhere.session
    assert User.objects.get(email="new.broker@example.org").emailaddress_set.get().verified


def test_sign_up_never_sends_members_off_the_site(client, mailoutbox):
    sign_up(client, next="https://evil.example/")
    confirmed = client.post(confirmation_link(mailoutbox))
    assert confirmed["Location"] == "/"


# Names, never usernames


def test_sign_up_asks_for_a_display_name_and_optionally_an_affiliation(client):
    page = main(client.get("/accounts/signup/"))
    assert re.search(r'<input type="text" name="display_name"[^>]* required', page)
    affiliation = re.search(r'<input type="text" name="affiliation"[^>]*>', page).group(0)
    assert "required" not in affiliation
    assert 'name="username"' not in page
    sign_up(client, affiliation="Ontario Health")
    member = User.objects.get(email="new.broker@example.org")
    assert (member.display_name, member.affiliation) == ("Amara Okafor", "Ontario Health")


def test_members_are_greeted_by_display_name_never_username(client):
    member = make_user(username="internal-handle-7", display_name="Jo Broker")
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    greeting = [str(m) for m in get_messages(response.wsgi_request)]
    assert greeting == ["Successfully signed in as Jo Broker."]
    page = client.get("/accounts/profile/").content.decode()
    assert "internal-handle-7" not in page


def test_a_member_without_a_display_name_is_member_never_their_username(client):
    unnamed = make_user(username="internal-handle-8", display_name="")
    assert unnamed.public_name == "Member"
    comment = make_comment(author=unnamed, body="Unnamed but here")
    page = client.get(comment.question.get_absolute_url()).content.decode()
    assert "Unnamed but here" in page
    assert "internal-handle-8" not in page


def test_the_verification_email_names_the_member_by_display_name(client, mailoutbox):
    sign_up(client)
    run_tasks()
    (email,) = mailoutbox
    member = User.objects.get(email="new.broker@example.org")
    assert "Amara Okafor" in email.body
    assert member.username not in email.body
    assert email.subject == "[Journal Club] Please confirm your email address"


# Unique display names


def test_names_are_compared_without_case_accents_or_extra_spaces():
    assert name_key("  Amara   Okáfor ") == name_key("amara okafor") == "amara okafor"
    assert name_key("ＡＭＡＲＡ") == "amara"  # full-width letters
    assert name_key("Straße") == name_key("STRASSE")


def test_sign_up_refuses_a_name_taken_give_or_take_case_and_accents(client):
    make_user(display_name="Amara Okafor")
    refused = sign_up(client, display_name="amara  okáfor")
    assert refused.status_code == 200
    assert "That display name is already taken" in main(refused)
    assert not User.objects.filter(email="new.broker@example.org").exists()


def test_profile_refuses_a_taken_name_and_keeps_ones_own(client):
    make_user(display_name="Amara Okafor")
    member = make_user(display_name="Jo Broker")
    client.force_login(member)
    data = {"display_name": "AMARA OKÁFOR", "reply_emails": "on"}
    refused = client.post("/accounts/profile/", data)
    assert refused.status_code == 200
    assert "That display name is already taken" in main(refused)
    member.refresh_from_db()
    assert member.display_name == "Jo Broker"
    # Their own name in other capitals is theirs to keep.
    saved = client.post("/accounts/profile/", {"display_name": "jo broker"})
    assert saved["Location"] == "/accounts/profile/"
    member.refresh_from_db()
    assert (member.display_name, member.display_name_key) == ("jo broker", "jo broker")


def test_the_database_refuses_a_second_copy_of_a_name():
    make_user(display_name="Amara Okafor")
    make_user(display_name="")
    make_user(display_name="")  # names left empty are not compared
    with pytest.raises(IntegrityError):
        make_user(display_name="Amara Okáfor")


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_keys_and_renames_later_duplicates():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0004_one_line_names")]
    executor.migrate(before)
    old_user = executor.loader.project_state(before).apps.get_model("accounts", "User")
    for n, name in enumerate(["Amara Okafor", "amara okáfor", "", "Jo Broker", "AMARA OKAFOR"]):
        old_user.objects.create(username=f"old{n}", email=f"old{n}@example.org", display_name=name)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("accounts"))
    names = list(User.objects.order_by("pk").values_list("display_name", "display_name_key"))
    assert names == [
        ("Amara Okafor", "amara okafor"),
        ("amara okáfor (2)", "amara okafor (2)"),
        ("", ""),
        ("Jo Broker", "jo broker"),
        ("AMARA OKAFOR (3)", "amara okafor (3)"),
    ]


# Profile: time zone and layout


def test_members_choose_their_time_zone(client):
    member = make_user()
    client.force_login(member)
    page = client.get("/accounts/profile/").content.decode()
    assert '<option value="America/St_Johns">America/St Johns</option>' in page
    data = {"display_name": member.display_name, "time_zone": "America/St_Johns"}
    assert client.post("/accounts/profile/", data)["Location"] == "/accounts/profile/"
    member.refresh_from_db()
    assert member.time_zone == "America/St_Johns"
    # Empty: the site's own zone.
    client.post("/accounts/profile/", data | {"time_zone": ""})
    member.refresh_from_db()
    assert member.time_zone == ""


def test_an_unknown_time_zone_is_refused_with_a_message(client):
    member = make_user()
    client.force_login(member)
    data = {"display_name": member.display_name, "time_zone": "Mars/Olympus_Mons"}
    refused = client.post("/accounts/profile/", data)
    assert refused.status_code == 200
    assert "Select a valid choice." in main(refused)
    member.refresh_from_db()
    assert member.time_zone == ""


def test_profile_checkboxes_sit_beside_their_labels_with_help_for_the_member(client):
    client.force_login(make_user())
    page = main(client.get("/accounts/profile/"))
    assert re.search(
        r'<div class="form-field checkbox-field">\s*'
        r'<input type="checkbox" name="reply_emails"[^>]*>\s*'
        r'<label for="id_reply_emails">Email me when someone replies to my comments</label>',
        page,
    )
    assert "The name shown beside your comments." in page
    assert "this member" not in page


# Two-factor setup for staff, in one flow


@pytest.fixture
def require_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.mark.usefixtures("require_mfa")
def test_staff_sign_in_set_up_two_factor_and_arrive_without_a_second_password(client):
    editor = make_user(editor=True)
    asked_for = "/admin/posts/review/add/"
    signed_in = client.post(
        "/accounts/login/?" + urlencode({"next": asked_for}),
        {"login": editor.email, "password": PASSWORD},
    )
    assert signed_in["Location"] == asked_for
    setup_url = "/accounts/2fa/totp/activate/?" + urlencode({"next": asked_for})
    assert client.get(asked_for)["Location"] == setup_url
    setup = client.get(setup_url)
    assert setup.status_code == 200  # no "Confirm access" just after signing in
    assert "<svg" in main(setup)

    activated = client.post(setup_url, {"code": current_code(client.session[SECRET_SESSION_KEY])})
    codes_url = "/accounts/2fa/recovery-codes/?" + urlencode({"next": asked_for})
    assert activated["Location"] == codes_url
    codes = main(client.get(codes_url))
    assert "<h1>Your recovery codes</h1>" in codes
    assert "download them, print this page" in codes
    assert 'href="/accounts/2fa/recovery-codes/download/"' in codes
    assert f'<a class="button" href="{asked_for}">Continue to the page you asked for</a>' in codes
    assert (
        len(Authenticator.objects.get(user=editor, type="recovery_codes").wrap().get_unused_codes())
        == 10
    )  # noqa: E501
    assert client.get(asked_for).status_code == 200


# Sentence case


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/sessions/",
        "/accounts/3rdparty/",
    ],
)
def test_account_pages_are_in_sentence_case(client, url):
    if url not in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        client.post("/accounts/login/", {"login": make_user().email, "password": PASSWORD})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    title = re.search(r"<title>\s*(.*?)\s*·", html).group(1)
    assert title == title[0] + title[1:].replace("ORCID", "orcid").lower(), title
    headings = re.findall(r"<h[12][^>]*>\s*(.*?)\s*</h[12]>", main(response), re.S)
    buttons = re.findall(r"<button[^>]*>\s*(.*?)\s*</button>", main(response), re.S)
    for text in headings + buttons:
        words = re.sub(r"<[^>]+>", "", text).split()
        assert not any(w[0].isupper() and not w.isupper() for w in words[1:]), text


def test_the_sign_in_page_in_sentence_case(client):
    page = main(client.get("/accounts/login/"))
    assert re.search(r"<h1>\s*Sign in\s*</h1>", page)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", page)
    assert "Forgot your password?" in page
    for title_case in ("Sign In", "Sign Up", "Remember Me", "Forgot Password"):
        assert title_case not in page


def test_the_admin_greets_staff_by_display_name_never_username(client):
    editor = make_user(display_name="Edith Editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "Edith Editor" in page
    assert editor.username not in page
