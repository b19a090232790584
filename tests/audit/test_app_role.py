"""The deployed app connects as a role that owns nothing: with grant_app_role's
privileges it reads and writes the registry, but may only read and append audit rows."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from consortium import services

ROLE = "platform_app_test"
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")


@pytest.fixture
def app_connection(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
        if not cursor.fetchone():
            cursor.execute(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER")
    services.organisation_create(actor=None, slug="granted", name_ko="기관", name_en="Org", kind="company")
    call_command("grant_app_role", ROLE)
    s = connection.settings_dict
    conn = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"], user=ROLE)
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")


def _refused(conn, statement):
    with pytest.raises(psycopg.Error) as error:
        conn.execute(statement)
    conn.rollback()
    return str(error.value)


def test_reads_and_writes_the_registry(app_connection):
    app_connection.execute("UPDATE consortium_organisation SET name_en = 'Renamed' WHERE slug = 'granted'")
    assert app_connection.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
    app_connection.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'forged'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        "SET session_replication_role = replica",
    ],
)
def test_cannot_rewrite_audit_rows_or_switch_off_their_guard(app_connection, statement):
    message = _refused(app_connection, statement)
    assert "permission denied" in message or "must be owner" in message or "append-only" in message


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditchainhead SET hash = repeat('f', 64)",
        "UPDATE audit_auditchainhead SET seq = seq + 1",
        "UPDATE audit_auditchainhead SET seq = 0, hash = repeat('0', 64)",
        "DELETE FROM audit_auditchainhead",
    ],
)
def test_cannot_move_the_chain_head_itself(app_connection, statement):
    message = _refused(app_connection, statement)
    assert "audit chain head" in message


def test_the_audited_write_path_still_advances_the_head(app_connection):
    before = app_connection.execute("SELECT seq FROM audit_auditchainhead").fetchone()[0]
    services.organisation_create(actor=None, slug="second", name_ko="기관 2", name_en="Org 2", kind="company")
    assert app_connection.execute("SELECT seq FROM audit_auditchainhead").fetchone()[0] == before + 1
    app_connection.rollback()


def test_grant_app_role_refuses_a_role_that_owns_a_table(transactional_db):
    from django.core.management.base import CommandError

    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="must own nothing"):
        call_command("grant_app_role", owner)
