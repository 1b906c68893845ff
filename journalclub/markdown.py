"""The one place where Markdown becomes HTML.

Editors' text and members' comments are rendered with Python-Markdown and then
sanitized by nh3 against an allowlist; nothing else in the project calls either library.

Rendering is bounded. Python-Markdown is quadratic or worse on some inputs (a run of "["
takes seconds) and recursive on nested ones (a few hundred "1. " exhaust the stack), so
each text gets a budget of CPU time, checked before every step of Python-Markdown's work:
every preprocessor, block processor, tree processor and postprocessor run, every piece of
text the inline patterns start on and every match they handle, every emphasis delimiter,
every construct the raw-HTML parser reads and every fenced-code opener it tries. No step
between two checks is longer than linear in the text, so a text renders in at most the
budget plus one such step. A text over budget, or nested deeper than MAX_NESTING or the
stack allows, is shown as the plain text that was typed, in paragraphs. docs/security.md
gives the argument.
"""

import gc
import logging
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from xml.etree import ElementTree as etree

import markdown as markdown_lib
import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import md_in_html
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.inlinepatterns import DelimiterProcessor, LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

logger = logging.getLogger(__name__)

EDITORIAL_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
# "*": no attribute on every tag (nh3 otherwise allows lang and title everywhere).
EDITORIAL_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "*": set()}
URL_SCHEMES = {"http", "https", "mailto"}

COMMENT_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
COMMENT_ATTRIBUTES = {"a": {"href"}, "*": set()}

# CPU seconds of Python-Markdown per text. Ordinary text at the comment limit takes a few
# milliseconds; only pathological or implausibly dense text reaches this.
RENDER_BUDGET = 0.020
# The longest editorial text for which the time bound is stated (bench/markdown_bench.py);
# longer text is still bounded, by the budget plus time linear in its length.
EDITORIAL_MAX_LENGTH = 10_000
# Deeper trees (lists in quotes in lists..., emphasis in emphasis...) are shown as text.
MAX_NESTING = 100
# Links and images look for their closing "]" and ")" within this many characters.
LINK_WINDOW = 2_000

# Browsers remove tabs and newlines from a URL, trim C0 controls and spaces from its ends,
# and read "\" as "/" in http(s) URLs (WHATWG URL standard).
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_URL_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def _site_relative(url: str) -> str | None:
    """Editors may link within the site (/reviews/..., #...), never by a scheme-less URL
    that a browser resolves to another host: //host, /\\host, /<tab>/host..."""
    url = _URL_TAB_OR_NEWLINE.sub("", url).strip(_URL_C0_OR_SPACE)
    if url.startswith("#") or (url.startswith("/") and url[1:2] not in ("/", "\\")):
        return url
    return None


_editorial_cleaner = nh3.Cleaner(
    tags=EDITORIAL_TAGS,
    clean_content_tags={"script", "style"},
    attributes=EDITORIAL_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    url_relative=_site_relative,
    link_rel="noopener",
)


# Members' text: no headings, images, tables or relative links.
_comment_cleaner = nh3.Cleaner(
    tags=COMMENT_TAGS,
    clean_content_tags={"script", "style"},
    attributes=COMMENT_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel="nofollow ugc noopener",
)


class _OverBudget(Exception):
    pass


class _TooDeep(Exception):
    pass


