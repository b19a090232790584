from django.db import migrations

COVERING = {"run_sample_page": "run_id, task, position",
            "run_sample_subtask_page": "run_id, task, subtask, position",
            "run_sample_outcome_page": "run_id, task, correct, position"}


def _search_index(apps, schema_editor):
    # PostgreSQL: a trigram index answers icontains (ILIKE '%…%') on search_text; SQLite (make
    # run) scans, which is fine at its size.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS run_sample_search ON evaluation_runsample "
                              "USING gin (UPPER(search_text) gin_trgm_ops)")
        # The page indexes also carry the row id, so a deep page skips its offset in the index
        # alone (an index-only scan) instead of visiting each skipped row's heap page.
        for name, columns in COVERING.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(f"CREATE INDEX {name} ON evaluation_runsample ({columns}) INCLUDE (id)")


def _drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS run_sample_search")


class Migration(migrations.Migration):
    # Apart from 0009: its indexes are created when that migration ends, and these replace them.

    dependencies = [("evaluation", "0010_run_samples")]

    operations = [migrations.RunPython(_search_index, _drop_search_index)]
