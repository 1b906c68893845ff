"""Pathological Markdown: inputs that make a naive renderer slow, deeply recursive or wrong.

Each recipe builds one input of exactly the length asked for (the comment limit by default),
so the corpus always sits at the edge of what a member or an editor can submit. Most recipes
repeat a unit; `nest` opens and then closes; `lines` numbers its lines; `mix` draws from
an alphabet with a fixed seed. Used by `tests/security/test_markdown_bounds.py` and by
`bench/markdown_bench.py`.
"""

import random
from collections.abc import Callable

Recipe = Callable[[int], str]


def fill(unit: str, prefix: str = "", suffix: str = "") -> Recipe:
    def build(length: int) -> str:
        room = length - len(prefix) - len(suffix)
        return prefix + (unit * (room // len(unit) + 1))[:room] + suffix

    return build


def nest(opener: str, closer: str, middle: str = "x") -> Recipe:
    """Openers, a middle, then as many closers: balanced and as deep as the length allows."""

    def build(length: int) -> str:
        depth = (length - len(middle)) // (len(opener) + len(closer))
        text = opener * depth + middle + closer * depth
        return text + "x" * (length - len(text))

    return build


def halves(first: str, second: str) -> Recipe:
    """One unit repeated to half the length, then another: openers, then closers."""

    def build(length: int) -> str:
        return fill(first)(length // 2) + fill(second)(length - length // 2)

    return build


def lines(line: Callable[[int], str]) -> Recipe:
    def build(length: int) -> str:
        parts, size, index = [], 0, 0
        while size < length:
            parts.append(line(index))
            size += len(parts[-1])
            index += 1
        return "".join(parts)[:length]

    return build


def mix(alphabet: str, seed: int, words: tuple[str, ...] = ()) -> Recipe:
    pieces = list(alphabet) + list(words)

    def build(length: int) -> str:
        rng = random.Random(seed)
        text = "".join(rng.choice(pieces) for _ in range(length))
        return text[:length]

    return build


MARKDOWN_ALPHABET = "[]()!*_`#>-=|&;:/\\\"'<> \n\tax0123456789.~^{}+@%"
MARKDOWN_WORDS = ("http://", "www.", "<!--", "-->", "<![CDATA[", "]]>", "&#", "1. ", "- ")

RECIPES: dict[str, Recipe] = {
    # Brackets: links, images and references scan forward for their closer.
    "open brackets": fill("["),
    "close brackets": fill("]"),
    "image openers": fill("!["),
    "empty link openers": fill("[]("),
    "link openers": fill("[x]("),
    "link openers with angle": fill("[x](<"),
    "reference openers": fill("[x]["),
    "closed brackets then paren": fill("]("),
    "nested brackets": nest("[", "]"),
    "nested brackets as a link": nest("[", "]", middle="x](/y)"),
    "nested images": nest("![", "]", middle="x"),
    "nested links in images": nest("[![", "](/y)]", middle="x"),
    "open parens after a link": fill("(", prefix="[x]"),
    "nested parens in a url": nest("(", ")", middle="[x](/y"),
    "url parens unclosed": fill("(y", prefix="[x]"),
    "unterminated link titles": fill('[x](/y "t '),
    "link then bracket": fill("[x](/y)["),
    "brackets and parens": fill("[(]"),
    "emphasis, underscore, bracket, paren": fill("*_[("),
    "shortcut references": fill("[x] "),
    "full references": fill("[x][y] "),
    "reference definitions": lines(lambda i: f"[r{i}]: /u{i}\n"),
    "reference definitions used": lines(lambda i: f"[r{i % 50}]: /u\n[r{i % 50}]\n"),
    "long reference label": fill("a", prefix="[", suffix="]: /u"),
    "long link text": fill("a ", prefix="[", suffix="](/u)"),
    "long link url": fill("a", prefix="[x](/", suffix=")"),
    "valid links": fill("[x](/y) "),
    "valid images": fill("![x](/y) "),
    "escaped brackets": fill("\\["),
    "bracket then backslash": fill("[\\"),
    "footnote references": fill("[^1] "),
    "footnote definitions": lines(lambda i: f"[^{i}]: n\n"),
    "footnote nesting": lines(lambda i: f"[^{i}]: [^{i + 1}]\n"),
    # Raw HTML and the things that look like it.
    "cdata openers": fill("<![CDATA["),
    "cdata unclosed with text": fill("<![CDATA[ x "),
    "comment openers": fill("<!--"),
    "comments closed": fill("<!-- x -->"),
    "processing instructions": fill("<?"),
    "declarations": fill("<!x"),
    "doctype openers": fill("<!DOCTYPE "),
    "angle brackets": fill("<"),
    "closing angle": fill(">"),
    "div blocks": fill("<div>\n"),
    "nested divs": nest("<div>", "</div>"),
    "closing divs": fill("</div>"),
    "inline tags": fill("<span>"),
    "unterminated attribute": fill('<a href="'),
    "unterminated tag": fill("<a "),
    "markdown in html": nest('<div markdown="1">\n', "</div>\n"),
    "script openers": fill("<script>"),
    "tag with many attributes": fill(' a="b"', prefix="<p", suffix=">"),
    # Entities.
    "named entities": fill("&amp;"),
    "numeric entity openers": fill("&#"),
    "hex entity openers": fill("&#x"),
    "numeric entities": fill("&#1234;"),
    "ampersands": fill("&"),
    "bare entity names": fill("&a"),
    "long numeric entity": fill("9", prefix="&#", suffix=";"),
    # Emphasis.
    "asterisks": fill("*"),
    "underscores": fill("_"),
    "asterisk words": fill("*a "),
    "underscore words": fill("_a "),
    "strong openers": fill("**a "),
    "triple openers": fill("***a "),
    "asterisk underscore": fill("*_"),
    "underscore asterisk words": fill("_*a "),
    "asterisks then words": fill("a*"),
    "nested emphasis": nest("*_", "_*"),
    "nested strong": nest("**", "**"),
    "emphasis pairs": fill("*a* "),
    "strong pairs": fill("**a** "),
    "intraword underscores": fill("a_b_"),
    "spaced asterisks": fill("* a "),
    "strong openers, then a run of asterisks": halves("**a ", "*"),
    "emphasis openers, then ambiguous strong": halves("*a ", "a**b "),
    "strong openers, then ambiguous emphasis": halves("**a ", "a*b "),
    "underscore openers, then asterisk closers": halves("_a ", "a*b* "),
    # Code.
    "backticks": fill("`"),
    "backtick words": fill("`a"),
    "double backtick words": fill("``a`"),
    "growing backtick runs": lines(lambda i: "`" * (i + 1) + "a"),
    "code spans": fill("`a` "),
    "fence openers": fill("```\n"),
    "tilde fence openers": fill("~~~\n"),
    "growing fences": lines(lambda i: "`" * (i + 3) + "\n"),
    "fence with language": fill("```python\n"),
    "fences closed": fill("```\na\n```\n"),
    "fence then spaces": fill(" ", prefix="```", suffix="x"),
    "fence then spaces and a line": fill(" ", prefix="```", suffix="\na"),
    "backticks, then tabs": halves("`", "\t"),
    "indented code": fill("    a\n"),
    "tabs": fill("\t"),
    # Block nesting.
    "nested quotes": fill("> "),
    "quote markers": fill(">"),
    "flat quotes": fill("> a\n"),
    "quotes and blank quotes": fill(">\n> "),
    "growing quotes": lines(lambda i: "> " * i + "a\n"),
    "dash bullets": fill("- "),
    "star bullets": fill("* "),
    "plus bullets": fill("+ "),
    "ordered markers": fill("1. "),
    "ordered markers, other numbers": fill("9. "),
    "long ordered numbers": fill("123456789. "),
    "bullet and ordered": fill("- 1. "),
    "quote and bullet": fill("> - "),
    "bullet and quote": fill("- > "),
    "ordered and quote": fill("1. > "),
    "indented bullets": lines(lambda i: " " * (2 * i) + "- a\n"),
    "indented ordered": lines(lambda i: " " * (3 * i) + "1. a\n"),
    "indented quotes": lines(lambda i: " " * (4 * i) + "> a\n"),
    "tab-indented bullets": lines(lambda i: "\t" * i + "- a\n"),
    "deep indentation": lines(lambda i: " " * i + "a\n"),
    "list items with paragraphs": fill("- a\n\n    b\n\n"),
    "definition lists": fill("a\n: b\n"),
    "definition markers": fill(": "),
    "nested definitions": lines(lambda i: "    " * i + "a\n" + "    " * i + ":   b\n"),
    "definitions in quotes": fill("> a\n> : b\n"),
    # Headings and rules.
    "hashes": fill("#"),
    "atx headings": fill("# a\n"),
    "same atx headings": fill("#a\n"),
    "deep atx headings": fill("###### a\n"),
    "headings with closing hashes": fill("# a #####\n"),
    "setext headings": fill("a\n=\n"),
    "setext subheadings": fill("a\n-\n"),
    "equals signs": fill("="),
    "dashes": fill("-"),
    "rules": fill("---\n"),
    "spaced rules": fill("- - -\n"),
    "heading attributes": fill("# a {: #b }\n"),
    # Tables.
    "pipes": fill("|"),
    "table rows": fill("|a|b|\n", prefix="|a|b|\n|-|-|\n"),
    "wide table": fill("a|", prefix="", suffix="\n-|-\n"),
    "table separators": fill("|-"),
    "tables without pipes": fill("a|b\n-|-\n"),
    # Attribute lists and abbreviations (extra).
    "attribute lists": fill("{: .a }\n"),
    "attribute list openers": fill("{:"),
    "abbreviations": lines(lambda i: f"*[a{i}]: t\n"),
    "abbreviations used": lines(lambda i: f"*[a{i % 100}]: t\na{i % 100} "),
    # Autolinks and magic links.
    "autolinks": fill("<http://a.b> "),
    "autolink openers": fill("<http://"),
    "email autolinks": fill("<a@b.c> "),
    "bare urls": fill("http://a.b "),
    "www links": fill("www.a.b "),
    "url prefixes": fill("http://"),
    "long url": fill("a", prefix="https://example.org/"),
    "url with parens": fill("(a)", prefix="https://example.org/"),
    "emails": fill("a@b.c "),
    "at signs": fill("a@"),
    "dots": fill("."),
    # Escapes, whitespace, control characters.
    "backslashes": fill("\\"),
    "escaped specials": fill("\\*\\_\\[\\`"),
    "newlines": fill("\n"),
    "hard breaks": fill("a  \n"),
    "spaces": fill(" "),
    "words": fill("lorem ipsum "),
    "one long word": fill("a"),
    "nul bytes": fill("\x00"),
    "placeholder markers": fill("\x02klzzwxh:0\x03"),
    "control characters": fill("".join(chr(c) for c in range(1, 32))),
    "combining characters": fill("a\u0301\u0302\u0303"),
    "right-to-left marks": fill("\u202e[x](/y)"),
    "astral characters": fill("\U0001f600*"),
    # Mixtures.
    "mixed 1": mix(MARKDOWN_ALPHABET, 1),
    "mixed 2": mix(MARKDOWN_ALPHABET, 2, MARKDOWN_WORDS),
    "mixed 3": mix("[]()!*_` \n", 3),
    "mixed 4": mix("<>!-[]CDATA ", 4),
    "mixed 5": mix("> -1.*\n ", 5),
    "mixed 6": mix("*_`[]\\ a", 6),
}


def corpus(length: int) -> dict[str, str]:
    return {name: build(length) for name, build in RECIPES.items()}
