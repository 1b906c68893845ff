"""The discussion export: what each format holds, who may download it, and its other doors
(the management command and the admin action)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from comments.export import discussion_rows
from comments.models import HideReason
from posts.models import Review
from tests.factories import make_comment, make_moderator, make_review, make_user

pytestmark = pytest.mark.django_db

HIDDEN_WORD = "Zanzibarite"
HIDDEN_NOTE = "Quarrelsome note"
HEADER = [
    "id",
    "question_number",
    "parent_id",
    "depth",
    "author",
    "affiliation",
    "created",
    "edited",
    "text",
]
START = datetime(2025, 3, 3, 14, 5, tzinfo=UTC)
UTF8_BOM = b"\xef\xbb\xbf"


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def discussion():
    """Question 1: a thread three deep, a hidden comment with a reply, a deleted comment with
    a reply, a deleted comment without one and a comment awaiting approval. Question 2: one
    comment. Question 3: none."""
    review = make_review(slug="evidence-in-practice")
    first, second, _ = review.questions.all()
    alice = make_user(display_name="Alice Author", affiliation="RMIT University")
    bob = make_user(display_name="Bob Broker")
    c = {}
    c["top"] = make_comment(question=first, author=alice, body="Top comment.", created_at=at(0))
    c["reply"] = make_comment(parent=c["top"], author=bob, body="A reply.", created_at=at(1))
    c["deep"] = make_comment(parent=c["reply"], author=alice, body="Deeper.", created_at=at(2))
    c["hidden"] = make_comment(
        question=first,
        author=make_user(display_name="Hildegard Hidden", affiliation="Secret Institute"),
        body=f"Rude words: {HIDDEN_WORD}.",
        created_at=at(3),
    )
    c["hidden"].hide(by=make_moderator(), reason=HideReason.DISRESPECTFUL, note=HIDDEN_NOTE)
    c["under_hidden"] = make_comment(
        parent=c["hidden"], author=bob, body="Reply to hidden.", created_at=at(4)
    )
    c["deleted"] = make_comment(question=first, body="Withdrawn words.", created_at=at(5))
    c["deleted"].delete_by_author()
    c["under_deleted"] = make_comment(
        parent=c["deleted"], author=alice, body="Reply to deleted.", created_at=at(6)
    )
    c["deleted_leaf"] = make_comment(question=first, body="Gone leaf.", created_at=at(7))
    c["deleted_leaf"].delete_by_author()
    c["pending"] = make_comment(
        question=first, body="Awaiting approval.", approved=False, created_at=at(8)
    )
    c["second"] = make_comment(question=second, author=bob, body="On question 2.", created_at=at(9))
    return review, c


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(editor=True))
    return client


def export(client, review: Review, fmt: str):
    return client.get(f"/reviews/{review.slug}/export.{fmt}")


def parse_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_has_one_row_per_shown_comment_or_placeholder_in_thread_order(
    editor_client, discussion
):
    review, c = discussion
    response = export(editor_client, review, "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="evidence-in-practice-discussion.csv"'
    )
    header, *rows = parse_csv(response.content)
    assert header == HEADER
    assert [row[:6] + row[8:] for row in rows] == [
        [str(c["top"].pk), "1", "", "0", "Alice Author", "RMIT University", "Top comment."],
        [str(c["reply"].pk), "1", str(c["top"].pk), "1", "Bob Broker", "", "A reply."],
        [str(c["deep"].pk), "1", str(c["reply"].pk), "2", "Alice Author", "RMIT University",
         "Deeper."],
        [str(c["hidden"].pk), "1", "", "0", "", "", "[hidden by a moderator]"],
        [str(c["under_hidden"].pk), "1", str(c["hidden"].pk), "1", "Bob Broker", "",
         "Reply to hidden."],
        [str(c["deleted"].pk), "1", "", "0", "", "", "[deleted]"],
        [str(c["under_deleted"].pk), "1", str(c["deleted"].pk), "1", "Alice Author",
         "RMIT University", "Reply to deleted."],
        [str(c["second"].pk), "2", "", "0", "Bob Broker", "", "On question 2."],
    ]  # fmt: skip
    assert rows[0][6:8] == ["2025-03-03T09:05:00-05:00", ""]


def test_csv_marks_an_edit_with_its_date(editor_client, discussion):
    review, c = discussion
    c["top"].edit("Top comment, clarified.")
    _, first, *_ = parse_csv(export(editor_client, review, "csv").content)
    assert first[8] == "Top comment, clarified."
    assert datetime.fromisoformat(first[7]) == c["top"].edited_at.replace(microsecond=0)


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(editor_client):
    review = make_review()
    make_comment(
        question=review.questions.first(),
        author=make_user(display_name="=HYPERLINK(1)"),
        body='=HYPERLINK("https://evil.example","click")',
    )
    _, row = parse_csv(export(editor_client, review, "csv").content)
    assert row[4] == "'=HYPERLINK(1)"
    assert row[8] == '\'=HYPERLINK("https://evil.example","click")'


def test_markdown_nests_replies_under_each_question(editor_client):
    review = make_review(title="On *evidence*", slug="on-evidence", questions=2)
    first = review.questions.first()
    alice = make_user(display_name="Alice Author", affiliation="RMIT University")
    top = make_comment(question=first, author=alice, body="Top.\n\nSecond para.", created_at=at(0))
    reply = make_comment(
        parent=top, author=make_user(display_name="Bob_Broker"), body="Reply.", created_at=at(1)
    )
    make_comment(parent=reply, author=alice, body="Deepest.", created_at=at(2))
    make_comment(parent=top, author=alice, body="Second reply.", created_at=at(3))
    hidden = make_comment(question=first, body=HIDDEN_WORD, created_at=at(4))
    hidden.hide(by=None, reason=HideReason.FLAGGED)

    response = export(editor_client, review, "md")

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="on-evidence-discussion.md"'
    assert response.content.decode() == (
        "# On \\*evidence\\*: the discussion\n"
        "\n"
        "## Question 1\n"
        "\n"
        "Question 1?\n"
        "\n"
        "- **Alice Author**, RMIT University · 3 Mar 2025, 09:05 EST\n"
        "\n"
        "    > Top.\n"
        "    >\n"
        "    > Second para.\n"
        "\n"
        "    - **Bob\\_Broker** · 3 Mar 2025, 09:06 EST\n"
        "\n"
        "        > Reply.\n"
        "\n"
        "        - **Alice Author**, RMIT University · 3 Mar 2025, 09:07 EST\n"
        "\n"
        "            > Deepest.\n"
        "\n"
        "    - **Alice Author**, RMIT University · 3 Mar 2025, 09:08 EST\n"
        "\n"
        "        > Second reply.\n"
        "\n"
        "- _[hidden by a moderator]_ · 3 Mar 2025, 09:09 EST\n"
        "\n"
        "## Question 2\n"
        "\n"
        "Question 2?\n"
        "\n"
        "_No comments._\n"
    )


def test_json_holds_the_questions_and_the_same_rows_with_parent_ids(editor_client, discussion):
    review, c = discussion
    response = export(editor_client, review, "json")

    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["review"] == {"title": review.title, "slug": "evidence-in-practice"}
    assert document["questions"] == [
        {"number": 1, "text": "Question 1?"},
        {"number": 2, "text": "Question 2?"},
        {"number": 3, "text": "Question 3?"},
    ]
    comments = document["comments"]
    assert [(row["id"], row["parent_id"], row["depth"]) for row in comments] == [
        (c["top"].pk, None, 0),
        (c["reply"].pk, c["top"].pk, 1),
        (c["deep"].pk, c["reply"].pk, 2),
        (c["hidden"].pk, None, 0),
        (c["under_hidden"].pk, c["hidden"].pk, 1),
        (c["deleted"].pk, None, 0),
        (c["under_deleted"].pk, c["deleted"].pk, 1),
        (c["second"].pk, None, 0),
    ]
    assert list(comments[0]) == HEADER
    assert comments[3] == {
        "id": c["hidden"].pk,
        "question_number": 1,
        "parent_id": None,
        "depth": 0,
        "author": "",
        "affiliation": "",
        "created": "2025-03-03T09:08:00-05:00",
        "edited": "",
        "text": "[hidden by a moderator]",
    }


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_no_format_leaks_hidden_deleted_or_pending_text(editor_client, discussion, fmt):
    review, _ = discussion
    content = export(editor_client, review, fmt).content.decode()
    assert "Reply to hidden." in content  # the export did include the hidden comment's thread
    for secret in (
        HIDDEN_WORD,
        HIDDEN_NOTE,
        "Hildegard Hidden",
        "Secret Institute",
        "Withdrawn words.",
        "Gone leaf.",
        "Awaiting approval.",
    ):
        assert secret not in content


def test_discussion_rows_cost_three_queries_however_long_the_discussion(
    django_assert_num_queries,
):
    review = make_review()
    question = review.questions.first()
    make_comment(question=question)
    # questions, the threads' outline, the comments' text with their authors
    with django_assert_num_queries(3):
        assert len(discussion_rows(review)) == 1
    for _ in range(10):
        make_comment(parent=make_comment(question=question))
    with django_assert_num_queries(3):
        assert len(discussion_rows(review)) == 21


# Who may download


def make_actor(kind: str):
    if kind == "member":
        return make_user()
    if kind == "editor":
        return make_user(editor=True)
    if kind == "moderator":
        return make_moderator()
    if kind == "superuser":
        return make_user(is_staff=True, is_superuser=True)
    return None


@pytest.mark.parametrize(
    ("kind", "status"),
    [("anonymous", 302), ("member", 403), ("editor", 200), ("moderator", 200), ("superuser", 200)],
)
@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_export_permission_matrix(client, discussion, kind, status, fmt):
    review, _ = discussion
    actor = make_actor(kind)
    if actor:
        client.force_login(actor)
    response = export(client, review, fmt)
    assert response.status_code == status
    if kind == "anonymous":
        assert response["Location"] == (
            f"/accounts/login/?next=/reviews/evidence-in-practice/export.{fmt}"
        )
    if status == 200:
        assert response["Content-Disposition"] == (
            f'attachment; filename="evidence-in-practice-discussion.{fmt}"'
        )
        assert "Reply to hidden." in response.content.decode()
        assert "private" in response["Cache-Control"]


def test_export_is_get_only(editor_client, discussion):
    review, _ = discussion
    assert editor_client.post(f"/reviews/{review.slug}/export.csv").status_code == 405


def test_moderator_without_required_two_factor_is_refused(client, discussion, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    review, _ = discussion
    client.force_login(make_moderator())
    assert export(client, review, "csv").status_code == 403


def test_unknown_format_or_review_is_not_found(editor_client, discussion):
    review, _ = discussion
    assert export(editor_client, review, "xml").status_code == 404
    assert editor_client.get("/reviews/no-such-review/export.csv").status_code == 404


def test_draft_exports_only_for_staff(client):
    draft = make_review(published=False)
    make_comment(question=draft.questions.first(), body="Early words.")
    client.force_login(make_moderator())
    assert export(client, draft, "csv").status_code == 404
    client.force_login(make_user(editor=True))
    response = export(client, draft, "csv")
    assert response.status_code == 200
    assert parse_csv(response.content)[1][8] == "Early words."


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("anonymous", False), ("member", False), ("editor", True), ("moderator", True)],
)
def test_review_page_offers_the_export_links_to_editors_and_moderators(client, kind, shown):
    review = make_review(slug="linked-review")
    actor = make_actor(kind)
    if actor:
        client.force_login(actor)
    page = client.get(review.get_absolute_url()).content.decode()
    links = [
        '<a href="/reviews/linked-review/export.md">Markdown</a>',
        '<a href="/reviews/linked-review/export.csv">CSV</a>',
        '<a href="/reviews/linked-review/export.json">JSON</a>',
    ]
    assert [link in page for link in links] == [shown] * 3
    assert ("Download the discussion" in page) == shown


# The management command


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("md", "# Review"),
        ("csv", "id,question_number,parent_id,depth,author,affiliation,created,edited,text\r\n"),
        ("json", "{\n"),
    ],
)
def test_command_writes_each_format_to_stdout(discussion, fmt, start):
    review, _ = discussion
    out = io.StringIO()
    call_command("export_discussion", review.slug, "--format", fmt, stdout=out)
    text = out.getvalue()
    assert text.startswith(start)
    assert "Reply to deleted." in text
    assert HIDDEN_WORD not in text


def test_command_writes_markdown_by_default(discussion):
    review, _ = discussion
    out = io.StringIO()
    call_command("export_discussion", review.slug, stdout=out)
    assert "## Question 1" in out.getvalue()


def test_command_refuses_an_unknown_review_or_format(discussion):
    review, _ = discussion
    with pytest.raises(CommandError, match="No review has the slug 'nope'"):
        call_command("export_discussion", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        call_command("export_discussion", review.slug, "--format", "xml", stdout=io.StringIO())


# The admin action


def test_admin_action_downloads_the_csv_of_one_review(editor_client, discussion):
    review, c = discussion
    response = editor_client.post(
        "/admin/posts/review/",
        {"action": "export_discussion_csv", "_selected_action": [review.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="evidence-in-practice-discussion.csv"'
    )
    header, *rows = parse_csv(response.content)
    assert header == HEADER
    assert [row[0] for row in rows] == [
        str(c[key].pk)
        for key in (
            "top",
            "reply",
            "deep",
            "hidden",
            "under_hidden",
            "deleted",
            "under_deleted",
            "second",
        )
    ]


def test_admin_action_asks_for_a_single_review(editor_client, discussion):
    review, _ = discussion
    other = make_review()
    response = editor_client.post(
        "/admin/posts/review/",
        {"action": "export_discussion_csv", "_selected_action": [review.pk, other.pk]},
        follow=True,
    )
    assert response.redirect_chain == [("/admin/posts/review/", 302)]
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Select a single review to export its discussion."]


def test_markdown_shows_a_members_name_as_literal_text(editor_client):
    review = make_review(questions=1)
    make_comment(
        question=review.questions.first(),
        author=make_user(display_name="<b>Eve</b> *star* [x](y)"),
        body="Hello.",
        created_at=at(0),
    )
    lines = export(editor_client, review, "md").content.decode().splitlines()
    assert lines[6] == "- **&lt;b>Eve&lt;/b> \\*star\\* \\[x\\](y)** · 3 Mar 2025, 09:05 EST"


def test_csv_download_starts_with_a_byte_order_mark_for_excel(editor_client):
    review = make_review()
    make_comment(question=review.questions.first(), author=make_user(display_name="Zoë Ngā"))
    content = export(editor_client, review, "csv").content
    assert content.startswith(UTF8_BOM + b"id,question_number,")
    assert content.count(UTF8_BOM) == 1
    assert "Zoë Ngā" in content.decode("utf-8")
    for fmt in ("md", "json"):
        assert not export(editor_client, review, fmt).content.startswith(UTF8_BOM)
