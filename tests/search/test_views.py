import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from comments.models import HideReason
from posts.models import Question
from search.queries import stem
from tests.factories import make_article, make_comment, make_contributor, make_review, make_user

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="weighted full-text ranking exists only on PostgreSQL; the SQLite fallback ranks "
    "title matches first, then newest",
)


def search(client, q: str, **params) -> str:
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def results(html: str) -> list[str]:
    """The links of the results, in order."""
    items = re.findall(r'<li class="search-result">.*?</li>', html, flags=re.S)
    return [re.search(r'<a href="([^"]+)"', item).group(1) for item in items]


def snippets(html: str) -> list[str]:
    return re.findall(r'<p class="search-result__snippet">(.*?)</p>', html, flags=re.S)


def test_finds_a_review_by_a_word_in_its_commentary(client):
    review = make_review(title="On brokering", commentary="The authors propose a quillwort model.")
    make_review(title="Another review")
    html = search(client, "quillwort")
    assert results(html) == [review.get_absolute_url()]
    assert "On brokering" in html
    assert "1 result for “quillwort”" in html
    assert snippets(html) == [snippets(html)[0]]
    assert "<mark>quillwort</mark>" in snippets(html)[0]


def test_finds_a_comment_by_a_word_in_its_text(client):
    review = make_review(title="On brokering")
    comment = make_comment(question=review.questions.first(), body="We tried the marzipane way.")
    make_comment(question=review.questions.first(), body="Something else entirely.")
    html = search(client, "marzipane")
    assert results(html) == [comment.get_absolute_url()]
    assert "Comment on “On brokering”" in html
    assert "<mark>marzipane</mark>" in snippets(html)[0]


REVIEW_FIELDS = ["title", "standfirst", "summary", "background"]
ARTICLE_FIELDS = {"authors": "Brambleton, A.", "title": "The brambleton trial",
                  "journal": "Journal of Brambleton"}  # fmt: skip


@pytest.mark.parametrize(
    "where", [*REVIEW_FIELDS, *(f"article {field}" for field in ARTICLE_FIELDS), "finding",
              "question"],
)  # fmt: skip
def test_finds_reviews_by_every_searchable_field(client, where):
    review = make_review()
    if where in REVIEW_FIELDS:
        setattr(review, where, "About brambleton here.")
        review.save()
    elif where.startswith("article "):
        field = where.removeprefix("article ")
        setattr(review.article, field, ARTICLE_FIELDS[field])
        review.article.save()
    elif where == "finding":
        review.findings.create(position=9, text="It found brambleton.")
    else:
        Question.objects.create(review=review, position=9, text="Why brambleton?")
    make_review()
    assert results(search(client, "brambleton")) == [review.get_absolute_url()]


def test_a_title_match_ranks_above_a_commentary_match(client):
    in_commentary = make_review(commentary="On wickerwork.", published_at=timezone.now())
    in_title = make_review(
        title="Wickerwork at scale", published_at=timezone.now() - timedelta(days=30)
    )
    assert results(search(client, "wickerwork")) == [
        in_title.get_absolute_url(),
        in_commentary.get_absolute_url(),
    ]


@postgresql_only
def test_standfirst_and_citation_rank_above_the_body_on_postgresql(client):
    in_commentary = make_review(commentary="On wickerwork.", published_at=timezone.now())
    in_standfirst = make_review(
        standfirst="Wickerwork, reviewed.", published_at=timezone.now() - timedelta(days=30)
    )
    in_citation = make_review(
        article=make_article(journal="Wickerwork Quarterly"),
        published_at=timezone.now() - timedelta(days=60),
    )
    found = results(search(client, "wickerwork"))
    assert found[-1] == in_commentary.get_absolute_url()
    assert set(found[:2]) == {in_standfirst.get_absolute_url(), in_citation.get_absolute_url()}


def test_reviews_come_before_comments(client):
    review = make_review(commentary="Thistledown everywhere.")
    comment = make_comment(question=review.questions.first(), body="Thistledown, indeed.")
    assert results(search(client, "thistledown")) == [
        review.get_absolute_url(),
        comment.get_absolute_url(),
    ]


def test_every_word_must_match(client):
    both = make_review(commentary="Gooseberry and juniper.")
    make_review(commentary="Gooseberry alone.")
    assert results(search(client, "gooseberry juniper")) == [both.get_absolute_url()]


