"""Search over what everyone may read: published reviews and the visible comments on them.

PostgreSQL ranks matches with weighted full-text search vectors and highlights them with
ts_headline; elsewhere (SQLite in development) a plain case-insensitive match over the same
fields stands in, with the same visibility rules and the same results page.

Search shows only public content, to everyone: nobody finds drafts, scheduled reviews or
hidden, deleted or pending comments here, not even the staff and moderators who may open
them elsewhere, so the results are the same for every reader.
"""

import re
import unicodedata
from functools import cache, cached_property
from html import unescape

import snowballstemmer
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Replace
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from comments.models import Comment, questions_of_comments_in
from posts.models import KeyFinding, Question, Review

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words the SQLite fallback matches, so a long query stays a small query
# PostgreSQL's text search configuration for each language a review or comment is in.
CONFIGS = {"en": "english", "fr": "french"}
DEFAULT_CONFIG = "english"
# What the SQLite fallback matches for a letter: the letter with any accent French puts on it.
ACCENTED = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}
# and for two letters, the ligature French may write them as: "oeuvre", "œuvre".
LIGATURES = {"oe": "œ", "ae": "æ"}
UNLIGATED = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
# ts_headline marks matches with these private-use characters. They are removed from the
# text it reads, so once the headline is escaped each one left is a mark we asked for.
START, STOP = "\ue000", "\ue001"
REVIEW_TEXT_FIELDS = ("standfirst", "summary", "commentary", "background")
# What snippets are made of: the same texts, rendered (standfirst is plain text already).
REVIEW_SNIPPET_FIELDS = ("standfirst", "summary_html", "commentary_html", "background_html")
CITATION_FIELDS = ("article__authors", "article__title", "article__journal", "reviewer__name")
MIN_STEM = 3  # a shorter stem would match too many words: such a word is matched as typed
# The end tags of blocks: the words either side of one are separate words in the text.
BLOCK_END = re.compile(r"(</(?:p|li|h\d|blockquote|pre|td|th)>|<br\s*/?>)", re.IGNORECASE)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def terms(q: str) -> list[str]:
    return re.findall(r"\w+", q)[:MAX_TERMS]


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def fold(word: str) -> str:
    """`word` without its accents and ligatures: "évaluation", "evaluation"; "œuvre",
    "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(UNLIGATED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(word: str) -> str:
    """What the words of `word`'s family begin with: its Snowball stem, less the "i" that
    Snowball puts for a final "y" ("repositories", "repository": "repositor")."""
    word = fold(word)
    root = _stemmer().stemWord(word.lower())
    if root.endswith("i") and len(root) > MIN_STEM:
        root = root[:-1]
    return root if len(root) >= MIN_STEM and word.lower().startswith(root) else word.lower()


def word_pattern(word: str) -> str:
    """A regular expression for the words of `word`'s family: the stem after anything but a
    letter or digit (a Markdown "_" may come before it), then the rest of the word. Accents
    do not matter: "evaluation" finds "évaluation", and "évaluation" "evaluation"; nor do
    ligatures: "oeuvre" finds "œuvre", and "œuvre" "oeuvre"."""
    root, letters = stem(word), []
    while root:
        if ligature := LIGATURES.get(root[:2]):
            letters.append(f"(?:{_letter(root[0])}{_letter(root[1])}|{ligature})")
            root = root[2:]
        else:
            letters.append(_letter(root[0]))
            root = root[1:]
    return rf"(?<![^\W_]){''.join(letters)}\w*"


def _letter(char: str) -> str:
    """A regular expression for `char` with any accent French puts on it."""
    return f"[{ACCENTED[char]}]" if char in ACCENTED else re.escape(char)


def plain_text(html: str) -> str:
    """Rendered HTML as the text a reader sees, on one line: no tags, no entities."""
    return " ".join(unescape(strip_tags(BLOCK_END.sub(r"\1 ", html))).split())


def _item_texts(model) -> Subquery:
    """A review's key findings or questions as one text."""
    items = model.objects.filter(review=OuterRef("pk")).order_by().values("review")
    return Subquery(items.annotate(text=StringAgg("text", Value(" "))).values("text"))


def _review_text() -> Concat:
    parts = [part for field in REVIEW_SNIPPET_FIELDS for part in (F(field), Value(" "))]
    return Concat(*parts[:-1], output_field=TextField())


def _question_number() -> Coalesce:
    """The number readers see on a comment's question: its rank in its review."""
    earlier = (
        Question.objects.filter(review=OuterRef("review_id"))
        .filter(
            Q(position__lt=OuterRef("question__position"))
            | Q(position=OuterRef("question__position"), pk__lt=OuterRef("question_id"))
        )
        .order_by()
        .values("review")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(earlier), 0) + 1


class _WithoutTags(Func):
    """PostgreSQL: rendered HTML without its tags, a space for each end of a block. Its
    entities stay encoded, so no text in it reads as a tag."""

    template = (
        "REGEXP_REPLACE(REGEXP_REPLACE(%(expressions)s, "
        "'(</(p|li|h[1-6]|blockquote|pre|td|th)>|<br\\s*/?>)', ' ', 'gi'), '<[^>]*>', '', 'g')"
    )
    output_field = TextField()


