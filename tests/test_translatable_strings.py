"""Every string the site shows goes through Django's translation machinery: a template's text
and user-visible attributes, and the strings our Python hands to messages, forms, models, the
admin and emails. A failure names each file:line with a string not marked for translation."""

import ast
import bisect
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
APPS = ["accounts", "comments", "journalclub", "outbox", "posts", "search", "subscriptions"]

# Names, not words to translate (longest first, so "Journal Club" goes before "Club").
NOT_WORDS = ["Journal Club", "Markdown", "ORCID", "JSON", "Atom", "CSV", "DOI"]
LETTERS = re.compile(r"[^\W\d_]+")
LITERAL = re.compile(r"""(_\(\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
# Format strings, not words: {{ moment|date:"j M Y" }}.
FORMAT_ARGUMENT = re.compile(r"\|(?:date|time):\s*$")
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TRANSLATE_TAGS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
NOT_SHOWN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
VISIBLE_ATTRIBUTE = re.compile(
    r"""\s(title|alt|placeholder|aria-label)\s*=\s*("[^"]*"|'[^']*')""", re.I
)
SUBMIT_INPUT = re.compile(r"<input\b[^>]*\btype=[\"']?(?:submit|button)\b[^>]*>", re.I)
INPUT_VALUE = re.compile(r"""\svalue\s*=\s*("[^"]*"|'[^']*')""", re.I)
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|\w+);", re.I)


def words(text: str) -> list[str]:
    text = ENTITY.sub(" ", text)
    for name in NOT_WORDS:
        text = text.replace(name, " ")
    return LETTERS.findall(text)


def is_words(literal: str) -> bool:
    """Whether a quoted literal in a template tag reads as words (not a key, a template name
    or a URL name): it has letters, and a space or a capital."""
    text = literal[1:-1]
    return bool(words(text)) and (bool(re.search(r"\s", text)) or text[:1].isupper())


def unmarked_in_template(source: str) -> list[tuple[int, str]]:
    """(line, text) of each piece of `source`, a template, that a reader sees untranslated."""
    problems: list[tuple[int, str]] = []
    visible: list[str] = []  # the text outside translation tags, tags replaced by a space
    starts: list[int] = []  # offset in "".join(visible) where each piece starts ...
    lines: list[int] = []  # ... and its line in the template
    closing: str | None = None  # the tag that ends the translation or comment block we are in
    for token in Lexer(source).tokenize():
        bits = token.split_contents() if token.token_type == TokenType.BLOCK else []
        name = bits[0] if bits else ""
        text = " "
        if closing is not None:
            if name == closing:
                closing = None
        elif name in BLOCK_TRANSLATE_TAGS:
            closing = BLOCK_TRANSLATE_TAGS[name]
        elif name == "comment":
            closing = "endcomment"
        elif name == "block" and bits[1].endswith("class"):  # {% block page_class %}: CSS
            closing = "endblock"
        elif token.token_type == TokenType.TEXT:
            text = token.contents
        elif token.token_type in (TokenType.VAR, TokenType.BLOCK) and name not in {
            *TRANSLATE_TAGS,
            "now",
        }:
            for match in LITERAL.finditer(token.contents):
                before = token.contents[: match.start()]
                if match.group(1) or FORMAT_ARGUMENT.search(before):
                    continue
                if is_words(match.group(2)):
                    problems.append((token.lineno, match.group(2)))
        starts.append(sum(len(piece) for piece in visible))
        lines.append(token.lineno)
        visible.append(text)
    document = "".join(visible)

    def line_at(offset: int) -> int:
        index = bisect.bisect_right(starts, offset) - 1
        return lines[index] + document[starts[index] : offset].count("\n")

    # Blanked, not removed, so that offsets keep their lines.
    document = NOT_SHOWN.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), document)
    for match in VISIBLE_ATTRIBUTE.finditer(document):
        if words(match.group(2)):
            problems.append((line_at(match.start()), match.group().strip()))
    for tag in SUBMIT_INPUT.finditer(document):
        value = INPUT_VALUE.search(tag.group())
        if value and words(value.group(1)):
            problems.append((line_at(tag.start()), tag.group()))
    for match in re.finditer(
        r"[^<>]+", TAG.sub(lambda tag: "<" + " " * len(tag.group()), document)
    ):
        if words(match.group()):
            problems.append((line_at(match.start()), " ".join(match.group().split())[:100]))
    return sorted(problems)


