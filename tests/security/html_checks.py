"""An independent check of sanitized HTML: parse it and list what must never be there."""

import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "input",
    "button", "base", "meta", "link", "frame", "frameset", "template", "video", "audio",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Findings(HTMLParser):
    def __init__(self, *, allow_site_relative: bool):
        super().__init__(convert_charrefs=True)
        self.allow_site_relative = allow_site_relative
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None and not self._safe_url(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def _safe_url(self, value: str) -> bool:
        url = html.unescape(value).strip()
        if self.allow_site_relative and url.startswith(("/", "#")) and not url.startswith("//"):
            return True
        return urlsplit(url).scheme.lower() in SAFE_SCHEMES


def problems_in(fragment: str, *, allow_site_relative: bool = False) -> list[str]:
    parser = _Findings(allow_site_relative=allow_site_relative)
    parser.feed(fragment)
    parser.close()
    return parser.problems
