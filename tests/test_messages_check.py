"""`make messages-check` (scripts/messages.py --check), run by CI, on a small project of its own."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"
"""


def project(tmp_path: Path, catalogue: str) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "messages.py", tmp_path / "scripts")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "Your profile" %}</h1><p>{% translate "Save" %}</p>'
    )
    (tmp_path / "tests").mkdir()  # not the project's code: never extracted
    (tmp_path / "tests" / "page.html").write_text('{% load i18n %}{% translate "Test only" %}')
    po = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(HEADER + catalogue)
    return tmp_path


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def test_the_check_lists_untranslated_fuzzy_missing_and_obsolete_entries(tmp_path):
    catalogue = (
        '\n#, fuzzy\nmsgid "Your profile"\nmsgstr "Votre profil"\n'
        '\nmsgid "Gone from the code"\nmsgstr "Disparu"\n'
    )
    folder = project(tmp_path, catalogue)
    before = (folder / "locale/fr/LC_MESSAGES/django.po").read_text()
    result = check(folder)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:12] == [
        "Untranslated (1):",
        "  Save",
        "",
        "Fuzzy (1):",
        "  Your profile",
        "",
        "In the code, missing from the catalogue (1):",
        "  Save",
        "",
        "In the catalogue, no longer in the code (1):",
        "  Gone from the code",
        "",
    ]
    assert (folder / "locale/fr/LC_MESSAGES/django.po").read_text() == before  # untouched


def test_the_check_passes_a_complete_catalogue(tmp_path):
    catalogue = (
        '\nmsgid "Your profile"\nmsgstr "Votre profil"\n\nmsgid "Save"\nmsgstr "Enregistrer"\n'
    )
    result = check(project(tmp_path, catalogue))
    assert result.returncode == 0, result.stdout
    assert "complete and up to date" in result.stdout