class _Budget:
    """A deadline in the thread's CPU time, so that a busy machine does not change what
    is rendered. The wall clock is cheaper to read: the CPU clock is read only once the
    wall clock says the time may be up."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.cpu_start = time.thread_time()
        self.wall_deadline = time.perf_counter() + seconds

    def check(self) -> None:
        if time.perf_counter() < self.wall_deadline:
            return
        spent = time.thread_time() - self.cpu_start
        if spent >= self.seconds:
            raise _OverBudget
        # The thread waited for a CPU meanwhile: that time does not count.
        self.wall_deadline = time.perf_counter() + self.seconds - spent


def _checked(method: Callable, budget: _Budget) -> Callable:
    def checked(*args, **kwargs):
        budget.check()
        return method(*args, **kwargs)

    return checked


def _checked_link(handle_match: Callable, budget: _Budget) -> Callable:
    # Links scan ahead for their closing brackets, character by character in Python.
    def checked(match: re.Match, data: str):
        budget.check()
        return handle_match(match, data[: match.end() + LINK_WINDOW])

    return checked


class _CheckedSearch:
    """`pattern.search`, trying one possible start at a time with a check in between.

    `starts` must match wherever `pattern` can: the result is then the same match."""

    def __init__(self, pattern: re.Pattern, starts: re.Pattern, budget: _Budget):
        self.pattern, self.starts, self.budget = pattern, starts, budget

    def search(self, text: str, pos: int = 0) -> re.Match | None:
        for start in self.starts.finditer(text, pos):
            self.budget.check()
            if match := self.pattern.match(text, start.start()):
                return match
        return None


class _CheckedMatch:
    """A regular expression whose `match` checks the budget first."""

    def __init__(self, pattern: re.Pattern, budget: _Budget):
        self.pattern, self.budget = pattern, budget

    def match(self, *args) -> re.Match | None:
        self.budget.check()
        return self.pattern.match(*args)


# An opening fence starts a line with three backticks or tildes, as FENCED_BLOCK_RE says.
_FENCE_START = re.compile(r"^(?:~{3}|`{3})", re.MULTILINE)
# FENCED_BLOCK_RE reads the spaces of an opening line in two places, so a fence followed by
# thousands of spaces backtracks quadratically (seconds) in one match. The spaces can be
# read one way only ("[ ]*+", possessive): nothing after them can start with a space, so
# what matches, and how, stays the same.
_FENCED_BLOCK_RE = re.compile(
    FencedBlockPreprocessor.FENCED_BLOCK_RE.pattern.replace("[ ]*", "[ ]*+"),
    FencedBlockPreprocessor.FENCED_BLOCK_RE.flags,
)


class _CheckedHTMLExtractor(md_in_html.HTMLExtractorExtra):
    """Python-Markdown's raw-HTML parser, checking the budget before each construct: an
    unclosed tag is searched for its end to the end of the text, once per "<"."""

    budget: _Budget

    def parse_starttag(self, i: int) -> int:
        self.budget.check()
        return super().parse_starttag(i)

    def parse_endtag(self, i: int) -> int:
        self.budget.check()
        return super().parse_endtag(i)

    def parse_html_declaration(self, i: int) -> int:
        self.budget.check()
        return super().parse_html_declaration(i)

    def parse_pi(self, i: int) -> int:
        self.budget.check()
        return super().parse_pi(i)

    def parse_comment(self, i: int, report: bool = True) -> int:
        self.budget.check()
        return super().parse_comment(i, report)

    def handle_data(self, data: str) -> None:
        self.budget.check()
        super().handle_data(data)


class _DepthLimit(Treeprocessor):
    """Stops a tree nested deeper than MAX_NESTING before the tree processors and the
    serializer that recurse through it (a run of "**" nests thousands deep)."""

    def run(self, root: etree.Element) -> None:
        level, depth = [root], 0
        while level:
            depth += 1
            if depth > MAX_NESTING:
                raise _TooDeep
            level = [child for element in level for child in element]


_DEPTH_LIMIT_PRIORITY = 19.5  # right after the inline patterns (20) have built the tree
_HTML_BLOCK_PRIORITY = 20  # where md_in_html registers its preprocessor


class _CheckedHtmlBlockPreprocessor(md_in_html.HtmlBlockPreprocessor):
    def __init__(self, md: markdown_lib.Markdown, budget: _Budget):
        super().__init__(md)
        self.budget = budget

    def run(self, lines: list[str]) -> list[str]:
        parser = _CheckedHTMLExtractor(self.md)
        parser.budget = self.budget
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


def _editorial_markdown() -> markdown_lib.Markdown:
    """Headings start at h3 so they sit under the page's h2s; bare URLs become links, as
    in comments."""
    return markdown_lib.Markdown(
        extensions=["extra", "sane_lists", "toc", "pymdownx.magiclink"],
        extension_configs={
            "toc": {"baselevel": 3, "anchorlink": False},
            "pymdownx.magiclink": {"hide_protocol": False},
        },
        output_format="html",
    )


def _comment_markdown() -> markdown_lib.Markdown:
    md = markdown_lib.Markdown(
        extensions=["sane_lists", "fenced_code", "nl2br", "pymdownx.magiclink"],
        extension_configs={"pymdownx.magiclink": {"hide_protocol": False}},
        output_format="html",
    )
    # Members' raw HTML is shown as the text they typed rather than interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _add_checks(md: markdown_lib.Markdown, budget: _Budget) -> None:
    """Check the budget before every step of `md`'s work (see the module docstring)."""
    html_block = md.preprocessors["html_block"] if "html_block" in md.preprocessors else None
    if isinstance(html_block, md_in_html.HtmlBlockPreprocessor):
        md.preprocessors.register(
            _CheckedHtmlBlockPreprocessor(md, budget), "html_block", _HTML_BLOCK_PRIORITY
        )
    md.treeprocessors.register(_DepthLimit(md), "depth_limit", _DEPTH_LIMIT_PRIORITY)
    for processor in [*md.preprocessors, *md.parser.blockprocessors, *md.treeprocessors,
                      *md.postprocessors]:  # fmt: skip
        processor.run = _checked(processor.run, budget)
        if isinstance(processor, FencedBlockPreprocessor):
            processor.FENCED_BLOCK_RE = _CheckedSearch(_FENCED_BLOCK_RE, _FENCE_START, budget)
    # Block processors are tested in order on each block until one takes it.
    first = md.parser.blockprocessors[0]
    first.test = _checked(first.test, budget)
    # Inline patterns are tried in order on each piece of text, from the first; then on
    # the text of what they matched, from the next pattern on.
    first = md.inlinePatterns[0]
    first.getCompiledRegExp = _checked(first.getCompiledRegExp, budget)
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            pattern.handleMatch = _checked_link(pattern.handleMatch, budget)
        else:
            pattern.handleMatch = _checked(pattern.handleMatch, budget)
        if isinstance(pattern, DelimiterProcessor):
            # Emphasis pairs all its delimiters in one match: it searches for each in turn,
            # trying every "*" of a run, and compares it with every opener still unpaired.
            pattern.search = _checked(pattern.search, budget)
            for delimiter in pattern.delimiters.values():
                delimiter.boundary = _CheckedMatch(delimiter.boundary, budget)


