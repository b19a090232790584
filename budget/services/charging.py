"""Charging GPU usage to the budget: the one path for API reports, sacct imports and
evaluation runs. Usage is a fact and is always recorded; a charge beyond what is left
of the allocation is flagged as an overrun. Each line has an idempotency key, enforced
by a unique constraint, so the same job is never charged twice."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from budget.models import Allocation, EntryKind, Envelope, GpuType, LedgerEntry
from consortium.models import Team

from .nodes import member_node, team_node
from .rates import charge_krw


@dataclass(slots=True)
class UsageLine:
    key: str  # source + job id + step
    team_id: int
    organisation_id: int | None
    provider_id: int
    gpu_type_id: int
    gpu_count: int
    seconds: int
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    krw_per_gpu_hour: int
    source: str
    job_id: str = ""
    external_account: str = ""


@dataclass
class ChargeResult:
    imported: int = 0
    duplicates: int = 0
    amount_krw: int = 0
    outside_envelopes: int = 0
    free: int = 0
    allocation_ids: set[int] = field(default_factory=set)


class Charger:
    """Charges batches of usage lines; holds the lookups (envelopes, nodes, balances,
    weights) in memory so that a batch costs a fixed number of queries."""

    def __init__(self, *, actor=None):
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        # H100 weights in thousandths (the field has three decimals), so conversions stay integer.
        self.weights = {pk: int(w * 1000) for pk, w in GpuType.objects.values_list("pk", "h100_weight")}
        self.tz = timezone.get_current_timezone()
        self.programme_of = dict(Team.objects.values_list("pk", "programme_id"))
        self.envelopes = list(Envelope.objects.order_by("period_start"))
        self.nodes = {(a.envelope_id, a.team_id, a.organisation_id): a for a in Allocation.objects.all()}
        self.balances: dict[int, int] = {}  # loaded for the nodes a batch touches
        self.result = ChargeResult()

    def _envelope(self, team_id: int, day: datetime.date) -> Envelope | None:
        programme_id = self.programme_of.get(team_id)
        for envelope in self.envelopes:
            if envelope.programme_id == programme_id and envelope.period_start <= day <= envelope.period_end:
                return envelope
        return None

    def _node(self, envelope: Envelope, team_id: int, organisation_id: int | None) -> Allocation:
        node = self.nodes.get((envelope.pk, team_id, organisation_id))
        if node is None:
            team = self._node(envelope, team_id, None) if organisation_id else None
            node = member_node(team, organisation_id) if team else team_node(envelope, Team(pk=team_id))
            self.nodes[(envelope.pk, team_id, organisation_id)] = node
        return node

    def _load_balances(self, node_ids: set[int]) -> None:
        missing = node_ids - set(self.balances)
        if missing:
            # Lock the nodes so that a concurrent charge or split sees this batch's balance.
            list(Allocation.objects.select_for_update().filter(pk__in=missing).order_by("pk").values_list("pk"))
            self.balances.update(dict.fromkeys(missing, 0))
            self.balances.update(
                LedgerEntry.objects.filter(allocation_id__in=missing)
                .values("allocation_id")
                .annotate(s=Sum("amount_krw"))
                .values_list("allocation_id", "s")
            )

    def _h100_seconds(self, line: UsageLine) -> int:
        return (line.gpu_count * line.seconds * self.weights[line.gpu_type_id] + 500) // 1000

    def charge(self, lines: Iterable[UsageLine]) -> ChargeResult:
        """Charge one batch: duplicates (already in the ledger, or twice in the batch) add nothing."""
        batch = {}
        for line in lines:
            if line.key in batch:
                self.result.duplicates += 1
            else:
                batch[line.key] = line
        existing = existing_keys(list(batch))
        self.result.duplicates += len(existing)
        placed = []
        for key, line in batch.items():
            if key in existing:
                continue
            envelope = self._envelope(line.team_id, line.started_at.astimezone(self.tz).date())
            if envelope is None:
                self.result.outside_envelopes += 1
                continue
            placed.append((key, line, envelope, self._node(envelope, line.team_id, line.organisation_id)))
        self._load_balances({node.pk for *_, node in placed})
        rows, now = [], timezone.now()
        for key, line, envelope, node in placed:
            amount = charge_krw(gpu_count=line.gpu_count, seconds=line.seconds, krw_per_gpu_hour=line.krw_per_gpu_hour)
            if amount == 0:
                self.result.free += 1  # no GPU-time worth a won (e.g. elapsed 0): nothing to charge
                continue
            balance = self.balances[node.pk] - amount
            self.balances[node.pk] = balance
            rows.append(
                (
                    envelope.pk,
                    node.pk,
                    EntryKind.USAGE.value,
                    -amount,
                    now,
                    line.started_at,
                    self.actor_id,
                    "",
                    line.source,
                    key,
                    line.provider_id,
                    line.gpu_type_id,
                    line.gpu_count,
                    line.gpu_count * line.seconds,
                    self._h100_seconds(line),
                    line.krw_per_gpu_hour,
                    line.job_id[:100],
                    line.external_account[:100],
                    line.ended_at,
                    balance < 0,
                )
            )
            self.result.amount_krw += amount
            self.result.allocation_ids.add(node.pk)
        self.result.imported += insert_usage(rows)
        return self.result


COLUMNS = (
    "envelope_id",
    "allocation_id",
    "kind",
    "amount_krw",
    "created_at",
    "occurred_at",
    "actor_id",
    "reason",
    "source",
    "idempotency_key",
    "provider_id",
    "gpu_type_id",
    "gpu_count",
    "gpu_seconds",
    "h100_gpu_seconds",
    "krw_per_gpu_hour",
    "job_id",
    "external_account",
    "ended_at",
    "overrun",
)


def insert_usage(rows: list[tuple]) -> int:
    """Insert usage rows, skipping any whose idempotency key exists (a concurrent importer may
    have written it since the check); returns how many were inserted. On PostgreSQL: COPY into
    a session-local staging table, then INSERT … ON CONFLICT DO NOTHING (fast, and exact)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        before = LedgerEntry.objects.count()
        LedgerEntry.objects.bulk_create([LedgerEntry(**dict(zip(COLUMNS, row))) for row in rows], ignore_conflicts=True)
        return LedgerEntry.objects.count() - before
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS budget_usage_stage AS "
            f"SELECT {columns} FROM budget_ledgerentry WITH NO DATA"
        )
        cursor.execute("TRUNCATE budget_usage_stage")
        with cursor.cursor.copy(f"COPY budget_usage_stage ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)  # psycopg formats the row in C
        cursor.execute(
            f"INSERT INTO budget_ledgerentry ({columns}) SELECT {columns} FROM budget_usage_stage "
            f"ON CONFLICT (idempotency_key) DO NOTHING"
        )
        return cursor.rowcount


def existing_keys(keys: list[str]) -> set[str]:
    """The keys already in the ledger. One array parameter rather than thousands of IN parameters
    (the ORM spends longer building such a query than PostgreSQL spends answering it)."""
    if connection.vendor != "postgresql":
        return set(LedgerEntry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT idempotency_key FROM budget_ledgerentry WHERE idempotency_key = ANY(%s)", [keys])
        return {key for (key,) in cursor.fetchall()}