def test_hidden_deleted_pending_and_unpublished_content_never_appears(client):
    """Each thing that must not leak carries a word of its own and the shared word "lupin"."""
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    published = make_review()
    question = published.questions.first()
    hidden = make_comment(question=question, body="Lupin hiddenword.")
    hidden.hide(by=moderator, reason=HideReason.SPAM)
    make_comment(question=question, body="Lupin deletedword.").delete_by_author()
    make_comment(question=question, body="Lupin pendingword.", approved=False)
    draft = make_review(published=False, title="Lupin draftword", commentary="Lupin.")
    scheduled = make_review(
        title="Lupin scheduledword",
        commentary="Lupin.",
        published_at=timezone.now() + timedelta(days=1),
    )
    make_comment(question=draft.questions.first(), body="Lupin draftcommentword.")
    make_comment(question=scheduled.questions.first(), body="Lupin scheduledcommentword.")
    visible = make_comment(question=question, body="Lupin visibleword.")
    secret_words = ["hiddenword", "deletedword", "pendingword", "draftword", "scheduledword",
                    "draftcommentword", "scheduledcommentword"]  # fmt: skip
    staff = make_user(is_staff=True, is_superuser=True)
    for reader in [None, moderator, staff]:
        if reader:
            client.force_login(reader)
        html = search(client, "lupin")
        assert results(html) == [visible.get_absolute_url()], reader
        assert "visibleword" in html
        for word in secret_words:
            assert word not in html, (reader, word)
            found = search(client, word)
            assert results(found) == [], (reader, word)
            assert f"0 results for “{word}”" in found
            assert "No published reviews or comments match your search." in found


def test_the_header_has_a_search_box_on_every_page(client):
    review = make_review()
    for url in ["/", review.get_absolute_url(), "/search/"]:
        html = client.get(url).content.decode()
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        assert '<form class="site-search" method="get" action="/search/"' in header
        assert '<label class="visually-hidden" for="site-search-q">' in header
        assert header.count('name="q"') == 1


def test_without_a_query_the_page_shows_just_the_form(client):
    make_review(commentary="Anything.")
    for params in [{}, {"q": ""}, {"q": "   "}]:
        response = client.get("/search/", params)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<h1>") == 1
        assert 'id="search-q"' in html
        assert "results for" not in html
        assert 'class="search-results"' not in html


def test_bad_input_never_fails(client):
    review = make_review(commentary="The periwinkle study.")
    for q in ['"unclosed', "-", "!!!", "a & b | c:*", "<->", "'", "\\", "or", "%", "_", "😀"]:
        search(client, q)
    for page in ["abc", "-1", "0", "999", "1.5", "", "²", "١"]:
        html = search(client, "periwinkle", page=page)
        assert results(html) == [review.get_absolute_url()], page


def test_control_characters_in_a_search_get_a_400_that_says_why(client):
    # NUL, which PostgreSQL refuses, and any other control character but a tab.
    for params in [
        {"q": "\x00"},
        {"q": "peri\x00winkle"},
        {"q": "a\nb"},
        {"q": "x", "page": "\x00"},
    ]:
        response = client.get("/search/", params)
        assert response.status_code == 400
        assert "control character" in response.content.decode()


def test_a_long_query_is_shortened_with_a_message(client):
    review = make_review(commentary="The periwinkle study.")
    html = search(client, "periwinkle " + "x" * 1000)
    assert "only its first 200 characters were used" in html
    assert results(html) == []  # x… is one long word, cut short, matching nothing
    html = search(client, "periwinkle" + " " * 300 + "xxxx")
    assert results(html) == [review.get_absolute_url()]
    assert "only its first 200 characters were used" in html


def test_results_come_twenty_a_page_and_keep_the_query(client):
    review = make_review(commentary="Hollyhock.")
    question = review.questions.first()
    comments = [make_comment(question=question, body=f"Hollyhock {n}.") for n in range(20)]
    first = search(client, "hollyhock")
    second = search(client, "hollyhock", page=2)
    assert "21 results for “hollyhock”" in first
    assert len(results(first)) == 20
    assert results(first)[0] == review.get_absolute_url()
    assert len(results(second)) == 1
    assert set(results(first)[1:] + results(second)) == {c.get_absolute_url() for c in comments}
    assert 'rel="next" href="?q=hollyhock&amp;page=2"' in first
    assert 'rel="prev" href="?q=hollyhock&amp;page=1"' in second


