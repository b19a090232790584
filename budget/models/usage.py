"""Where usage comes from: Slurm account mappings and sacct file imports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SlurmAccount(models.Model):
    """A provider's Slurm account name mapped to the team (and, optionally, the member
    organisation) that its jobs are charged to."""

    provider = models.ForeignKey("budget.Provider", on_delete=models.PROTECT, related_name="slurm_accounts")
    name = models.CharField(_("account"), max_length=100)
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="slurm_accounts")
    organisation = models.ForeignKey(
        "consortium.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="slurm_accounts"
    )

    class Meta:
        ordering = ["provider", "name"]
        verbose_name = _("Slurm account")
        verbose_name_plural = _("Slurm accounts")
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="slurm_account_once")]

    def __str__(self) -> str:
        return f"{self.provider.slug}:{self.name}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected (malformed lines)")
    FAILED = "failed", _("Failed")


class UsageImport(models.Model):
    """One sacct file. All or nothing: a file with any malformed line writes no usage,
    and every bad line number is reported."""

    provider = models.ForeignKey("budget.Provider", on_delete=models.PROTECT, related_name="imports")
    file_path = models.CharField(max_length=500)
    original_name = models.CharField(_("file"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # written with the progress while it is written
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    lines_total = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # imported, duplicates, unmapped accounts…
    errors = models.JSONField(default=list, blank=True)  # [{"line": n, "error": "…"}]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="usage_import_status_known")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.REJECTED):
            return 100
        return int(100 * self.lines_done / self.lines_total) if self.lines_total else 0
