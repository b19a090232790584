"""On PostgreSQL only the audited write path can move the chain head: a trigger lets it advance
by exactly one, to the event just appended after it (same sequence number and hash, linked to
the old head). The app role can therefore not set the head to anything else and make
verify_audit report a false break; it can neither delete the head. The first head (the
genesis, sequence 0) may be inserted while none exists."""
from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE OR REPLACE FUNCTION audit_chain_head_follows_events() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq <> 0 OR NEW.hash <> repeat('0', 64) THEN
            RAISE EXCEPTION 'a new audit chain head starts at the genesis (sequence 0)';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM audit_auditevent e
        WHERE e.seq = NEW.seq AND e.hash = NEW.hash AND e.prev_hash = OLD.hash
    ) THEN
        RAISE EXCEPTION 'the audit chain head may only advance to the event appended after it';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chain_head_follows_events
    BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_follows_events();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_chain_head_follows_events ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_chain_head_follows_events();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_postgres")]
    operations = [postgres_only(CREATE, DROP)]
