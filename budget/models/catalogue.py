"""What GPU time is and what it costs: GPU types, providers, and the rate card."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GpuType(models.Model):
    """A GPU or NPU model. `h100_weight` converts its hours into H100-equivalent hours
    (B200 = 2 in this programme's accounting)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)  # as Slurm names it: h100, b200, rngd…
    name = models.CharField(_("name"), max_length=100)
    h100_weight = models.DecimalField(_("H100-equivalent weight"), max_digits=6, decimal_places=3, default=Decimal("1"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("GPU type")
        verbose_name_plural = _("GPU types")
        constraints = [models.CheckConstraint(condition=Q(h100_weight__gt=0), name="gpu_type_weight_positive")]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """A GPU lessor or operator, linked to its organisation in the registry (which may
    also be a team member: see services.allocations for the conflict rule)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "consortium.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="gpu_providers",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("GPU provider")
        verbose_name_plural = _("GPU providers")

    def __str__(self) -> str:
        return self.name


class Rate(models.Model):
    """KRW per GPU-hour of one type at one provider, from `effective_from` until the next
    rate of the same pair. A new rate never rewrites past charges: each charge stores its rate."""

    gpu_type = models.ForeignKey(GpuType, on_delete=models.PROTECT, related_name="rates")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="rates")
    effective_from = models.DateField(_("effective from"))
    krw_per_gpu_hour = models.BigIntegerField(_("KRW per GPU-hour"))

    class Meta:
        ordering = ["provider", "gpu_type", "effective_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rate card")
        constraints = [
            models.UniqueConstraint(fields=["gpu_type", "provider", "effective_from"], name="rate_once_per_day"),
            models.CheckConstraint(condition=Q(krw_per_gpu_hour__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.gpu_type} {self.effective_from}: {self.krw_per_gpu_hour}"
