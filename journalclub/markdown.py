"""The one place where Markdown becomes HTML.

Editors' text and members' comments are rendered with Python-Markdown and then
sanitized by nh3 against an allowlist; nothing else in the project calls either library.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

EDITORIAL_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
EDITORIAL_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

COMMENT_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
COMMENT_ATTRIBUTES = {"a": {"href"}}


def _site_relative(url: str) -> str | None:
    """Editors may link within the site (/reviews/...), but not to another host by a
    scheme-less //host URL."""
    return url if url.startswith(("/", "#")) and not url.startswith("//") else None


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


def _valid_unicode(text: str) -> str:
    # Lone surrogates cannot be encoded; they can only come from code, never from a form.
    return text.encode("utf-8", "replace").decode("utf-8")


def _to_html(text: str, *, heading_base: int) -> str:
    text = _valid_unicode(text)
    # A fresh Markdown instance per call: instances keep state and are not thread-safe.
    md = markdown_lib.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": heading_base, "anchorlink": False}},
        output_format="html",
    )
    return md.convert(text)


def _comment_to_html(text: str) -> str:
    text = _valid_unicode(text)
    md = markdown_lib.Markdown(
        extensions=["sane_lists", "fenced_code", "nl2br", "pymdownx.magiclink"],
        extension_configs={"pymdownx.magiclink": {"hide_protocol": False}},
        output_format="html",
    )
    # Members' raw HTML is shown as the text they typed rather than interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md.convert(text)


def render_editorial(text: str) -> SafeString:
    """Render an editor's Markdown; headings start at h3 so they sit under the page's h2s."""
    if not text:
        return mark_safe("")
    # mark_safe is only ever applied to nh3's output.
    return mark_safe(_editorial_cleaner.clean(_to_html(text, heading_base=3)))


def render_comment(text: str) -> SafeString:
    """Render a member's Markdown with the stricter allowlist."""
    if not text:
        return mark_safe("")
    # mark_safe is only ever applied to nh3's output.
    return mark_safe(_comment_cleaner.clean(_comment_to_html(text)))