def test_snippets_show_text_escaped_with_only_the_matches_marked(client):
    review = make_review()
    make_comment(
        question=review.questions.first(),
        body="Try <b>quillfeather</b> & <script>alert(1)</script> if x < y \ue000z\ue001.",
    )
    html = search(client, "quillfeather")
    [snippet] = snippets(html)
    assert "<b>" not in html
    assert "<script>alert" not in html
    assert "&amp;" in snippet
    assert "x &lt; y" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    assert "<mark>quillfeather</mark>" in snippet
    if connection.vendor == "sqlite":  # PostgreSQL's parser drops what looks like a tag
        assert "&lt;b&gt;<mark>quillfeather</mark>&lt;/b&gt;" in snippet


def test_search_is_live_not_cached(client):
    review = make_review()
    assert results(search(client, "freshword")) == []
    comment = make_comment(question=review.questions.first(), body="A freshword.")
    response = client.get("/search/", {"q": "freshword"})
    assert "X-Page-Cache" not in response
    assert results(response.content.decode()) == [comment.get_absolute_url()]


def test_results_cost_a_fixed_number_of_queries(client, django_assert_num_queries):
    review = make_review(commentary="Marigold.")
    question = review.questions.first()
    make_comment(question=question, body="Marigold.")
    # two counts, the page's reviews, the page's comments
    with django_assert_num_queries(4):
        search(client, "marigold")
    for _ in range(10):
        make_comment(question=question, body="Marigold again.")
        make_review(commentary="Marigold.")
    with django_assert_num_queries(4):
        search(client, "marigold")


def test_finds_reviews_by_their_reviewer_or_an_author_of_the_article(client):
    reviewed = make_review(reviewer=make_contributor(name="Joann Quenby"))
    authored = make_review(
        reviewer=make_contributor(name="Someone Else"),
        article=make_article(authors="Quenby, J., & Boaz, A."),
    )
    make_review(reviewer=make_contributor(name="Someone Else"))
    html = search(client, "Quenby")
    assert set(results(html)) == {reviewed.get_absolute_url(), authored.get_absolute_url()}
    assert "by Joann Quenby" in html


def test_a_word_finds_the_other_words_of_its_family(client):
    review = make_review(commentary="They built an open repository of findings.")
    comment = make_comment(question=review.questions.first(), body="Which repository, though?")
    make_review(commentary="They built a report.")
    html = search(client, "repositories")
    assert results(html) == [review.get_absolute_url(), comment.get_absolute_url()]
    assert [snippet.count("<mark>repository</mark>") for snippet in snippets(html)] == [1, 1]


def test_stems_of_a_family_agree():
    assert stem("repositories") == stem("repository") == "repositor"
    assert stem("brokering") == stem("brokers") == "broker"
    assert stem("be") == "be"  # too short to stem


def test_snippets_are_plain_text_without_markdown(client):
    review = make_review(commentary="The *quillwort* model, **in bold**, with a [link](/x/).")
    make_comment(
        question=review.questions.first(), body="# A heading\n\nSee `code` and _quillwort_."
    )
    html = search(client, "quillwort")
    review_snippet, comment_snippet = snippets(html)
    assert "<mark>quillwort</mark> model, in bold, with a link." in review_snippet
    assert "A heading See code and <mark>quillwort</mark>." in comment_snippet
    for snippet in (review_snippet, comment_snippet):
        assert not re.search(r"[*_`#\[]|<(?!/?mark>)", snippet), snippet


def test_a_comment_result_names_its_author_and_the_question_it_answers(client):
    review = make_review(title="On brokering")
    first, second, _ = review.questions.all()
    second.text = "How would *you* use this?"
    second.save()
    author = make_user(display_name="Rosalind <Broker>")
    comment = make_comment(question=second, author=author, body="A snapdragon approach.")
    html = search(client, "snapdragon")
    assert results(html) == [comment.get_absolute_url()]
    assert 'Comment by <span class="search-result__author">Rosalind &lt;Broker&gt;</span>' in html
    question_url = f"/reviews/{review.slug}/questions/2/"
    assert f'<a href="{question_url}">Question 2</a>: How would you use this?' in html
