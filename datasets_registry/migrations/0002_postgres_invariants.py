"""What PostgreSQL itself refuses (SQLite, for local demos only, relies on the services):

- a purchase whose cost shares do not add up to its total paid, to the won — a deferred
  constraint trigger, checked at commit, so a purchase and its shares are written in
  any order inside one transaction;
- two entitlements of one holder to one dataset whose effective periods overlap —
  exclusion constraints over [valid_from, min(valid_until + 1, revoked_on)).
"""
from django.db import migrations

from core.migration_helpers import postgres_only

SHARES_CREATE = """
CREATE OR REPLACE FUNCTION datasets_registry_purchase_sum_check(pid bigint) RETURNS void AS $$
DECLARE
    paid bigint;
    shared bigint;
BEGIN
    SELECT total_krw INTO paid FROM datasets_registry_purchase WHERE id = pid;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT COALESCE(SUM(amount_krw), 0) INTO shared FROM datasets_registry_purchaseshare WHERE purchase_id = pid;
    IF shared <> paid THEN
        RAISE EXCEPTION 'purchase %: cost shares add up to % won, not the % won paid', pid, shared, paid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'purchase_shares_sum_to_total';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION datasets_registry_purchase_sum_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'datasets_registry_purchase' THEN
        PERFORM datasets_registry_purchase_sum_check(NEW.id);
    ELSE
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM datasets_registry_purchase_sum_check(OLD.purchase_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM datasets_registry_purchase_sum_check(NEW.purchase_id);
        END IF;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER purchase_shares_sum_to_total
    AFTER INSERT OR UPDATE OR DELETE ON datasets_registry_purchaseshare
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION datasets_registry_purchase_sum_trigger();
CREATE CONSTRAINT TRIGGER purchase_total_matches_shares
    AFTER INSERT OR UPDATE ON datasets_registry_purchase
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION datasets_registry_purchase_sum_trigger();
"""
SHARES_DROP = """
DROP TRIGGER IF EXISTS purchase_total_matches_shares ON datasets_registry_purchase;
DROP TRIGGER IF EXISTS purchase_shares_sum_to_total ON datasets_registry_purchaseshare;
DROP FUNCTION IF EXISTS datasets_registry_purchase_sum_trigger();
DROP FUNCTION IF EXISTS datasets_registry_purchase_sum_check(bigint);
"""

PERIOD = "daterange(valid_from, LEAST(valid_until + 1, COALESCE(revoked_on, valid_until + 1)), '[)')"
OVERLAP_CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE datasets_registry_entitlement ADD CONSTRAINT entitlement_team_no_overlap
    EXCLUDE USING gist (dataset_id WITH =, team_id WITH =, {PERIOD} WITH &&) WHERE (team_id IS NOT NULL);
ALTER TABLE datasets_registry_entitlement ADD CONSTRAINT entitlement_organisation_no_overlap
    EXCLUDE USING gist (dataset_id WITH =, organisation_id WITH =, {PERIOD} WITH &&)
    WHERE (organisation_id IS NOT NULL);
"""
OVERLAP_DROP = """
ALTER TABLE datasets_registry_entitlement DROP CONSTRAINT IF EXISTS entitlement_team_no_overlap;
ALTER TABLE datasets_registry_entitlement DROP CONSTRAINT IF EXISTS entitlement_organisation_no_overlap;
"""


class Migration(migrations.Migration):
    dependencies = [("datasets_registry", "0001_initial"), ("consortium", "0002_membership_no_overlap_postgres")]
    operations = [postgres_only(SHARES_CREATE, SHARES_DROP), postgres_only(OVERLAP_CREATE, OVERLAP_DROP)]
