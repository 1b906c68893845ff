"""The French catalogue of the project's own code, locale/fr/LC_MESSAGES/django.po.

    python scripts/messages.py           extract the messages into it (`make messages`)
    python scripts/messages.py --check   fail, listing them, when an entry is untranslated or
                                         fuzzy, or when the catalogue is out of date with the
                                         code (`make messages-check`, run by CI)

The check extracts into a temporary copy: the catalogue itself is left as it is.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DJANGO_ADMIN = Path(sys.executable).parent / "django-admin"
CATALOGUE = Path("locale") / "fr" / "LC_MESSAGES" / "django.po"
# Not the project's own code (Django's default also skips hidden folders, .venv among them).
IGNORED = ["tests", "bench", "docs", "staticfiles", "node_modules", "migrations"]


def extract(root: Path) -> None:
    ignores = [f"--ignore={name}" for name in IGNORED]
    # Without the settings: the catalogue goes to ./locale whichever settings are active.
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [str(DJANGO_ADMIN), "makemessages", "-l", "fr", "-e", "html,txt,py", "--symlinks",
         "--no-obsolete", *ignores],
        cwd=root, check=True, stdout=subprocess.DEVNULL, env=environment,
    )  # fmt: skip


def entries(po_file: Path, *filters: str) -> list[str]:
    """The msgids (with their context, if any) of `po_file`'s live entries that pass
    msgattrib's `filters`, such as --untranslated or --only-fuzzy."""
    output = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *filters, str(po_file)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found, current, field = [], {}, None
    for line in [*output.splitlines(), ""]:
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            field, _, value = line.partition(" ")
            if field == "msgctxt" or (field == "msgid" and "msgid" in current):
                if "msgid" in current:
                    found.append(current)
                current = {}
            current[field] = value[1:-1]
        elif line.startswith('"') and field:
            current[field] = current.get(field, "") + line[1:-1]
        elif not line.strip():
            field = None
    if "msgid" in current:
        found.append(current)
    return [
        (f"[{entry['msgctxt']}] " if "msgctxt" in entry else "") + entry["msgid"]
        for entry in found
        if entry["msgid"]  # the header
    ]


def check() -> int:
    committed = ROOT / CATALOGUE
    if not committed.exists():
        print(f"{CATALOGUE} is missing: run `make messages` and translate it.")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        for entry in ROOT.iterdir():
            if entry.name not in {*IGNORED, "locale"} and not entry.name.startswith("."):
                (tree / entry.name).symlink_to(entry)
        updated = tree / CATALOGUE
        updated.parent.mkdir(parents=True)
        shutil.copy(committed, updated)
        extract(tree)
        in_code, in_catalogue = set(entries(updated)), set(entries(committed))
        problems = {
            "Untranslated": entries(updated, "--untranslated"),
            "Fuzzy": entries(updated, "--only-fuzzy"),
            "In the code, missing from the catalogue": sorted(in_code - in_catalogue),
            "In the catalogue, no longer in the code": sorted(in_catalogue - in_code),
        }
    failed = False
    for heading, msgids in problems.items():
        if msgids:
            failed = True
            print(f"{heading} ({len(msgids)}):")
            print("".join(f"  {msgid}\n" for msgid in msgids))
    if failed:
        print(f"Run `make messages`, then translate {CATALOGUE}.")
        return 1
    print(f"{CATALOGUE} is complete and up to date.")
    return 0


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    extract(ROOT)
    print(f"Wrote {CATALOGUE}")


if __name__ == "__main__":
    main()
