from journalclub.markdown import render_editorial


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
