"""Hostile input gets a 404, a 400 or a form error that keeps the text: never a 500, on
SQLite and on PostgreSQL. Numbers are ASCII digits only; control characters never reach the
database, an email header or a feed."""

import html

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from comments.models import Comment, ModerationAction
from comments.notifications import notify_about_new_comment
from journalclub.inputs import header_text, whole_number
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

NOT_ASCII_DIGITS = [
    "²",
    "①",
    "١",
    "٣",
    "１",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1_0",
    "1.0",
    "0x1",
    "",
    "1" * 5000,
]


@pytest.fixture
def moderator():
    user = make_user()
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_whole_numbers_are_ascii_digits_only(value):
    assert whole_number(value) is None


def test_whole_numbers_parse_ascii_digits():
    assert [whole_number(value) for value in ["0", "7", "0042", "9" * 18]] == [0, 7, 42, 10**18 - 1]
    assert whole_number("9" * 19) is None  # beyond any id or page a database holds
    assert whole_number(None) is None


@pytest.mark.parametrize("page", ["%C2%B2", "%E2%91%A0", "%D9%A1", "%EF%BC%92", "1" * 5000, "-1"])
def test_question_pages_read_junk_page_numbers_as_the_first_page(client, page):
    review = make_review()
    make_comment(question=review.questions.first(), body="The first conversation.")
    response = client.get(f"/reviews/{review.slug}/questions/1/?page={page}")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "The first conversation." in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/?page={}", "/topics/{topic}/?page={}", "/series/{series}/?page={}"]
)
@pytest.mark.parametrize("page", ["%C2%B2", "%D9%A1", "%EF%BC%91", "1" * 5000])
def test_review_lists_answer_404_to_junk_page_numbers(client, url, page):
    review = make_review()
    topic = review.topics.create(name="Evidence", slug="evidence")
    address = url.format(page, topic=topic.slug, series=review.series.slug)
    assert client.get(address.replace(page, "1")).status_code == 200
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("page", ["%C2%B2", "%D9%A1", "1" * 5000])
def test_moderation_and_search_pages_read_junk_page_numbers_as_the_first_page(
    client, moderator, page
):
    make_comment(body="A searchable periwinkle.")
    client.force_login(moderator)
    for url in [f"/moderation/?page={page}&flags_page={page}", f"/moderation/log/?page={page}", f"/search/?q=periwinkle&page={page}"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        if url.startswith("/moderation/?"):
            assert (response.context["recent"].number, response.context["flagged"].number) == (1, 1)
        else:
            assert response.context["page_obj"].number == 1


@pytest.mark.parametrize("field", ["question", "parent"])
@pytest.mark.parametrize("value", ["²", "①", "١", "1" * 5000, "1\x00"])
def test_posted_ids_accept_only_ascii_digits(client, field, value):
    review = make_review()
    question = review.questions.first()
    parent = make_comment(question=question)
    client.force_login(make_user())
    data = {"question": question.pk, "parent": parent.pk, "body": "A reply."} | {field: value}
    response = client.post(f"/reviews/{review.slug}/comments/", data)
    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_the_moderation_filter_takes_a_review_by_its_ascii_id_only(client, moderator):
    review = make_review()
    make_comment(question=review.questions.first(), body="On the first review.")
    client.force_login(moderator)
    assert client.get(f"/moderation/?review={review.pk}").context["filters"].is_valid()
    arabic_indic = "".join(chr(0x660 + int(digit)) for digit in str(review.pk))
    filters = client.get(f"/moderation/?review={arabic_indic}").context["filters"]
    assert list(filters.errors) == ["review"]


@pytest.mark.parametrize(
    "url",
    ["/?topic=%00", "/?topic=a%0Ab", "/?page=1&x%00=1", "/search/?q=%00", "/search/?q=a%0D%0Ab",
     "/search/?q=%1B%5B31m", "/search/?q=%7F", "/search/?q=%C2%85", "/moderation/?member=a%00b",
     "/feed/?page=%00", "/reviews/x%00y/", "/accounts/login/?next=%00"],
)  # fmt: skip
def test_control_characters_in_the_address_get_a_400(client, moderator, url):
    make_review()
    client.force_login(moderator)
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_a_tab_in_a_search_is_only_whitespace(client):
    make_comment(body="A searchable periwinkle.")
    response = client.get("/search/?q=searchable%09periwinkle")
    assert response.status_code == 200
    assert "periwinkle" in response.content.decode()


def test_lifting_a_suspension_with_a_nul_in_the_note_changes_nothing(client, moderator):
    member = make_user(suspended_at=timezone.now(), suspension_reason="Spam.")
    client.force_login(moderator)
    url = f"/moderation/members/{member.pk}/"
    response = client.post(url, {"action": "lift", "note": "a\x00b"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Nothing was changed." in html.unescape(response.content.decode())
    member.refresh_from_db()
    assert member.is_suspended
    assert not ModerationAction.objects.filter(action=ModerationAction.Action.LIFT).exists()


@pytest.mark.parametrize("view", ["unhide", "dismiss_flags"])
def test_a_moderator_note_with_control_characters_is_refused(client, moderator, view):
    comment = make_comment()
    comment.hide(by=moderator, reason="spam")
    comment.flags.create(flagger=make_user(), reason="spam")
    client.force_login(moderator)
    url = f"/comments/{comment.pk}/{view.replace('_', '-')}/"
    response = client.post(url, {"note": "a\x00b", "next": "queue"}, follow=True)
    assert "control character" in html.unescape(response.content.decode())
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.flags.open().count()) == (True, 1)


NAME_ERROR = "Write this on one line, without line breaks or control characters."


@pytest.mark.parametrize(
    "name",
    [
        "Eve\nBcc: victim@example.org",
        "Eve\r\nX: y",
        "Eve\tTab",
        "Eve\x00",
        "Eve\x1b[31m",
        "Eve\u2028Line",
        "Eve\x85Line",
    ],
)
def test_profile_names_are_one_line(client, name):
    member = make_user(display_name="Eve")
    client.force_login(member)
    response = client.post(
        "/accounts/profile/", {"display_name": name, "affiliation": f"Lab {name}"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"display_name", "affiliation"}
    assert (
        NAME_ERROR in form.errors["display_name"][0]
        or "Null characters" in form.errors["display_name"][0]
    )
    assert form["display_name"].value() == name  # what they typed is kept
    member.refresh_from_db()
    assert member.display_name == "Eve"


def test_sign_up_refuses_a_display_name_on_two_lines(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "eve@example.org", "display_name": "Eve\nBcc: victim@example.org",
         "password1": "a-long-test-password", "password2": "a-long-test-password"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == [NAME_ERROR]
    assert not response.context["user"].is_authenticated


@pytest.mark.parametrize("body", ["a\x01b", "a\x1b[2Jb", "a\x7fb", "a\x85b", "a\x0bb"])
def test_comments_refuse_control_characters_and_keep_the_draft(client, body):
    review = make_review()
    client.force_login(make_user())
    response = client.post(
        f"/reviews/{review.slug}/comments/", {"question": review.questions.first().pk, "body": body}
    )
    assert response.status_code == 400
    assert "control character" in html.unescape(response.content.decode())
    assert response.context["form"]["body"].value() == body
    assert not Comment.objects.exists()


def test_comments_keep_newlines_and_tabs(client):
    review = make_review()
    client.force_login(make_user())
    body = "Line one,\r\nline two\n\n\tand an indented line."
    response = client.post(
        f"/reviews/{review.slug}/comments/", {"question": review.questions.first().pk, "body": body}
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == body


def test_a_stored_name_on_two_lines_neither_stops_the_emails_nor_adds_a_header(client, mailoutbox):
    """Names saved before the rule existed: the emails still go out, their subject on one line."""
    review = make_review(title="Evidence\nin practice")
    question = review.questions.first()
    parent = make_comment(question=question, author=make_user(email="parent@example.org"))
    question.follows.create(member=make_user(email="follower@example.org"))
    client.force_login(make_user(display_name="Eve\nBcc: victim@example.org\r\n\x01"))
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": question.pk, "parent": parent.pk, "body": "A reply."},
    )
    assert response.status_code == 302
    # What the background worker runs (tests/tasks.py runs the whole worker).
    notify_about_new_comment.call(Comment.objects.get(body="A reply.").pk, "http://testserver")
    assert sorted(email.to[0] for email in mailoutbox) == [
        "follower@example.org",
        "parent@example.org",
    ]
    for email in mailoutbox:
        message = email.message()
        assert message["Bcc"] is None
        assert "\n" not in message["Subject"] and "\x01" not in message["Subject"]
    subjects = sorted(email.subject for email in mailoutbox)
    assert subjects == [
        "Eve Bcc: victim@example.org commented on a question you follow: “Evidence in practice”",
        "Eve Bcc: victim@example.org replied to your comment on “Evidence in practice”",
    ]


def test_header_text_is_one_line_of_printable_characters():
    assert header_text("Eve\nBcc: x@y.z\r\n\t\x00\x1b\u2028\x85end") == "Eve Bcc: x@y.z end"
    assert header_text("  Plain “name”  ") == "Plain “name”"


def test_feeds_survive_control_characters_already_stored(client):
    review = make_review(title="Title\x03 with a control character")
    author = make_user(display_name="Eve\x01")
    make_comment(question=review.questions.first(), author=author, body="Hello\x02 there")
    comments_feed = client.get(f"/reviews/{review.slug}/comments/feed/")
    reviews_feed = client.get("/feed/")
    assert (comments_feed.status_code, reviews_feed.status_code) == (200, 200)
    assert "Eve</name>" in comments_feed.content.decode()
    assert "Title with a control character" in reviews_feed.content.decode()


def test_the_admin_refuses_control_characters_and_made_up_ids(client):
    client.force_login(make_user(editor=True, is_superuser=True))
    review = make_review(title="A title")
    response = client.post(
        f"/admin/posts/review/{review.pk}/change/",
        {"title": "Two\nlines", "standfirst": "Bell\x07", "series": " ", "topics": [" ", "x"]},
    )
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert errors["title"] == [NAME_ERROR]
    assert "control character (U+0007)" in errors["standfirst"][0]
    assert {"series", "topics"} <= set(errors)
    review.refresh_from_db()
    assert review.title == "A title"


def test_the_admin_answers_400_to_an_empty_to_field(client):
    editor = make_user(editor=True, is_superuser=True)
    client.force_login(editor)
    for url in [f"/admin/accounts/user/{editor.pk}/change/", f"/admin/accounts/user/{editor.pk}/delete/"]:  # fmt: skip
        assert client.get(url).status_code == 200
        assert client.get(f"{url}?_to_field=").status_code == 400
        assert client.post(url, {"_to_field": ""}).status_code == 400


def test_the_admin_hide_action_refuses_a_note_with_control_characters(client):
    client.force_login(make_user(editor=True, is_superuser=True))
    comment = make_comment()
    response = client.post(
        "/admin/comments/comment/",
        {"action": "hide_comments", "reason": "spam", "note": "a\x01b", "_selected_action": [comment.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    comment.refresh_from_db()
    assert not comment.is_hidden
