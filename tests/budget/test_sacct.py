"""sacct --parsable2 imports: all or nothing, idempotent, unmapped accounts listed."""

import datetime

import pytest
from django.utils import timezone, translation

from budget.models import EntryKind, ImportStatus, LedgerEntry, UsageImport
from budget.sacct_format import LineError, ParsedLine, parse_elapsed, parse_gpus, parse_line, parse_time, read_lines
from budget.services.sacct import sacct_import

from .conftest import HEADER, sacct_file, sacct_line


def _import(tmp_path, catalogue, lines, name="jobs.txt"):
    path = sacct_file(tmp_path / name, lines)
    usage_import = UsageImport.objects.create(provider=catalogue["provider"], file_path=str(path), original_name=name)
    return sacct_import(usage_import=usage_import)


def test_elapsed_and_tres_parsing():
    assert parse_elapsed("01:00:00") == 3600
    assert parse_elapsed("2-03:04:05") == 2 * 86400 + 3 * 3600 + 4 * 60 + 5
    assert parse_elapsed("12:34") == 12 * 60 + 34
    assert parse_gpus("billing=8,cpu=64,gres/gpu:h100=8,gres/gpu=8,node=1") == [("h100", 8)]
    assert parse_gpus("cpu=4,mem=16G,node=1") == []
    for bad in ("1h", "", "01:00:xx"):
        with pytest.raises(LineError):
            parse_elapsed(bad)
    with pytest.raises(LineError):
        parse_gpus("cpu=4,gres/gpu=8")


def test_a_line_parses_without_a_database():
    """The parser is pure: no database access is allowed in this test (no django_db mark)."""
    kst = datetime.timezone(datetime.timedelta(hours=9))
    columns = ("123.batch", "acct-a", "gres/gpu:H200=2,gres/gpu:b200=1", "00:30:00", "2025-09-01T10:00:00", "Unknown")
    assert parse_line(columns, kst) == ParsedLine(
        job_id="123",
        step="batch",
        account="acct-a",
        gpus=[("h200", 2), ("b200", 1)],
        seconds=1800,
        start=datetime.datetime(2025, 9, 1, 10, tzinfo=kst),
        end=None,
    )
    assert parse_time("2025-09-01T01:00:00+00:00", "End", kst) == datetime.datetime(2025, 9, 1, 10, tzinfo=kst)
    for bad in (
        ("", "acct-a", "", "00:01", "", ""),
        ("1", "", "", "00:01", "", ""),
        ("1", "acct-a", "gres/gpu:h100=1", "00:01", "Unknown", ""),
    ):  # a GPU job needs a Start
        with pytest.raises(LineError):
            parse_line(bad, kst)
    with pytest.raises(LineError, match="Start"):
        parse_time("yesterday", "Start", kst)


def test_read_lines_picks_the_needed_columns_in_any_order_and_names_bad_lines(tmp_path):
    with translation.override("en"):  # the messages are compared in English
        path = tmp_path / "jobs.txt"
        path.write_text(
            "State|End|Start|Elapsed|AllocTRES|Account|JobID\r\nCOMPLETED|e|s|00:01|cpu=1|acct-a|7\r\n\nshort|line\n",
            encoding="utf-8",
        )
        assert list(read_lines(path)) == [
            (2, ("7", "acct-a", "cpu=1", "00:01", "s", "e"), ""),
            (4, None, "2 columns, the header has 7."),
        ]
        path.write_text("JobID|Account\n1|acct-a\n", encoding="utf-8")
        [(number, columns, problem)] = read_lines(path)
        assert (number, columns) == (1, None) and "AllocTRES" in problem


def test_import_charges_at_the_rate_of_the_job_start_and_reimport_adds_nothing(tmp_path, catalogue, envelope, accounts):
    lines = [
        sacct_line("100"),  # 8 × 1 h × 3,600 (September rate)
        sacct_line("100.batch"),  # a step: counted in its job
        sacct_line("101", start="2025-10-02T09:00:00", end="2025-10-02T10:00:00"),  # October rate: 7,200
        sacct_line("102", account="acct-b", tres="gres/gpu:b200=2", elapsed="00:30:00"),  # 2 × 0.5 h × 10,800
        sacct_line("103", account="nobody"),
        sacct_line("104", account="nobody"),
        sacct_line("105", tres="cpu=4,node=1"),
    ]
    done = _import(tmp_path, catalogue, lines)
    assert done.status == ImportStatus.DONE, done.errors
    summary = done.summary
    assert summary["imported"] == 3 and summary["duplicates_skipped"] == 0
    assert summary["unmapped_accounts"] == {"nobody": 2}
    assert (summary["steps_skipped"], summary["without_gpu"]) == (1, 1)
    charges = dict(LedgerEntry.objects.filter(kind=EntryKind.USAGE).values_list("job_id", "amount_krw"))
    assert charges == {"100": -28_800, "101": -57_600, "102": -10_800}
    assert LedgerEntry.objects.get(job_id="102").h100_gpu_seconds == 2 * 1800 * 2
    assert summary["amount_krw"] == 28_800 + 57_600 + 10_800

    again = _import(tmp_path, catalogue, lines, name="jobs-again.txt")
    assert again.summary["imported"] == 0 and again.summary["duplicates_skipped"] == 3
    assert LedgerEntry.objects.filter(kind=EntryKind.USAGE).count() == 3


