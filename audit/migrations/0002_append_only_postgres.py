"""On PostgreSQL a trigger refuses UPDATE and DELETE of audit rows for every
role, the app's included. (TRUNCATE needs the table owner; deploy the app with
a role that does not own the tables, see docs/architecture.md.)"""
from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [postgres_only(CREATE, DROP)]