# Where Python hands a string to the reader.
USER_FACING_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "description",  # @admin.action, @admin.display
    "empty_label",
    "violation_error_message",
    "subject",
}
MESSAGE_FUNCTIONS = {"debug", "info", "success", "warning", "error"}
RAISED_TO_READERS = {"ValidationError", "PermissionDenied"}
EMAIL_CLASSES = {"EmailMessage", "EmailMultiAlternatives"}
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
CLASS_ATTRIBUTES = {"verbose_name", "verbose_name_plural", "short_description"}
META_DICTS = {"labels", "help_texts", "error_messages"}


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class UnmarkedStrings(ast.NodeVisitor):
    def __init__(self, tree: ast.Module) -> None:
        # Module-level constants ("NAME_TAKEN = '...'") are read where they are used.
        self.constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.problems: list[tuple[int, str]] = []

    def untranslated(self, node: ast.AST | None) -> str | None:
        """The text of `node` when it is a string that reaches a reader untranslated."""
        match node:
            case ast.Constant(value=str(text)):
                return text if words(text) else None
            case ast.JoinedStr():
                parts = [part.value for part in node.values if isinstance(part, ast.Constant)]
                return "".join(parts) if words("".join(parts)) else None
            case ast.BinOp(left=left, right=right):
                return self.untranslated(left) or self.untranslated(right)
            case ast.IfExp(body=body, orelse=orelse):
                return self.untranslated(body) or self.untranslated(orelse)
            case ast.Call(func=ast.Attribute(attr="format", value=value)):
                return self.untranslated(value)
            case ast.Name(id=name) if name in self.constants:
                return self.untranslated(self.constants[name])
        return None

    def report(self, node: ast.AST | None, where: ast.AST, what: str) -> None:
        if text := self.untranslated(node):
            self.problems.append((where.lineno, f"{what}: {text!r}"))

    def visit_Call(self, node: ast.Call) -> None:
        name = call_name(node)
        func = node.func
        is_messages = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in {
            "messages"
        }
        if is_messages and name in MESSAGE_FUNCTIONS and len(node.args) >= 2:
            self.report(node.args[1], node, f"messages.{name}()")
        if is_messages and name == "add_message" and len(node.args) >= 3:
            self.report(node.args[2], node, "messages.add_message()")
        if name == "message_user" and len(node.args) >= 2:  # the admin's messages
            self.report(node.args[1], node, "message_user()")
        if name in RAISED_TO_READERS and node.args:
            self.report(node.args[0], node, f"{name}()")
        if name in EMAIL_CLASSES and node.args:
            self.report(node.args[0], node, f"{name}() subject")
        if name.endswith("Field") and name not in RELATIONS and node.args:
            self.report(node.args[0], node, f"{name}() verbose name")
        for keyword in node.keywords:
            if keyword.arg in USER_FACING_KEYWORDS:
                self.report(keyword.value, node, f"{name}({keyword.arg}=)")
            elif keyword.arg in {"error_messages", "message"} and name != "compile":
                values = keyword.value.values if isinstance(keyword.value, ast.Dict) else []
                for value in values or [keyword.value]:
                    self.report(value, node, f"{name}({keyword.arg}=)")
            elif keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self.report(choice.elts[1], node, f"{name}(choices=)")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {getattr(base, "attr", getattr(base, "id", "")) for base in node.bases}
        is_choices = bool(bases & {"TextChoices", "IntegerChoices", "Choices"})
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = {getattr(target, "id", "") for target in statement.targets}
            value = statement.value
            if targets & CLASS_ATTRIBUTES:
                self.report(value, statement, f"{node.name}.{', '.join(targets)}")
            if is_choices and isinstance(value, ast.Tuple) and len(value.elts) == 2:
                self.report(value.elts[1], statement, f"{node.name} choice label")
            if targets & META_DICTS and isinstance(value, ast.Dict):
                for item in value.values:
                    self.report(item, statement, f"Meta.{', '.join(targets)}")
            if targets & {"fieldsets", "add_fieldsets"} and isinstance(value, ast.Tuple):
                for fieldset in value.elts:
                    if isinstance(fieldset, ast.Tuple) and fieldset.elts:
                        self.report(fieldset.elts[0], statement, f"{node.name} fieldset title")
        self.generic_visit(node)


