"""Slurm accounting files (`sacct --parsable2`): check, and import all or nothing.

A file is read once, streamed line by line (parsed by budget.sacct_format) and charged in
batches inside one transaction, so memory stays flat in the file size. Every line is checked;
if any is malformed, the transaction is rolled back (nothing from the file is written) and every
bad line number is reported. Step lines (JobID
"123.batch", "123.0") repeat their job's allocation and are not charged again."""

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from budget.models import GpuType, ImportStatus, Provider, SlurmAccount, UsageImport
from budget.sacct_format import LineError, ParsedLine, parse_line, read_lines

from .alerts import alerts_check
from .charging import Charger, UsageLine
from .rates import RateCard


@dataclass
class Lookups:
    accounts: dict[str, tuple[int, int | None]]
    types: dict[str, int]
    rates: RateCard


def _lookups(provider: Provider) -> Lookups:
    return Lookups(
        accounts={a.name: (a.team_id, a.organisation_id) for a in SlurmAccount.objects.filter(provider=provider)},
        types=dict(GpuType.objects.values_list("code", "pk")),
        rates=RateCard(provider),
    )


def _usage_lines(parsed: ParsedLine, provider: Provider, lookups: Lookups) -> list[UsageLine]:
    """Checks what the catalogue must know (GPU type, rate) and builds the charges.
    An unmapped account is not an error: it is skipped and listed."""
    team_id, organisation_id = lookups.accounts[parsed.account]
    lines = []
    for code, count in parsed.gpus:
        type_id = lookups.types.get(code)
        if type_id is None:
            raise LineError(_("Unknown GPU type %(code)r.") % {"code": code})
        rate = lookups.rates.at(type_id, parsed.start.date())  # parse_time gave the local day
        if rate is None:
            raise LineError(
                _("No rate for %(code)s at %(provider)s on %(day)s.")
                % {"code": code, "provider": provider, "day": parsed.start.date()}
            )
        suffix = f":{code}" if len(parsed.gpus) > 1 else ""
        lines.append(
            UsageLine(
                key=f"sacct:{provider.slug}:{parsed.job_id}:{parsed.step}{suffix}",
                team_id=team_id,
                organisation_id=organisation_id,
                provider_id=provider.pk,
                gpu_type_id=type_id,
                gpu_count=count,
                seconds=parsed.seconds,
                started_at=parsed.start,
                ended_at=parsed.end,
                krw_per_gpu_hour=rate,
                source=f"sacct:{provider.slug}",
                job_id=parsed.job_id,
                external_account=parsed.account,
            )
        )
    return lines


@dataclass
class Scan:
    lines: int = 0
    errors: list[dict] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    steps: int = 0
    no_gpu: int = 0


def _each_charge(path, provider: Provider, lookups: Lookups, scan: Scan) -> Iterator[tuple[int, list[UsageLine]]]:
    tz = timezone.get_current_timezone()
    for number, columns, problem in read_lines(path):
        scan.lines += 1
        try:
            if columns is None:
                raise LineError(problem)
            parsed = parse_line(columns, tz)
            if parsed.step:
                scan.steps += 1
                continue
            if not parsed.gpus:
                scan.no_gpu += 1
                continue
            if parsed.account not in lookups.accounts:
                scan.unmapped[parsed.account] += 1
                continue
            yield number, _usage_lines(parsed, provider, lookups)
        except LineError as error:
            scan.errors.append({"line": number, "error": str(error)})


