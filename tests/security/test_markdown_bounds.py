"""The renderers against the pathological corpus: nothing raises, nothing unsafe comes out.

How long each input takes is measured by `bench/markdown_bench.py` (`make bench`), not here:
timings on shared machines make flaky tests.
"""

import json
import time
from pathlib import Path

import pytest
from django.conf import settings

from journalclub import markdown
from journalclub.markdown import (
    _FENCED_BLOCK_RE,
    EDITORIAL_MAX_LENGTH,
    MAX_NESTING,
    _Budget,
    _comment_markdown,
    _editorial_markdown,
    _OverBudget,
    _to_html,
    render_comment,
    render_editorial,
)
from tests.security.html_checks import problems_in
from tests.security.markdown_corpus import RECIPES, corpus

COMMENTS = corpus(settings.COMMENTS_MAX_LENGTH)
EDITORIAL = corpus(EDITORIAL_MAX_LENGTH)
VECTORS = json.loads((Path(__file__).parent / "xss_vectors.json").read_text())


def test_the_corpus_is_large_and_at_the_limit():
    assert len(COMMENTS) >= 100
    assert {len(text) for text in COMMENTS.values()} == {settings.COMMENTS_MAX_LENGTH}
    assert {len(text) for text in EDITORIAL.values()} == {EDITORIAL_MAX_LENGTH}
    for family in ["[", "![", "[](", "[x](", "<![CDATA[", "*_[(", "> ", "1. ", "a\n: b\n", "|",
                   "<!--", "`", "&#", "# ", "=\n", "http://", "www.", "*[", "\t"]:  # fmt: skip
        assert any(family in text for text in COMMENTS.values()), family


@pytest.mark.parametrize("name", RECIPES)
def test_comments_at_the_limit_render_safely(name):
    assert problems_in(render_comment(COMMENTS[name])) == []


@pytest.mark.parametrize("name", RECIPES)
def test_editorial_text_at_its_limit_renders_safely(name):
    assert problems_in(render_editorial(EDITORIAL[name]), allow_site_relative=True) == []


@pytest.mark.parametrize("python_markdown", [_comment_markdown, _editorial_markdown])
def test_the_bounds_change_nothing_in_ordinary_markdown(python_markdown):
    """The checks inside the renderer give exactly Python-Markdown's output wherever the
    budget is not spent and the nesting is within MAX_NESTING: here on the XSS vectors and
    on pathological text too short to nest deeper (one level can take one character)."""
    for text in [*corpus(MAX_NESTING - 4).values(), *VECTORS]:
        assert _to_html(text, python_markdown) == python_markdown().convert(text), text


def test_the_bounds_change_nothing_in_a_long_editorial_text():
    text = "\n\n".join(vector.replace("\x00", "") for vector in VECTORS)
    assert _to_html(text, _editorial_markdown) == _editorial_markdown().convert(text)


def test_text_over_budget_is_shown_as_typed(monkeypatch):
    monkeypatch.setattr(markdown, "RENDER_BUDGET", 0)
    assert render_comment("**bold** <b>\n\n[x](https://example.org)") == (
        "<p>**bold** &lt;b&gt;</p>\n\n<p>[x](https://example.org)</p>"
    )
    assert render_editorial("# Title\nline") == "<p># Title<br>line</p>"


def test_the_budget_counts_only_the_time_the_thread_runs():
    budget = _Budget(0.005)
    time.sleep(0.01)
    budget.check()  # waiting for the CPU does not count
    started = time.thread_time()
    while time.thread_time() - started < 0.005:
        pass
    with pytest.raises(_OverBudget):
        budget.check()


def test_the_fence_expression_reads_spaces_one_way():
    # Python-Markdown's own takes seconds on "```" and 10,000 spaces.
    pattern = _FENCED_BLOCK_RE.pattern
    assert pattern.count("[ ]*+") == 4
    assert "[ ]*" not in pattern.replace("[ ]*+", "")