def _unligated(*texts) -> list[Replace]:
    """PostgreSQL: the texts (field names or expressions) with œ and æ written out as "oe"
    and "ae", as the query is (`UNLIGATED`): its stemmers keep ligatures, so that "oeuvre"
    would not find "œuvre". Snippets keep the ligatures, unmarked where the query had none."""
    unligated = []
    for text in texts:
        expression = F(text) if isinstance(text, str) else text
        for ligature, letters in UNLIGATED.items():
            expression = Replace(
                expression, Value(chr(ligature)), Value(letters), output_field=TextField()
            )
        unligated.append(expression)
    return unligated


def _config(prefix: str = "") -> Case:
    """The text search configuration of each row's language (`CONFIGS`)."""
    return Case(
        *(When(**{f"{prefix}language": code}, then=Value(name)) for code, name in CONFIGS.items()),
        default=Value(DEFAULT_CONFIG),
    )


def _headline(html, tsquery: SearchQuery) -> SearchHeadline:
    """ts_headline's passage of the text of `html` (ts_headline itself puts a space for
    every tag, even inside a sentence)."""
    text = _WithoutTags(html)
    without_markers = Replace(Replace(text, Value(START), Value("")), Value(STOP), Value(""))
    return SearchHeadline(
        without_markers,
        tsquery,
        config=F("search_config"),
        start_sel=START,
        stop_sel=STOP,
        # One passage: ts_headline's fragment mode cuts a short comment down to the match.
        max_words=35,
        min_words=15,
    )


def _review_matches(term: str) -> Q:
    pattern = word_pattern(term)
    match = Q()
    for field in ("title", *REVIEW_TEXT_FIELDS, *CITATION_FIELDS):
        match |= Q(**{f"{field}__iregex": pattern})
    for model in (KeyFinding, Question):
        match |= Q(Exists(model.objects.filter(review=OuterRef("pk"), text__iregex=pattern)))
    return match


def search_reviews(q: str) -> QuerySet:
    """Published reviews matching `q`, best first: on PostgreSQL by weighted rank (title, then
    standfirst and citation, then the body); elsewhere title matches first, then newest."""
    reviews = (
        Review.objects.published()
        .select_related("article", "reviewer")
        .annotate(kind=Value("review"))
    )
    if _postgres():
        # Each review is read, and the query parsed, in its own language's configuration.
        config = F("search_config")
        tsquery = SearchQuery(q.translate(UNLIGATED), search_type="websearch", config=config)
        document = (
            SearchVector(*_unligated("title"), weight="A", config=config)
            + SearchVector(*_unligated("standfirst", *CITATION_FIELDS), weight="B", config=config)
            + SearchVector(*_unligated("summary", "commentary"), weight="C", config=config)
            + SearchVector(
                *_unligated("background", _item_texts(KeyFinding), _item_texts(Question)),
                weight="D",
                config=config,
            )
        )
        return (
            reviews.alias(search_config=_config(), document=document)
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
        in_title |= Q(title__iregex=word_pattern(word))
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
        .select_related("review__translation", "review__translation_of", "question", "author")
        .annotate(kind=Value("comment"), question_number=_question_number())
    )
    if _postgres():
        config = F("search_config")
        tsquery = SearchQuery(q.translate(UNLIGATED), search_type="websearch", config=config)
        document = SearchVector(*_unligated("body"), config=config)
        return (
            comments.alias(search_config=_config(), document=document)
            .filter(document=tsquery)
            .annotate(
                rank=SearchRank(F("document"), tsquery),
                snippet_source=_headline(F("body_html"), tsquery),
            )
            .order_by("-rank", "-created_at", "-id")
        )
    words = terms(q)
    if not words:
        return comments.none()
    return (
        comments.filter(*(Q(body__iregex=word_pattern(word)) for word in words))
        .annotate(snippet_source=F("body_html"))
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
    """ts_headline's passage of rendered HTML as plain text, escaped, with the matches it
    marked in <mark> elements. The marks are split off before entities are decoded, so no
    text can forge one."""
    text = strip_tags(BLOCK_END.sub(r"\1 ", headline))
    pieces = re.split(f"{START}(.*?){STOP}", text, flags=re.DOTALL)
    pieces = [
        re.sub(r"\s+", " ", unescape(piece).replace(START, "").replace(STOP, ""))
        for piece in pieces
    ]
    pieces[0], pieces[-1] = pieces[0].lstrip(), pieces[-1].rstrip()
    return _marked(pieces)


def excerpt(html: str, words: list[str], width: int = 240) -> SafeString:
    """The plain text of rendered HTML around the first match, escaped, with the words of
    the searched words' families in it marked."""
    text = plain_text(html)
    if not words:
        return _marked([text[:width]])
    patterns = sorted({word_pattern(word) for word in words}, key=len, reverse=True)
    pattern = re.compile("(" + "|".join(patterns) + ")", re.IGNORECASE)
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
    gets its `.snippet` (safe HTML) and says what it is in `.kind`; a comment also gets the
    plain `.question_text` of the question it answers."""

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
        comments = [item for item in found if item.kind == "comment"]
        for comment in comments:
            comment.question.number = comment.question_number
        # The review and question as the reader names them: the version in their language.
        questions_of_comments_in(get_language(), comments)
        for item in found:
            source = item.snippet_source or ""
            item.snippet = highlight(source) if _postgres() else excerpt(source, words)
            if item.kind == "comment":
                question = item.question.in_language
                item.question_review = question.review
                item.question_text = plain_text(question.text_html)
        return found
