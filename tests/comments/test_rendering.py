import pytest

from journalclub.markdown import render_comment
from tests.factories import make_comment

pytestmark = pytest.mark.django_db


def test_comment_markdown_allows_the_basic_set():
    html = render_comment("*em* **strong** `code`\n\n> quote\n\n- one\n- two")
    assert html == (
        "<p><em>em</em> <strong>strong</strong> <code>code</code></p>\n"
        "<blockquote>\n<p>quote</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )


def test_bare_urls_become_links_with_nofollow_ugc():
    html = render_comment("See https://example.org/paper and write to me@example.org")
    assert '<a href="https://example.org/paper" rel="nofollow ugc noopener">' in html
    assert '<a href="mailto:me@example.org" rel="nofollow ugc noopener">' in html


def test_only_http_https_and_mailto_links_survive():
    html = render_comment(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](/admin/) [d](ftp://x.org) "
        "[e](https://ok.example)"
    )
    assert html.count("href=") == 1
    assert 'href="https://ok.example"' in html


def test_images_headings_and_raw_html_do_not_survive():
    html = render_comment(
        "# Title\n\n![x](https://example.org/x.png)\n\n<img src=x onerror=alert(1)> <b>bold</b>"
    )
    assert "<h" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_html_is_rendered_once_and_stored_beside_the_source():
    comment = make_comment(body="Stored **once**")
    assert comment.body_html == "<p>Stored <strong>once</strong></p>"
