"""The budget: an envelope, its allocations (nodes of a tree) and an append-only ledger.

Money only moves as ledger entries; every balance is a sum of entries, never a stored
number. A movement between two nodes is two entries with the same `movement` id whose
amounts sum to zero; usage is one negative entry on the node it is charged to."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Envelope(models.Model):
    """The government's GPU budget of one programme period (e.g. 2025: KRW 157.6bn).
    Its unallocated pool is the set of ledger entries with no allocation."""

    programme = models.ForeignKey("consortium.Programme", on_delete=models.PROTECT, related_name="budget_envelopes")
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="envelope_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Allocation(models.Model):
    """A node of the budget tree: a team's share of an envelope, or a member
    organisation's share of its team's. Its amounts live in the ledger."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="budget_allocations")
    organisation = models.ForeignKey(
        "consortium.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="budget_allocations"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["envelope", "team", "organisation"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "team"], condition=Q(organisation__isnull=True), name="allocation_one_per_team"
            ),
            models.UniqueConstraint(
                fields=["envelope", "team", "organisation"],
                condition=Q(organisation__isnull=False),
                name="allocation_one_per_member",
            ),
            # A team's node hangs from the envelope; a member's from its team's node.
            models.CheckConstraint(
                condition=Q(organisation__isnull=True, parent__isnull=True)
                | Q(organisation__isnull=False, parent__isnull=False),
                name="allocation_tree_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} / {self.organisation}" if self.organisation_id else str(self.team)


class EntryKind(models.TextChoices):
    FUND = "fund", _("Fund")  # money into the envelope
    ALLOCATE = "allocate", _("Allocate")  # parent → child
    TRANSFER = "transfer", _("Transfer")  # between nodes that are not parent and child
    RELEASE = "release", _("Release")  # child → parent or envelope (unspent money returned)
    ADJUST = "adjust", _("Adjust")
    USAGE = "usage", _("Usage")
    CORRECTION = "correction", _("Correction")  # of a usage charge: a new entry, never an edit


USAGE_KINDS = (EntryKind.USAGE, EntryKind.CORRECTION)


class GpuReservation(models.Model):
    """An allocation made as GPUs (count × type × period at a provider), converted to KRW
    at the rate in force on the first day of the period."""

    gpu_type = models.ForeignKey("budget.GpuType", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("budget.Provider", on_delete=models.PROTECT, related_name="reservations")
    gpu_count = models.PositiveIntegerField(_("GPUs"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    krw_per_gpu_hour = models.BigIntegerField()
    amount_krw = models.BigIntegerField()

    class Meta:
        verbose_name = _("GPU reservation")
        verbose_name_plural = _("GPU reservations")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="reservation_period_ordered"),
            models.CheckConstraint(condition=Q(gpu_count__gt=0), name="reservation_has_gpus"),
        ]

    def __str__(self) -> str:
        return f"{self.gpu_count} × {self.gpu_type} @ {self.provider} {self.start}–{self.end}"


class LedgerEntry(models.Model):
    """One append-only line of the ledger (PostgreSQL refuses UPDATE and DELETE: migration 0002).

    Usage entries carry what was charged: GPU type, provider, GPU-seconds, the rate in force at
    the job's start, and an idempotency key (source + job id + step) that makes a re-import add nothing."""

    # Few indexes on purpose: imports insert hundreds of thousands of rows (see Meta.indexes).
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="entries", db_index=False)
    allocation = models.ForeignKey(
        Allocation, null=True, blank=True, on_delete=models.PROTECT, db_index=False, related_name="entries"
    )  # null: the envelope's unallocated pool
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    movement = models.UUIDField(null=True, blank=True)  # pairs the two entries of a movement; none on usage
    created_at = models.DateTimeField(auto_now_add=True)
    occurred_at = models.DateTimeField(_("occurred at"))  # a job's start for usage; else when it was written
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)  # api, sacct:<provider>, evaluation…
    idempotency_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    reservation = models.ForeignKey(
        GpuReservation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections", db_index=False
    )
    # Usage only.
    gpu_type = models.ForeignKey(
        "budget.GpuType", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    provider = models.ForeignKey(
        "budget.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    gpu_count = models.PositiveIntegerField(null=True, blank=True)
    gpu_seconds = models.BigIntegerField(null=True, blank=True)
    h100_gpu_seconds = models.BigIntegerField(null=True, blank=True)
    krw_per_gpu_hour = models.BigIntegerField(null=True, blank=True)
    job_id = models.CharField(max_length=100, blank=True)
    external_account = models.CharField(max_length=100, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    overrun = models.BooleanField(default=False)  # the node's balance went below zero with this charge

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="ledger_kind_known"),
            models.CheckConstraint(condition=~Q(amount_krw=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=~Q(kind="usage")
                | (Q(amount_krw__lt=0) & Q(allocation__isnull=False) & Q(gpu_seconds__gte=0)),
                name="ledger_usage_is_a_charge",
            ),
            models.CheckConstraint(condition=~Q(kind="fund") | Q(allocation__isnull=True), name="ledger_fund_pool"),
            models.CheckConstraint(
                condition=~Q(kind="correction") | Q(corrects__isnull=False), name="ledger_correction_names_its_entry"
            ),
        ]
        indexes = [
            models.Index(fields=["allocation", "kind"], name="ledger_node_kind"),  # balances
            models.Index(fields=["envelope", "occurred_at"], name="ledger_envelope_time"),  # burn-down, usage table
            models.Index(fields=["movement"], condition=Q(movement__isnull=False), name="ledger_movement"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_krw}"
