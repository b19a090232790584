"""Invariants only PostgreSQL can hold (exclusion constraints, triggers), as migrations
that do nothing on SQLite, which serves local demos only."""

from django.db import migrations


def postgres_only(create_sql: str, drop_sql: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create_sql, params=None)  # params=None: '%' in the SQL is literal

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop_sql, params=None)

    return migrations.RunPython(forwards, backwards)