class Progress:
    """Writes an import's progress on a connection of its own (autocommit), so the page polling it
    sees the count while the import's own transaction is still open."""

    def __init__(self, usage_import: UsageImport | None):
        self.pk = usage_import.pk if usage_import is not None else None
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if self.pk else None

    def __call__(self, **fields) -> None:
        if self.connection is None:
            return
        fields["heartbeat_at"] = timezone.now()  # the import is alive (budget.services.imports reaps the silent)
        assignments = ", ".join(f"{name} = %s" for name in fields)
        with self.connection.cursor() as cursor:
            cursor.execute(f"UPDATE budget_usageimport SET {assignments} WHERE id = %s", [*fields.values(), self.pk])

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class BatchWriter:
    """Charges the batches on a second thread while the caller parses the next one, so that
    PostgreSQL's work on a batch (COPY, INSERT, index and key checks) overlaps Python's parsing:
    about 1.7 s of each per 100,000 lines. The thread uses the caller's connection, hence its
    transaction, and at most one batch is in flight; the caller touches no database meanwhile.
    Elsewhere (SQLite, the embedded default) batches are charged in line."""

    def __init__(self, charger: Charger):
        self.charger, self.pending = charger, None
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.pool = ThreadPoolExecutor(max_workers=1) if self.connection.vendor == "postgresql" else None
        if self.pool:
            self.connection.inc_thread_sharing()

    def _charge(self, lines: list[UsageLine]) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection  # this thread's alias → the caller's connection
        self.charger.charge(lines)

    def write(self, lines: list[UsageLine]) -> None:
        if self.pool is None:
            return self._charge(lines)
        self.wait()
        self.pending = self.pool.submit(self._charge, lines)

    def wait(self) -> None:
        """Until the batch in flight is written (its error, if any, is raised here)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self.pool:
            try:
                self.wait()
            finally:
                self.pool.shutdown()
                self.connection.dec_thread_sharing()


def sacct_read(
    *, path, provider: Provider, actor=None, progress=None, batch_size: int | None = None
) -> tuple[Scan, dict]:
    """One streamed pass: check every line and charge GPU jobs batch by batch. The caller's
    transaction is rolled back if any line was malformed (the scan lists them all)."""
    batch_size = batch_size or settings.BUDGET_IMPORT_BATCH
    scan, lookups, charger, batch = Scan(), _lookups(provider), Charger(actor=actor), []
    writer = BatchWriter(charger)
    try:
        for _number, lines in _each_charge(path, provider, lookups, scan):
            if scan.errors:
                continue  # the file will be refused: keep checking, stop writing
            batch.extend(lines)
            if len(batch) >= batch_size:
                writer.write(batch)
                batch = []
                if progress:
                    progress(lines_done=scan.lines)
        if not scan.errors:
            writer.write(batch)
    finally:
        writer.close()
    if not scan.errors:
        alerts_check(allocation_ids=charger.result.allocation_ids)
    result = charger.result
    return scan, {
        "lines": scan.lines,
        "imported": result.imported,
        "duplicates_skipped": result.duplicates,
        "steps_skipped": scan.steps,
        "without_gpu": scan.no_gpu,
        "outside_envelopes": result.outside_envelopes,
        "free": result.free,
        "amount_krw": result.amount_krw,
        "unmapped_accounts": dict(sorted(scan.unmapped.items())),
    }


def sacct_import(*, usage_import: UsageImport, actor=None) -> UsageImport:
    """Import one uploaded file, all or nothing; the import row carries progress, summary and errors."""
    path, provider = usage_import.file_path, usage_import.provider
    with open(path, "rb") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    progress = Progress(usage_import)
    try:
        UsageImport.objects.filter(pk=usage_import.pk).update(status=ImportStatus.WRITING, lines_total=total)
        with transaction.atomic():
            scan, summary = sacct_read(path=path, provider=provider, actor=actor, progress=progress)
            if scan.errors:
                transaction.set_rollback(True)  # nothing from a file with a malformed line
            else:
                UsageImport.objects.filter(pk=usage_import.pk).update(
                    status=ImportStatus.DONE, summary=summary, lines_done=scan.lines, finished_at=timezone.now()
                )
                usage_import.refresh_from_db()
                audit_record(actor=actor, action="budget.usage.import", target=usage_import, after=summary)
        if scan.errors:
            UsageImport.objects.filter(pk=usage_import.pk).update(
                status=ImportStatus.REJECTED,
                errors=scan.errors,
                lines_done=scan.lines,
                finished_at=timezone.now(),
                summary={"lines": scan.lines, "imported": 0, "malformed_lines": len(scan.errors)},
            )
    finally:
        progress.close()
    usage_import.refresh_from_db()
    return usage_import
