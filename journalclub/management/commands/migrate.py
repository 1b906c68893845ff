"""`manage.py migrate`: Django's, which first adopts the sites framework on a database made
before the project installed it."""

from django.apps import apps
from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder


class Command(migrate.Command):
    def handle(self, *args, **options) -> None:
        """Such a database records allauth's socialaccount 0001 as applied, which depends on
        sites' 0001 only once sites is installed, and Django refuses to migrate an
        inconsistent history before any migration could run: so the sites table is made,
        and its migrations recorded as applied, here."""
        connection = connections[options["database"]]
        recorder = MigrationRecorder(connection)
        if apps.is_installed("django.contrib.sites") and recorder.has_table():
            applied = recorder.applied_migrations()
            if ("socialaccount", "0001_initial") in applied and (
                ("sites", "0001_initial") not in applied
            ):
                Site = apps.get_model("sites", "Site")
                with connection.schema_editor() as editor:
                    if Site._meta.db_table not in connection.introspection.table_names():
                        editor.create_model(Site)
                    for name in ("0001_initial", "0002_alter_domain_unique"):
                        recorder.record_applied("sites", name)
        super().handle(*args, **options)
