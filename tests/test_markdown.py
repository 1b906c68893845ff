import pytest
from django.utils.html import escape

from journalclub.markdown import _comment_cleaner, _site_relative, render_comment, render_editorial


def test_editorial_markdown_keeps_formatting():
    html = render_editorial("# Heading\n\n*em* **strong** [link](https://example.org)\n\n> quote")
    assert html == (
        "<h3>Heading</h3>\n"
        "<p><em>em</em> <strong>strong</strong> "
        '<a href="https://example.org" rel="noopener">link</a></p>\n'
        "<blockquote>\n<p>quote</p>\n</blockquote>"
    )


def test_editorial_markdown_drops_script_event_handlers_and_javascript_links():
    html = render_editorial(
        "Hello <script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) "
        '<a href="javascript:alert(4)" onclick="alert(5)">raw</a> '
        '<a href="JaVaScRiPt:alert(6)">mixed</a>'
    )
    lowered = html.lower()
    assert "<script" not in lowered
    assert "alert(1)" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "<img" not in lowered
    assert "Hello" in html


def test_editorial_markdown_has_no_h1_so_the_page_keeps_one():
    assert render_editorial("# Top").startswith("<h3")


def test_empty_text_renders_empty():
    assert render_editorial("") == ""


# Where a browser goes from an editor's link on https://journalclub.example/reviews/x/, by
# the WHATWG URL rules: tabs and newlines are removed, leading and trailing C0 controls and
# spaces are trimmed, and "\" counts as "/" in http(s) URLs, so "/\host" is "//host".
SITE_RELATIVE_LINKS = [
    ("/reviews/x/", "/reviews/x/"),
    ("/", "/"),
    ("#findings", "#findings"),
    ("/reviews/x/#findings", "/reviews/x/#findings"),
    ("/search/?q=two words", "/search/?q=two words"),
    ("/%5Cevil.example/", "/%5Cevil.example/"),  # an encoded backslash stays in the path
    ("/%2F/evil.example/", "/%2F/evil.example/"),
    (" /reviews/x/ ", "/reviews/x/"),
    ("/re\tviews/\n", "/reviews/"),
    ("//evil.example/", None),
    ("/\\evil.example/", None),
    ("\\/evil.example/", None),
    ("\\\\evil.example/", None),
    ("/\t/evil.example/", None),
    ("/\n/evil.example/", None),
    ("/\r/evil.example/", None),
    ("/\r\n\\evil.example/", None),
    (" //evil.example/", None),
    ("\t//evil.example/", None),
    ("\x00//evil.example/", None),
    ("\x1f/\\evil.example/", None),
    ("\\evil.example/", None),
    ("reviews/x/", None),
    ("?page=2", None),
    ("evil.example", None),
    ("", None),
]


@pytest.mark.parametrize(("url", "kept"), SITE_RELATIVE_LINKS)
def test_site_relative_links_are_only_those_a_browser_keeps_on_this_host(url, kept):
    assert _site_relative(url) == kept


@pytest.mark.parametrize(("url", "kept"), SITE_RELATIVE_LINKS)
def test_editors_raw_links_reach_the_page_only_when_they_stay_on_this_host(url, kept):
    encoded = "".join(f"&#{ord(c)};" if ord(c) < 32 else c for c in url)
    html = render_editorial(f'<a href="{encoded}">x</a>')
    if kept is None:
        assert html == '<p><a rel="noopener">x</a></p>'
    else:
        assert html == f'<p><a href="{escape(kept)}" rel="noopener">x</a></p>'


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[x](/reviews/x/)", "/reviews/x/"),
        ("[x](/%5Cevil.example/)", "/%5Cevil.example/"),
        ("[x](/\\evil.example/)", None),
        ("[x](/\\\\evil.example/)", None),
        ("[x](\\\\evil.example/)", None),
        ("[x](//evil.example/)", None),
        ("[x](/\n/evil.example/)", None),
        ("[x](< //evil.example/>)", None),
    ],
)
def test_editors_markdown_links_reach_the_page_only_when_they_stay_on_this_host(markdown, href):
    html = render_editorial(markdown)
    if href is None:
        assert html == '<p><a rel="noopener">x</a></p>'
    else:
        assert html == f'<p><a href="{href}" rel="noopener">x</a></p>'


def test_comment_links_keep_only_their_address_and_our_rel():
    html = render_comment('[x](https://example.org "A title")')
    assert html == '<p><a href="https://example.org" rel="nofollow ugc noopener">x</a></p>'


def test_the_comment_allowlist_has_no_attributes_beyond_href():
    # Members' raw HTML never reaches the cleaner, so ask the cleaner itself.
    html = _comment_cleaner.clean(
        '<p lang="en" title="t"><a href="https://example.org" title="t" lang="en">x</a></p>'
    )
    assert html == '<p><a href="https://example.org" rel="nofollow ugc noopener">x</a></p>'


def test_editorial_attributes_are_exactly_the_allowlist():
    html = render_editorial('<abbr title="World Health Organization" lang="en">WHO</abbr>')
    assert html == '<p><abbr title="World Health Organization">WHO</abbr></p>'
    assert render_editorial('<p lang="fr" title="t">Bonjour</p>') == "<p>Bonjour</p>"


def test_deeply_nested_lists_render_as_the_text_that_was_typed():
    text = "1. " * 496
    assert render_comment(text) == f"<p>{text.strip()}</p>"
    assert render_editorial(text) == f"<p>{text.strip()}</p>"


def test_deeply_nested_definition_lists_render_as_the_text_that_was_typed():
    text = "a\n: b\n" * 496
    html = render_editorial(text)
    assert html == "<p>" + text.strip().replace("\n", "<br>") + "</p>"


def test_plain_text_keeps_paragraphs_and_escapes_markup():
    text = "1. " * 495 + "1.\n\n<b>bold</b> & more\nline"
    assert render_comment(text) == (
        f"<p>{('1. ' * 496).strip()}</p>\n\n<p>&lt;b&gt;bold&lt;/b&gt; &amp; more<br>line</p>"
    )


def test_a_fence_inside_another_fence_is_code():
    assert render_editorial("~~~\n```python\nx\n~~~") == "<pre><code>```python\nx\n</code></pre>"


def test_a_long_link_still_renders():
    url = "https://example.org/" + "a" * 1_500
    assert render_comment(f"[x]({url})") == (
        f'<p><a href="{url}" rel="nofollow ugc noopener">x</a></p>'
    )
