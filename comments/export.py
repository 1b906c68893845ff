"""A review's discussion as a file, for editors and moderators: Markdown, CSV or JSON.

Every format holds what an anonymous reader of the review page sees (the outline of the
ANONYMOUS viewer, comments/threads.py), in the page's thread order: hidden comments and
deleted comments that still have replies become placeholders without author or text,
deleted comments without replies and comments awaiting approval are left out. Comment text
is exported as its author wrote it, in Markdown.

The CSV and JSON share one row per comment (FIELDS). The JSON is flat:
`{"review": {"title", "slug"}, "questions": [{"number", "text"}], "comments": [row, ...]}`,
each row naming its parent by `parent_id` (null for a comment that starts a thread).
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.roles import needs_two_factor
from journalclub.times import moment_text
from posts.models import Question, Review

from .models import (
    ANONYMOUS,
    DELETED,
    HIDDEN,
    REMOVED,
    TEXT,
    WITHHELD,
    Comment,
    is_moderator,
)
from .threads import Outline, conversations

FIELDS = (
    "id",
    "question_number",
    "parent_id",
    "depth",
    "author",
    "affiliation",
    "created",
    "edited",
    "text",
)
PLACEHOLDERS = {
    HIDDEN: "[hidden by a moderator]",
    DELETED: "[deleted]",
    REMOVED: "[deleted]",  # with its author's account
    # Kept only to hold replies in place, which the site does not let anyone write.
    WITHHELD: "[awaiting approval]",
}
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str | int | None]


def can_export(user) -> bool:
    """Editors and moderators; both need two-factor authentication where it is required."""
    if not user.is_authenticated or needs_two_factor(user):
        return False
    return user.has_perm("posts.change_review") or is_moderator(user)


def _walk(nodes: list[Outline], level: int = 0) -> Iterator[tuple[Outline, int]]:
    for node in nodes:
        yield node, level
        yield from _walk(node.children, level + 1)


def _timestamp(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _row(node: Outline, comment: Comment, number: int, level: int) -> Row:
    shown = node.display == TEXT
    author = comment.author
    return {
        "id": comment.pk,
        "question_number": number,
        "parent_id": comment.parent_id,
        "depth": level,
        "author": (author.public_name if author else "Deleted member") if shown else "",
        "affiliation": author.affiliation if shown and author else "",
        "created": _timestamp(comment.created_at),
        "edited": _timestamp(comment.edited_at) if shown else "",
        "text": comment.body if shown else PLACEHOLDERS[node.display],
    }


def _questions_and_rows(review: Review) -> tuple[list[Question], list[Row]]:
    questions = list(review.questions.all())
    comments = Comment.objects.filter(review=review)
    by_question = conversations(comments.outline(ANONYMOUS))
    loaded = comments.select_related("author").in_bulk()
    rows = [
        _row(node, loaded[node.pk], number, level)
        for number, question in enumerate(questions, start=1)
        for node, level in _walk(by_question.get(question.pk, []))
        if node.pk in loaded
    ]
    return questions, rows


def discussion_rows(review: Review) -> list[Row]:
    """One row per comment an anonymous reader sees (or sees the place of), in thread order."""
    return _questions_and_rows(review)[1]


def _escape_markdown(text: str) -> str:
    """A member's name or affiliation as literal text on one line of Markdown. Only the
    backslash escapes that Python-Markdown and CommonMark both know; "<" as an entity so that
    no renderer sees a tag."""
    text = " ".join(text.split()).replace("<", "&lt;")
    return "".join(f"\\{char}" if char in "\\`*_[]!#" else char for char in text)


def _markdown_comment(row: Row) -> list[str]:
    """A comment as an item of nested bulleted lists, indented four spaces per level so that
    both Python-Markdown and CommonMark nest the replies, its text quoted so that a list in
    the text never runs on into the replies."""
    indent = "    " * int(row["depth"])
    created = datetime.fromisoformat(str(row["created"]))
    date = moment_text(created)
    if not row["author"]:  # a placeholder: every comment shown has an author name
        return ["", f"{indent}- _{row['text']}_ · {date}"]
    byline = f"**{_escape_markdown(str(row['author']))}**"
    if row["affiliation"]:
        byline += f", {_escape_markdown(str(row['affiliation']))}"
    byline += f" · {date}" + (" · " + _("edited") if row["edited"] else "")
    quote = f"{indent}    >"
    body = [f"{quote} {line}" if line.strip() else quote for line in str(row["text"]).splitlines()]
    return ["", f"{indent}- {byline}", "", *body]


def to_markdown(review: Review) -> str:
    """Each question under a heading, then its threads as nested lists of quoted comments,
    the headings in the active language (the data itself is as its authors wrote it)."""
    questions, rows = _questions_and_rows(review)
    title = _("%(title)s: the discussion") % {"title": _escape_markdown(review.title)}
    lines = [f"# {title}"]
    for number, question in enumerate(questions, start=1):
        heading = _("Question %(number)s") % {"number": number}
        lines += ["", f"## {heading}", "", *question.text.strip().splitlines()]
        own_rows = [row for row in rows if row["question_number"] == number]
        for row in own_rows:
            lines += _markdown_comment(row)
        if not own_rows:
            lines += ["", "_{}_".format(_("No comments."))]
    return "\n".join(lines) + "\n"


def _defuse_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def to_csv(review: Review) -> str:
    """Member-written cells that a spreadsheet would run as a formula start with a "'"."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=FIELDS)
    writer.writeheader()
    for row in discussion_rows(review):
        writer.writerow({field: _defuse_formula(value) for field, value in row.items()})
    return output.getvalue()


def to_json(review: Review) -> str:
    questions, rows = _questions_and_rows(review)
    document = {
        "review": {"title": review.title, "slug": review.slug},
        "questions": [
            {"number": number, "text": question.text}
            for number, question in enumerate(questions, start=1)
        ],
        "comments": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, tuple[Callable[[Review], str], str]] = {
    "md": (to_markdown, "text/markdown; charset=utf-8"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "json": (to_json, "application/json"),
}


# Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark.
BYTE_ORDER_MARKS = {"csv": "\ufeff"}


def export_response(review: Review, fmt: str) -> HttpResponse:
    """The discussion as a download named after the review, e.g. my-review-discussion.csv."""
    render, content_type = FORMATS[fmt]
    content = BYTE_ORDER_MARKS.get(fmt, "") + render(review)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{review.slug}-discussion.{fmt}"
    )
    add_never_cache_headers(response)
    return response
