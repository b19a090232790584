"""Reallocation requests (a team lead asks, an admin decides) and budget alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReallocationRequest(models.Model):
    """A team asks for more of the envelope (positive amount) or gives some back (negative)."""

    envelope = models.ForeignKey("budget.Envelope", on_delete=models.PROTECT, related_name="requests")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="budget_requests")
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("reallocation request")
        verbose_name_plural = _("reallocation requests")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="realloc_status_known"),
            models.CheckConstraint(condition=~Q(amount_krw=0), name="realloc_amount_nonzero"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="realloc_decided_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.amount_krw:+,}"


class BudgetAlert(models.Model):
    """An allocation crossed 80% or 95% used. Raised once per threshold (the unique constraint)."""

    allocation = models.ForeignKey("budget.Allocation", on_delete=models.PROTECT, related_name="alerts")
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    used_krw = models.BigIntegerField()
    allocated_krw = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget alert")
        verbose_name_plural = _("budget alerts")
        constraints = [models.UniqueConstraint(fields=["allocation", "threshold"], name="alert_once_per_threshold")]

    def __str__(self) -> str:
        return f"{self.allocation} {self.threshold}%"
