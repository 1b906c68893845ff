"""`manage.py migrate` on a new database, and on one made before the sites framework and the
flat pages were installed (journalclub/management/commands/migrate.py adopts sites there)."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent

# Django's own command, which refuses such a database before running any migration.
STOCK_MIGRATE = """
import django
django.setup()
from django.core.management import call_command
from django.core.management.commands.migrate import Command
call_command(Command(), interactive=False)
"""

GUIDELINES = """
SELECT page.title FROM django_flatpage page
JOIN django_flatpage_sites link ON link.flatpage_id = page.id
WHERE page.url = '/guidelines/' AND link.site_id = 1
"""


def run(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def query(database: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(database)) as db:
        return db.execute(sql).fetchall()


def as_before_sites(database: Path) -> None:
    """Take out of a migrated database what installing sites and flatpages added to it: what
    is left is the database of a site made before, whose comments stop before the guidelines
    page, whose socialaccount migrations were applied without sites (so without the table
    linking sign-in apps to sites), and which has an ORCID sign-in app added in the admin.
    (The settings of that time can't be had: today's code needs sites installed to start.)"""
    back = run(database, "manage.py", "migrate", "comments", "0009_flag_outcome")
    assert back.returncode == 0, back.stderr
    content_types = "SELECT id FROM django_content_type WHERE app_label IN ('sites', 'flatpages')"
    with closing(sqlite3.connect(database)) as db:
        for table in [
            "django_flatpage_sites",
            "socialaccount_socialapp_sites",
            "django_flatpage",
            "django_site",
        ]:
            db.execute(f"DROP TABLE {table}")
        db.execute("DELETE FROM django_migrations WHERE app IN ('sites', 'flatpages')")
        db.execute(f"DELETE FROM auth_permission WHERE content_type_id IN ({content_types})")
        db.execute("DELETE FROM django_content_type WHERE app_label IN ('sites', 'flatpages')")
        db.execute(
            "INSERT INTO socialaccount_socialapp"
            " (provider, provider_id, name, client_id, secret, key, settings)"
            " VALUES ('orcid', '', 'ORCID', 'id', 's', '', '{}')"
        )
        db.commit()


def test_new_and_older_databases_migrate_and_have_the_guidelines(tmp_path):
    database = tmp_path / "db.sqlite3"
    new = run(database, "manage.py", "migrate", "--noinput")
    assert new.returncode == 0, new.stderr
    assert query(database, GUIDELINES) == [("Community guidelines",)]

    as_before_sites(database)
    stock = run(database, "-c", STOCK_MIGRATE)
    assert stock.returncode != 0
    assert "socialaccount.0001_initial is applied before its dependency sites" in stock.stderr

    upgrade = run(database, "manage.py", "migrate", "--noinput")
    assert upgrade.returncode == 0, upgrade.stderr
    assert query(database, GUIDELINES) == [("Community guidelines",)]
    assert query(database, "SELECT domain, name FROM django_site") == [
        ("testserver", "Journal Club")
    ]
    # The sign-in app made before is linked to the site, and nothing is left to migrate.
    assert query(database, "SELECT site_id FROM socialaccount_socialapp_sites") == [(1,)]
    assert run(database, "manage.py", "migrate", "--check").returncode == 0


@pytest.mark.django_db
def test_the_models_have_no_changes_without_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
