"""Property-based tests: whatever members type, nothing breaks and nothing unsafe comes out."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from journalclub.markdown import render_comment, render_editorial
from tests.factories import make_review, make_user
from tests.security.html_checks import problems_in

MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("<>[]()!*_`#>-=|&;:/\\\"' \n\tajvsript0123456789")), max_size=300
)
ANY_TEXT = st.text(max_size=2000)  # any code point, NUL included


@settings(max_examples=300, deadline=None)
@given(st.one_of(MARKDOWNISH, ANY_TEXT))
def test_renderers_never_raise_and_always_pass_the_allowlist(text):
    assert problems_in(render_comment(text)) == []
    assert problems_in(render_editorial(text), allow_site_relative=True) == []


@pytest.mark.parametrize(
    "text",
    [
        "> " * 10_000,
        "[" * 10_000,
        "*" * 10_000,
        "- " * 5_000,
        "`" * 10_000,
        "x" * 100_000,
        "1. " * 496,
        "a\n: b\n" * 496,
    ],
)
def test_pathological_markdown_renders(text):
    assert problems_in(render_comment(text)) == []
    assert problems_in(render_editorial(text), allow_site_relative=True) == []


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(ANY_TEXT, MARKDOWNISH, st.just("\x00")))
def test_the_comment_form_never_answers_500(client, settings_fixture, body):
    review, member = settings_fixture
    client.force_login(member)
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": review.questions.first().pk, "body": body},
    )
    assert response.status_code in (302, 400)


@pytest.fixture
def settings_fixture(db, settings):
    settings.COMMENTS_PER_MINUTE = 100_000
    return make_review(), make_user()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["x" * 100_000, "> " * 10_000, "[" * 10_000, "1. " * 496])
def test_huge_and_deeply_nested_input_gets_a_clear_answer(client, body):
    review = make_review()
    client.force_login(make_user())
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": review.questions.first().pk, "body": body},
    )
    if len(body) > 10_000:
        assert response.status_code == 400
        assert not Comment.objects.exists()
    else:
        assert response.status_code == 302
        assert Comment.objects.get().body_html == f"<p>{body.strip()}</p>"


@pytest.mark.django_db
def test_surrogates_and_invalid_utf8_in_a_post_get_a_clear_answer(client):
    review = make_review()
    client.force_login(make_user())
    question = review.questions.first().pk
    # A lone surrogate cannot be sent as UTF-8; browsers send its bytes or a replacement.
    for raw in [b"%ED%A0%80", b"%FF%FE", b"ok%ED%A0%80text"]:
        response = client.generic(
            "POST",
            f"/reviews/{review.slug}/comments/",
            b"question=%d&body=" % question + raw,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (302, 400)
    assert render_comment("\ud800 lone") is not None
