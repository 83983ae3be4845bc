"""Trigram indexes for the admin's substring searches, on PostgreSQL only.

Django's admin search (`icontains`) sends `UPPER(column::text) LIKE UPPER('%term%')`. On PostgreSQL a
GIN index of `UPPER(column)` with pg_trgm's operator class answers that from the index instead of
a scan of every row (500,000 journal entries, 200,000 time entries in the bench). Other databases
get nothing: SQLite scans, as before.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Where the
migration's role may not, the index is skipped with a note, and the search still works, scanning.
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError


def trigram_index(*, table: str, column: str, name: str) -> migrations.RunPython:
    """A migration operation creating (and, backwards, dropping) the index `name`."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            print(
                f"\n  Note: no trigram index {name} (pg_trgm could not be created: {error}). "
                "Searches still work, scanning the table; a superuser can run "
                "'CREATE EXTENSION pg_trgm' and then migrate this app back and forth."
            )
            return
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)