def unmarked_in_python(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    visitor = UnmarkedStrings(tree)
    visitor.visit(tree)
    return sorted(visitor.problems)


def python_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not {"migrations", "management"} & set(path.relative_to(ROOT).parts)
    )


def listing(problems: dict[Path, list[tuple[int, str]]]) -> str:
    return "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path, found in problems.items()
        for line, text in found
    )


def test_every_template_string_is_marked_for_translation():
    problems = {}
    for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]):
        if found := unmarked_in_template(path.read_text()):
            problems[path] = found
    assert not problems, "Not marked for translation:\n" + listing(problems)


def test_every_python_string_shown_to_users_is_marked_for_translation():
    problems = {}
    for path in python_modules():
        if found := unmarked_in_python(path.read_text()):
            problems[path] = found
    assert not problems, "Not marked for translation:\n" + listing(problems)


# The checks themselves: each finds what it should, and passes what is marked.


def test_template_check_finds_text_attributes_and_literals():
    source = (
        "{% load i18n %}<h1>Your profile</h1>\n"
        '<nav aria-label="Main"><img alt="A chart" src="x.png"></nav>\n'
        '<input type="submit" value="Save">\n'
        '{{ label|default:"Newer reviews" }}\n'
        '{% include "includes/pagination.html" with previous_label="Older entries" %}\n'
    )
    assert unmarked_in_template(source) == [
        (1, "Your profile"),
        (2, 'alt="A chart"'),
        (2, 'aria-label="Main"'),
        (3, '<input type="submit" value="Save">'),
        (4, '"Newer reviews"'),
        (5, '"Older entries"'),
    ]


def test_template_check_passes_marked_text_names_markup_and_comments():
    source = (
        '{% load i18n %}<h1 class="page-title">{% translate "Your profile" %}</h1>\n'
        "{% blocktranslate trimmed count counter=n %}One comment{% plural %}"
        "{{ counter }} comments{% endblocktranslate %}\n"
        "{% comment %}Notes for editors{% endcomment %}{# and here #}<!-- and here -->\n"
        "{% block page_class %} page--wide{% endblock page_class %}"
        '<a href="{% url "posts:feed" %}" aria-label="{% translate "Feed" %}">Atom</a> &middot; '
        "Journal Club · ORCID, DOI\n"
        '<script type="application/json">{"ids": "codes"}</script>\n'
        '{{ moment|date:"j M Y" }} {{ label|default:_("Newer reviews") }}\n'
        '{% include "subscriptions/form.html" with place="footer" %}\n'
    )
    assert unmarked_in_template(source) == []


def test_python_check_finds_unmarked_strings_where_users_see_them():
    source = """
NAME_TAKEN = "That name is taken."

class Role(models.TextChoices):
    BROKER = "broker", "Knowledge broker"

class Form(forms.Form):
    name = forms.CharField(label="Your name", help_text=f"At most {n} letters")

    class Meta:
        labels = {"name": "Name"}

def view(request):
    messages.success(request, "Saved.")
    raise forms.ValidationError(NAME_TAKEN)

class Admin(admin.ModelAdmin):
    @admin.action(description="Send again")
    def again(self, request, queryset):
        self.message_user(request, f"{n} email(s) sent.")
"""
    assert unmarked_in_python(source) == [
        (5, "Role choice label: 'Knowledge broker'"),
        (8, "CharField(help_text=): 'At most  letters'"),
        (8, "CharField(label=): 'Your name'"),
        (11, "Meta.labels: 'Name'"),
        (14, "messages.success(): 'Saved.'"),
        (15, "ValidationError(): 'That name is taken.'"),
        (18, "action(description=): 'Send again'"),
        (20, "message_user(): ' email(s) sent.'"),
    ]


def test_python_check_passes_marked_strings_and_codes():
    source = """
from django.utils.translation import gettext as _, gettext_lazy

NAME_TAKEN = gettext_lazy("That name is taken.")

class Role(models.TextChoices):
    BROKER = "broker", gettext_lazy("Knowledge broker")

def view(request):
    messages.success(request, _("Saved."))
    raise ValidationError(NAME_TAKEN, code="name_taken")
    logger.error("database unavailable")
    raise Http404("Not configured.")
"""
    assert unmarked_in_python(source) == []
