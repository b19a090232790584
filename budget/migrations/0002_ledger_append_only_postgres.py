"""On PostgreSQL a trigger refuses UPDATE and DELETE of ledger entries for every role:
balances are sums of entries, and a correction is a new entry, never an edit."""
from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE OR REPLACE FUNCTION budget_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'budget ledger entries are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budget_ledger_append_only
    BEFORE UPDATE OR DELETE ON budget_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION budget_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS budget_ledger_append_only ON budget_ledgerentry;
DROP FUNCTION IF EXISTS budget_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]
    operations = [postgres_only(CREATE, DROP)]