def _plain_text(text: str) -> str:
    """The text as typed: escaped, in paragraphs at blank lines, with line breaks."""
    return linebreaks(text.strip(), autoescape=True)


def _to_html(text: str, markdown: Callable[[], markdown_lib.Markdown]) -> str:
    text = _valid_unicode(text)
    # A fresh Markdown instance per call: instances keep state and are not thread-safe.
    md = markdown()
    # A collection of the whole process's garbage can take longer than the budget: it is
    # not this text's doing, so it waits until the text is rendered.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _add_checks(md, _Budget(RENDER_BUDGET))
        return md.convert(text)
    except _OverBudget:
        logger.info("Markdown over budget: %d characters shown as plain text", len(text))
    except (RecursionError, _TooDeep):
        logger.info("Markdown nested too deep: %d characters shown as plain text", len(text))
    finally:
        if collecting:
            gc.enable()
    return _plain_text(text)


def _valid_unicode(text: str) -> str:
    # Lone surrogates cannot be encoded; they can only come from code, never from a form.
    return text.encode("utf-8", "replace").decode("utf-8")


def render_editorial(text: str) -> SafeString:
    """Render an editor's Markdown; headings start at h3 so they sit under the page's h2s."""
    if not text:
        return mark_safe("")
    # mark_safe is only ever applied to nh3's output.
    return mark_safe(_editorial_cleaner.clean(_to_html(text, _editorial_markdown)))


def render_comment(text: str) -> SafeString:
    """Render a member's Markdown with the stricter allowlist."""
    if not text:
        return mark_safe("")
    # mark_safe is only ever applied to nh3's output.
    return mark_safe(_comment_cleaner.clean(_to_html(text, _comment_markdown)))


class _TagNames(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in self.names:
            self.names.append(tag)


def dropped_editorial_tags(text: str) -> list[str]:
    """The tags an editor's Markdown makes that the site removes ("img" for an image, any
    raw HTML outside the allowlist), in order of appearance. Their text, if any, stays."""
    if not text:
        return []
    parser = _TagNames()
    parser.feed(_to_html(text, _editorial_markdown))
    parser.close()
    return [name for name in parser.names if name not in EDITORIAL_TAGS]
