"""Search over what everyone may read: published reviews and the visible comments on them.

PostgreSQL ranks matches with weighted full-text search vectors and highlights them with
ts_headline; elsewhere (SQLite in development) a plain case-insensitive match over the same
fields stands in, with the same visibility rules and the same results page.

Search shows only public content, to everyone: nobody finds drafts, scheduled reviews or
hidden, deleted or pending comments here, not even the staff and moderators who may open
them elsewhere, so the results are the same for every reader.
"""

import re
from functools import cached_property

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Replace
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from comments.models import Comment
from posts.models import KeyFinding, Question, Review

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words the SQLite fallback matches, so a long query stays a small query
CONFIG = "english"
# ts_headline marks matches with these private-use characters. They are removed from the
# text it reads, so once the headline is escaped each one left is a mark we asked for.
START, STOP = "\ue000", "\ue001"
REVIEW_TEXT_FIELDS = ("standfirst", "summary", "commentary", "background")
CITATION_FIELDS = ("article__authors", "article__title", "article__journal")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def terms(q: str) -> list[str]:
    return re.findall(r"\w+", q)[:MAX_TERMS]


def _item_texts(model) -> Subquery:
    """A review's key findings or questions as one text."""
    items = model.objects.filter(review=OuterRef("pk")).order_by().values("review")
    return Subquery(items.annotate(text=StringAgg("text", Value(" "))).values("text"))


def _review_text() -> Concat:
    parts = [part for field in REVIEW_TEXT_FIELDS for part in (F(field), Value(" "))]
    return Concat(*parts[:-1], output_field=TextField())


def _headline(text, tsquery: SearchQuery) -> SearchHeadline:
    without_markers = Replace(Replace(text, Value(START), Value("")), Value(STOP), Value(""))
    return SearchHeadline(
        without_markers,
        tsquery,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        # One passage: ts_headline's fragment mode cuts a short comment down to the match.
        max_words=35,
        min_words=15,
    )


def _review_matches(term: str) -> Q:
    match = Q()
    for field in ("title", *REVIEW_TEXT_FIELDS, *CITATION_FIELDS):
        match |= Q(**{f"{field}__icontains": term})
    for model in (KeyFinding, Question):
        match |= Q(Exists(model.objects.filter(review=OuterRef("pk"), text__icontains=term)))
    return match


def search_reviews(q: str) -> QuerySet:
    """Published reviews matching `q`, best first: on PostgreSQL by weighted rank (title, then
    standfirst and citation, then the body); elsewhere title matches first, then newest."""
    reviews = Review.objects.published().select_related("article").annotate(kind=Value("review"))
    if _postgres():
        tsquery = SearchQuery(q, search_type="websearch", config=CONFIG)
        document = (
            SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("standfirst", *CITATION_FIELDS, weight="B", config=CONFIG)
            + SearchVector("summary", "commentary", weight="C", config=CONFIG)
            + SearchVector(
                "background",
                _item_texts(KeyFinding),
                _item_texts(Question),
                weight="D",
                config=CONFIG,
            )
        )
        return (
            reviews.alias(document=document)
            .filter(document=tsquery)
            .annotate(
                rank=SearchRank(F("document"), tsquery),
                snippet_source=_headline(_review_text(), tsquery),
            )
            .order_by("-rank", "-published_at", "-id")
        )
    words = terms(q)
    if not words:
        return reviews.none()
    in_title = Q()
    for word in words:
        in_title |= Q(title__icontains=word)
    return (
        reviews.filter(*(_review_matches(word) for word in words))
        .annotate(
            title_match=Case(When(in_title, then=Value(1)), default=Value(0)),
            snippet_source=_review_text(),
        )
        .order_by("-title_match", "-published_at", "-id")
    )


def search_comments(q: str) -> QuerySet:
    """Publicly visible comments on published reviews whose text matches `q`, best first."""
    comments = (
        Comment.objects.visible()
        .filter(review__in=Review.objects.published())
        .select_related("review")
        .annotate(kind=Value("comment"))
    )
    if _postgres():
        tsquery = SearchQuery(q, search_type="websearch", config=CONFIG)
        return (
            comments.alias(document=SearchVector("body", config=CONFIG))
            .filter(document=tsquery)
            .annotate(
                rank=SearchRank(F("document"), tsquery),
                snippet_source=_headline(F("body"), tsquery),
            )
            .order_by("-rank", "-created_at", "-id")
        )
    words = terms(q)
    if not words:
        return comments.none()
    return (
        comments.filter(*(Q(body__icontains=word) for word in words))
        .annotate(snippet_source=F("body"))
        .order_by("-created_at", "-id")
    )


def _marked(pieces: list[str]) -> SafeString:
    """The pieces escaped, those at odd positions (the matches) in <mark> elements."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<mark>{}</mark>", piece) if n % 2 else piece,)
            for n, piece in enumerate(pieces)
        ),
    )


def highlight(headline: str) -> SafeString:
    """ts_headline's text, escaped, with the matches it marked in <mark> elements."""
    pieces = re.split(f"{START}(.*?){STOP}", headline, flags=re.DOTALL)
    return _marked([piece.replace(START, "").replace(STOP, "") for piece in pieces])


def excerpt(text: str, words: list[str], width: int = 240) -> SafeString:
    """Plain text around the first match, escaped, with the matches in it marked."""
    text = " ".join(text.split())
    if not words:
        return _marked([text[:width]])
    pattern = re.compile(
        "(" + "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)) + ")",
        re.IGNORECASE,
    )
    found = pattern.search(text)
    start = max(found.start() - width // 3, 0) if found else 0
    window = text[start : start + width]
    if start > 0 and " " in window[: width // 3]:
        window = "… " + window.split(" ", 1)[1]
    if start + width < len(text):
        window = window.rsplit(" ", 1)[0] + " …"
    return _marked(pattern.split(window))  # the matches are at the odd positions


class SearchResults:
    """The matching reviews, then the matching comments, as one sequence a Paginator can
    slice: two counts and at most two queries a page, however many things match. Each item
    gets its `.snippet` (safe HTML) and says what it is in `.kind`."""

    def __init__(self, q: str):
        self.q = q
        self.reviews = search_reviews(q)
        self.comments = search_comments(q)

    @cached_property
    def review_count(self) -> int:
        return self.reviews.count()

    @cached_property
    def comment_count(self) -> int:
        return self.comments.count()

    def count(self) -> int:
        return self.review_count + self.comment_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list:
        start, stop = page.start or 0, page.stop
        found = list(self.reviews[start:stop]) if start < self.review_count else []
        if stop > self.review_count:
            found += self.comments[max(start - self.review_count, 0) : stop - self.review_count]
        words = terms(self.q)
        for item in found:
            source = item.snippet_source or ""
            item.snippet = highlight(source) if _postgres() else excerpt(source, words)
        return found
