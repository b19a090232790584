"""Who may use which dataset, from when to when. Dates are inclusive; `revoked_on`
is the first day without access. PostgreSQL refuses two entitlements of one holder
to one dataset whose effective periods overlap (migration 0002)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .catalogue import Dataset
from .purchases import Purchase


class Entitlement(models.Model):
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="entitlements"
    )
    team = models.ForeignKey(
        "consortium.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="data_entitlements"
    )
    organisation = models.ForeignKey(
        "consortium.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="data_entitlements"
    )
    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    revoked_on = models.DateField(_("revoked from"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["valid_from", "id"]
        verbose_name = _("data entitlement")
        verbose_name_plural = _("data entitlements")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False, organisation__isnull=True)
                | Q(team__isnull=True, organisation__isnull=False),
                name="entitlement_one_holder",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="entitlement_ends_after_start"),
            # Revoking before the start leaves an empty period, never a negative one.
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("valid_from")),
                name="entitlement_revoked_after_start",
            ),
        ]

    @property
    def holder(self):
        return self.team or self.organisation

    @property
    def effective_until(self) -> datetime.date | None:
        """Last day of access, or None when revoked before it began."""
        if self.revoked_on is None:
            return self.valid_until
        last = min(self.valid_until, self.revoked_on - datetime.timedelta(days=1))
        return last if last >= self.valid_from else None

    def covers(self, day: datetime.date) -> bool:
        end = self.effective_until
        return end is not None and self.valid_from <= day <= end

    def __str__(self) -> str:
        return f"{self.holder} · {self.dataset}"
