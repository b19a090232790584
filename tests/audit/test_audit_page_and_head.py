"""Reviewers and admins read, filter and export the audit log; its head digest is exported daily, and
a copy of an exported head proves later that the log up to it is unchanged."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audit.chain import hash_of
from audit.models import AuditEvent, AuditHeadExport
from audit.selectors import audit_chain_verify, audit_chain_verify_against
from audit.services import audit_head_export
from consortium import services
from tests.audit.test_chain import _tamper


@pytest.fixture
def chain(db, people):
    admin, reviewer = people["admin"], people["reviewer"]
    for i in range(4):
        services.organisation_create(
            actor=admin, slug=f"audited-{i}", name_ko=f"기관{i}", name_en=f"Org {i}", kind="company"
        )
    from governance.services import conflict_declare
    from tests.support.factories import TeamFactory

    conflict_declare(actor=reviewer, reviewer=reviewer, team=TeamFactory(slug="team-x"), reason="=HYPERLINK(1)")
    return list(AuditEvent.objects.order_by("seq"))


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role,status", [("member_a", 403), ("member_b", 403), ("reviewer", 200), ("admin", 200)])
def test_only_reviewers_and_admins_read_the_log(chain, people, role, status):
    assert _client(people[role]).get("/audit/").status_code == status
    assert _client(people[role]).get("/audit/export.csv").status_code == status


def test_the_page_filters_pages_and_shows_the_head(chain, people, settings, django_assert_max_num_queries):
    settings.AUDIT_PAGE_SIZE = 2
    client = _client(people["reviewer"])
    with django_assert_max_num_queries(8):
        page = client.get("/audit/?action=organisation.create&page=2").content.decode()
    assert 'data-seq="2"' in page and 'data-seq="1"' in page and 'data-seq="3"' not in page
    assert chain[-1].hash in page  # the head digest
    page = client.get("/audit/?actor=reviewer").content.decode()
    assert page.count("data-seq=") == 1 and "governance.conflict_declare" in page
    page = client.get("/audit/?target_type=governance.conflictofinterest&date_from=2000-01-01&date_to=2999-01-01")
    assert page.content.decode().count("data-seq=") == 1
    assert client.get("/audit/?date_from=3000-01-01").content.decode().count("data-seq=") == 0
    assert client.get("/audit/?date_from=not-a-date&page=x").status_code == 200


def test_the_query_count_does_not_grow_with_the_log(chain, people, django_assert_max_num_queries):
    client = _client(people["admin"])
    client.get("/audit/")
    for i in range(30):
        services.organisation_create(
            actor=people["admin"], slug=f"more-{i}", name_ko="더", name_en=f"More {i}", kind="company"
        )
    with django_assert_max_num_queries(8):
        assert client.get("/audit/").status_code == 200


def test_the_csv_export_streams_the_filtered_rows_and_defuses_formulas(chain, people):
    response = _client(people["reviewer"]).get("/audit/export.csv?action=governance.conflict_declare")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["seq", "time", "actor", "action"]
    assert [r[0] for r in rows[1:]] == [str(chain[-1].seq)]
    assert rows[1][9] == chain[-1].hash
    assert "=HYPERLINK" in rows[1][7] and not any(cell.startswith("=") for cell in rows[1])


def test_the_head_export_writes_a_file_and_a_row(chain, tmp_path, settings):
    settings.AUDIT_HEAD_EXPORT_DIR = str(tmp_path)
    export = audit_head_export()
    assert (export.seq, export.hash) == (chain[-1].seq, chain[-1].hash)
    written = json.loads(next(tmp_path.glob("audit-head-*.json")).read_text())
    assert (written["seq"], written["hash"]) == (export.seq, export.hash)
    call_command("export_audit_head", folder=str(tmp_path))
    assert AuditHeadExport.objects.count() == 2


def test_the_beat_task_exports_the_head(chain, tmp_path, settings):
    from audit.tasks import export_head

    settings.AUDIT_HEAD_EXPORT_DIR = str(tmp_path)
    assert export_head.apply().get()["hash"] == chain[-1].hash
    assert settings.CELERY_BEAT_SCHEDULE["export-audit-head"]["task"] == "audit.export_head"


def _rechain_from(seq: int) -> None:
    """A forger with database rights: recompute every hash from row `seq` on, and the head, so that
    the chain on its own verifies again."""
    events = list(AuditEvent.objects.order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else "0" * 64
    for event in events[seq - 1 :]:
        digest = hash_of(prev, event.payload)
        _tamper("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, event.seq])
        prev = digest
    _tamper("UPDATE audit_auditchainhead SET hash = %s", [prev])


def test_a_rewritten_earlier_row_fails_verification_against_the_exported_head(chain, tmp_path):
    export = audit_head_export(folder=str(tmp_path))
    head_file = next(tmp_path.glob("audit-head-*.json"))
    assert audit_chain_verify_against(seq=export.seq, digest=export.hash).ok
    call_command("verify_audit", head=str(head_file))

    _tamper("UPDATE audit_auditevent SET payload = replace(payload, %s, %s) WHERE seq = 2", ["Org 1", "Forged"])
    _rechain_from(2)
    assert audit_chain_verify().ok  # the chain alone no longer shows it
    report = audit_chain_verify_against(seq=export.seq, digest=export.hash)
    assert not report.ok and "rewritten" in report.problem
    with pytest.raises(CommandError, match="rewritten"):
        call_command("verify_audit", head=f"{export.seq}:{export.hash}")
    with pytest.raises(CommandError, match="rewritten"):
        call_command("verify_audit", head=str(head_file))
