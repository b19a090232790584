from django.db import migrations

from core.migration_helpers import postgres_only

CREATE = """
CREATE OR REPLACE FUNCTION stage_result_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a finalised stage result is immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stage_result_immutable
    BEFORE UPDATE OR DELETE ON stages_stageresult
    FOR EACH ROW EXECUTE FUNCTION stage_result_immutable();

CREATE OR REPLACE FUNCTION stage_finalised_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'finalised' THEN
        RAISE EXCEPTION 'stage % is finalised and cannot change', OLD.slug;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stage_finalised_frozen
    BEFORE UPDATE OR DELETE ON stages_stage
    FOR EACH ROW EXECUTE FUNCTION stage_finalised_frozen();
"""
DROP = """
DROP TRIGGER IF EXISTS stage_result_immutable ON stages_stageresult;
DROP FUNCTION IF EXISTS stage_result_immutable();
DROP TRIGGER IF EXISTS stage_finalised_frozen ON stages_stage;
DROP FUNCTION IF EXISTS stage_finalised_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("stages", "0001_initial")]
    operations = [postgres_only(CREATE, DROP)]