def test_a_file_with_malformed_lines_writes_nothing_and_reports_every_line(tmp_path, catalogue, envelope, accounts):
    lines = [
        sacct_line("200"),
        sacct_line("201", elapsed="one hour"),  # line 3
        "202|train|acct-a|gres/gpu:h100=8",  # line 4: too few columns
        sacct_line("203"),
        sacct_line("204", tres="gres/gpu:tpu9=8"),  # line 6: unknown GPU type
        sacct_line("205", start="yesterday"),  # line 7
        sacct_line("206", start="2024-01-01T00:00:00"),  # line 8: no rate before 2025
    ]
    done = _import(tmp_path, catalogue, lines)
    assert done.status == ImportStatus.REJECTED
    assert [e["line"] for e in done.errors] == [3, 4, 6, 7, 8]
    assert "Elapsed" in done.errors[0]["error"]
    assert not LedgerEntry.objects.filter(kind=EntryKind.USAGE).exists()


def test_a_file_without_the_needed_columns_is_rejected(tmp_path, catalogue, envelope, accounts):
    path = tmp_path / "bad.txt"
    path.write_text("JobID|Account\n1|acct-a\n")
    usage_import = UsageImport.objects.create(provider=catalogue["provider"], file_path=str(path), original_name="x")
    done = sacct_import(usage_import=usage_import)
    assert done.status == ImportStatus.REJECTED and done.errors[0]["line"] == 1


def test_progress_is_counted(tmp_path, catalogue, envelope, accounts):
    lines = [sacct_line(str(1000 + i), start=f"2025-09-01T{i % 24:02d}:00:00") for i in range(50)]
    done = _import(tmp_path, catalogue, lines)
    assert (done.lines_total, done.lines_done, done.percent) == (50, 50, 100)
    assert HEADER.startswith("JobID")
    first = LedgerEntry.objects.order_by("occurred_at").first().occurred_at
    assert timezone.localtime(first) == timezone.make_aware(datetime.datetime(2025, 9, 1, 0, 0))  # KST wall time


def test_job_ids_with_copy_special_characters_are_stored_exactly(tmp_path, catalogue, envelope, accounts):
    """The rows travel to PostgreSQL by COPY: a backslash or tab in a job id must not be read as an escape."""
    odd = ["job\\7", "job\t8", "job\\N"]
    done = _import(tmp_path, catalogue, [sacct_line(job) for job in odd])
    assert done.status == ImportStatus.DONE, done.errors
    assert sorted(LedgerEntry.objects.filter(kind=EntryKind.USAGE).values_list("job_id", flat=True)) == sorted(odd)
    again = _import(tmp_path, catalogue, [sacct_line(job) for job in odd], name="again.txt")
    assert again.summary["duplicates_skipped"] == 3


def test_batches_written_on_the_second_thread_are_all_there_and_a_failed_one_undoes_the_file(
    tmp_path, catalogue, envelope, accounts, settings, monkeypatch
):
    """Batches are charged on a second thread over the importer's own connection and transaction."""
    settings.BUDGET_IMPORT_BATCH = 7
    lines = [sacct_line(str(3000 + i)) for i in range(40)]
    done = _import(tmp_path, catalogue, lines)
    assert done.status == ImportStatus.DONE and done.summary["imported"] == 40
    assert LedgerEntry.objects.filter(kind=EntryKind.USAGE, job_id__startswith="3").count() == 40

    from budget.services.charging import Charger

    real_charge, calls = Charger.charge, []

    def charge_then_fail(self, batch):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_charge(self, batch)

    monkeypatch.setattr(Charger, "charge", charge_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        _import(tmp_path, catalogue, [sacct_line(str(4000 + i)) for i in range(40)], name="second.txt")
    assert not LedgerEntry.objects.filter(job_id__startswith="4").exists()  # two written batches rolled back too
