"""The audit log: written with each write, hash-chained, and tamper-evident."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditChainHead, AuditEvent
from audit.selectors import audit_chain_verify
from consortium import services
from tests.support.factories import OrganisationFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@pytest.fixture
def chain(db, people):
    """Five audited writes by the admin."""
    admin = people["admin"]
    orgs = [
        services.organisation_create(
            actor=admin, slug=f"audited-{i}", name_ko=f"기관{i}", name_en=f"Org {i}", kind="company"
        )
        for i in range(4)
    ]
    services.organisation_update(actor=admin, organisation=orgs[0], name_en="Renamed")
    return list(AuditEvent.objects.order_by("seq"))


def _tamper(sql, params):
    """Edit rows as someone with superuser rights would: with triggers switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_each_write_appends_a_linked_row(chain, people):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:]))
    last = chain[-1]
    assert last.action == "organisation.update"
    assert last.actor == people["admin"]
    assert (last.before["name_en"], last.after["name_en"]) == ("Org 0", "Renamed")
    assert audit_chain_verify().ok
    call_command("verify_audit")


def test_an_unchanged_update_writes_nothing(chain, people):
    org = OrganisationFactory()
    services.organisation_update(actor=people["admin"], organisation=org, name_en=org.name_en)
    assert AuditEvent.objects.count() == len(chain)


def test_a_refused_write_leaves_no_audit_row(chain, people):
    with pytest.raises(Exception):
        services.organisation_create(
            actor=people["admin"], slug="audited-0", name_ko="중복", name_en="Duplicate", kind="company"
        )
    assert AuditEvent.objects.count() == len(chain)
    assert audit_chain_verify().ok


def test_an_edited_row_is_reported(chain):
    _tamper("UPDATE audit_auditevent SET payload = replace(payload, %s, %s) WHERE seq = 3", ["Org 2", "Forged"])
    report = audit_chain_verify()
    assert not report.ok
    assert report.checked == 2
    assert "row #3 was altered" in report.problem
    with pytest.raises(CommandError, match="row #3"):
        call_command("verify_audit")


def test_an_edited_actor_is_reported(chain):
    _tamper("UPDATE audit_auditevent SET actor_username = %s WHERE seq = 2", ["someone-else"])
    assert "row #2 was altered" in audit_chain_verify().problem


def test_a_removed_row_is_reported(chain):
    _tamper("DELETE FROM audit_auditevent WHERE seq = 4", [])
    assert "row #4 is missing" in audit_chain_verify().problem


def test_rows_cut_off_the_end_are_reported(chain):
    _tamper("DELETE FROM audit_auditevent WHERE seq >= 4", [])
    assert "rows after #3 are missing" in audit_chain_verify().problem


def test_a_rehashed_row_breaks_the_link_to_the_next(chain):
    from audit.chain import hash_of, payload_text

    event = chain[1]
    event.target_repr = "forged"
    payload = payload_text(event, before=event.before, after={"name_en": "forged"})
    _tamper(
        "UPDATE audit_auditevent SET target_repr = %s, payload = %s, hash = %s WHERE seq = 2",
        ["forged", payload, hash_of(event.prev_hash, payload)],
    )
    assert "row #3 does not follow row #2" in audit_chain_verify().problem


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_any_json_value_survives_the_database_and_verifies(db, value):
    """jsonb reshapes numbers (1e20 comes back as an integer, -0.0 as 0.0): the hash
    covers the stored text, so whatever the database does, the chain still verifies."""
    from audit.services import audit_record

    with transaction.atomic():
        event = audit_record(actor=None, action="test.value", target=OrganisationFactory(), after={"v": value})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"v": value}
    assert audit_chain_verify().ok


def test_non_finite_numbers_are_refused(db):
    from audit.services import audit_record

    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=None, action="x", target=OrganisationFactory(), after={"v": float("nan")})


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_auditevent WHERE seq = 1",
    ],
)
def test_postgres_refuses_update_and_delete(chain, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert audit_chain_verify().ok


def test_audit_record_refuses_to_run_outside_a_transaction(transactional_db):
    from audit.services import audit_record

    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", target=OrganisationFactory())


def test_admin_shows_audit_read_only(chain, client, people):
    client.force_login(people["admin"])
    page = client.get(f"/admin/audit/auditevent/{chain[0].pk}/change/")
    assert page.status_code == 200
    assert b'name="payload"' not in page.content  # shown, not editable
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{chain[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditChainHead.objects.get().seq == len(chain)
