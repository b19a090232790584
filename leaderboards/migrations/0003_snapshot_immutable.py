from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE OR REPLACE FUNCTION leaderboard_snapshot_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published snapshots are immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER leaderboard_snapshot_immutable
    BEFORE UPDATE OR DELETE ON leaderboards_snapshot
    FOR EACH ROW EXECUTE FUNCTION leaderboard_snapshot_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS leaderboard_snapshot_immutable ON leaderboards_snapshot;
DROP FUNCTION IF EXISTS leaderboard_snapshot_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("leaderboards", "0002_initial")]
    operations = [postgres_only(CREATE, DROP)]
