"""Databases that refuse to write, as a replica after a failover or a database in maintenance
does, and a way to see that nothing was written.

Use them with `transactional_db`: the requests then run in autocommit, as in production,
and a refused write spoils no test transaction."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core import signals
from django.db import connection


@contextmanager
def read_only_database() -> Iterator[None]:
    """The database itself refuses writes, on every connection: PostgreSQL's
    `default_transaction_read_only`, as on a hot standby (psycopg's ReadOnlySqlTransaction,
    which Django raises as InternalError); SQLite's query-only mode ("attempt to write a
    readonly database", an OperationalError)."""
    assert not connection.in_atomic_block, "use read_only_database() with transactional_db"
    if connection.vendor == "sqlite":
        with _sqlite_query_only():
            yield
        return
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        # New connections (a live server's) and this one.
        cursor.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
        cursor.execute("SET default_transaction_read_only = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
            cursor.execute(f"ALTER DATABASE {database} RESET default_transaction_read_only")


@contextmanager
def _sqlite_query_only() -> Iterator[None]:
    """Query-only mode is a setting of each connection to the shared in-memory database:
    this thread's, and a live server thread's for each request it serves meanwhile."""
    this_thread = threading.get_ident()

    def query_only(on: bool) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")

    def request_started(**kwargs) -> None:
        if threading.get_ident() != this_thread:
            query_only(True)

    def request_finished(**kwargs) -> None:
        if threading.get_ident() != this_thread:
            query_only(False)

    query_only(True)
    signals.request_started.connect(request_started, weak=False)
    signals.request_finished.connect(request_finished, weak=False)
    try:
        yield
    finally:
        signals.request_started.disconnect(request_started)
        signals.request_finished.disconnect(request_finished)
        query_only(False)


@contextmanager
def failing_writes(error: Exception) -> Iterator[None]:
    """Every statement that changes data fails with `error` (as Django raises it): for the
    failures a test cannot ask a real database for, such as a lost connection or a
    serialization failure."""

    def refuse(execute, sql, params, many, context):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", sql, re.I):
            raise error
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after."""
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }
