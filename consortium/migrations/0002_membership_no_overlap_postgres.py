"""On PostgreSQL the database itself refuses overlapping memberships of one
organisation in one team (an exclusion constraint over inclusive date ranges).
SQLite, used only for local demos, relies on the service's check."""
from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE consortium_membership ADD CONSTRAINT membership_no_overlap
    EXCLUDE USING gist (
        team_id WITH =,
        organisation_id WITH =,
        daterange(joined_on, left_on, '[]') WITH &&
    );
"""
DROP = "ALTER TABLE consortium_membership DROP CONSTRAINT IF EXISTS membership_no_overlap;"


class Migration(migrations.Migration):
    dependencies = [("consortium", "0001_initial")]
    operations = [postgres_only(CREATE, DROP)]
