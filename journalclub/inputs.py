"""What arrives from outside, read strictly: numbers are ASCII digits, text holds no control
characters (PostgreSQL refuses NUL, XML 1.0 refuses most of the others, and a line break in
an email header is an injection). Stored text that predates these rules is made safe where
it leaves: in email headers (`header_text`) and feeds (`Atom1Feed`)."""

import re

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import feedgenerator
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

# Longer numbers are no page and no id: a signed 64-bit integer has 19 digits.
MAX_DIGITS = 18
# Single-line text: no C0 or C1 control character (tab and line breaks included), no Unicode
# line or paragraph separator.
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Multi-line text keeps tabs and line breaks.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Addresses and query strings: a tab may come from a search box; nothing else may.
CONTROLS_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Django's admin reads an empty one as a field named "" and fails (a 500).
ADMIN_TO_FIELD = "_to_field"


def whole_number(value: str | None) -> int | None:
    """`value` as a whole number when it is ASCII digits only, else None. `str.isdigit()` and
    `int()` also take "²", "①" or "١", on which `int()` fails or which no link of ours sends."""
    if value is None or not 0 < len(value) <= MAX_DIGITS:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def control_character(text: str, *, multi_line: bool) -> str | None:
    """The first character of `text` not allowed in a one-line (or multi-line) field, named
    for a reader ("a NUL character", "a line break", "a control character (U+001B)")."""
    found = (CONTROLS if multi_line else LINE_BREAKS_AND_CONTROLS).search(text)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return _("a NUL character")
    if character in "\r\n\u2028\u2029":
        return _("a line break")
    return _("a control character (U+%(code)04X)") % {"code": ord(character)}


def validate_single_line(value: str) -> None:
    """For names and other one-line fields, which may end up in an email header."""
    if control_character(value, multi_line=False):
        raise ValidationError(
            _("Write this on one line, without line breaks or control characters."),
            code="single_line",
        )


def validate_no_control_characters(value: str) -> None:
    """For multi-line text: line breaks and tabs are fine, other control characters are not."""
    if character := control_character(value, multi_line=True):
        raise ValidationError(
            _(
                "This text contains %(character)s, which can't be saved. Remove it (it often "
                "comes from pasting) and try again."
            ),
            code="control_character",
            params={"character": character},
        )


def without_language(path: str) -> str:
    """`path` without its language prefix: /fr/admin/ is the admin too."""
    if language := get_language_from_path(path):
        return path.removeprefix(f"/{language}")
    return path


def header_text(text: str) -> str:
    """`text` on one line with no control characters, for an email header."""
    # Runs of plain spaces only: French keeps its no-break spaces (« titre », « Bonjour ! »).
    return re.sub(r" {2,}", " ", LINE_BREAKS_AND_CONTROLS.sub(" ", text)).strip(" ")


class Atom1Feed(feedgenerator.Atom1Feed):
    """Atom without the characters XML 1.0 cannot carry: Django's generator refuses them,
    so one control character in a stored name or comment would stop the whole feed."""

    def write(self, outfile, encoding) -> None:
        self.feed = {key: _xml_safe(value) for key, value in self.feed.items()}
        self.items = [{key: _xml_safe(value) for key, value in item.items()} for item in self.items]
        super().write(outfile, encoding)


def _xml_safe(value):
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(item) for item in value)
    return value


class RefuseHostileQueriesMiddleware:
    """Answers 400 to an address no page of ours can take: a control character (tab aside)
    in the path or the query string, or an empty `_to_field` for Django's admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path_info, *request.GET]
        texts += [value for _name, values in request.GET.lists() for value in values]
        if any(CONTROLS_BUT_TAB.search(text) for text in texts):
            reason = _(
                "The address contains a control character, such as a line break or a NUL, "
                "which no page here accepts. Check the link, or type the address again."
            )
            return render(None, "400.html", {"reason": reason}, status=400)
        if request.GET.get(ADMIN_TO_FIELD) == "" or (
            request.method == "POST"
            and without_language(request.path_info).startswith("/admin/")
            and request.POST.get(ADMIN_TO_FIELD) == ""
        ):
            return render(None, "400.html", status=400)
        return self.get_response(request)
