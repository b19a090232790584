"""Purchases and their cost shares. What is split is the amount paid, price + VAT
(`total_krw`); the shares of a purchase always add up to it to the won. The service
computes them (split.py) and PostgreSQL re-checks the sum at commit (migration 0002)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .catalogue import Dataset, Provider


class PurchaseKind(models.TextChoices):
    JOINT = "joint", _("Joint")
    INDIVIDUAL = "individual", _("Individual")


class Purchase(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PurchaseKind.choices)
    title = models.CharField(_("title"), max_length=300)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="purchases"
    )
    intermediary = models.ForeignKey(
        Provider,
        verbose_name=_("intermediary"),
        on_delete=models.PROTECT,
        related_name="brokered_purchases",
        null=True,
        blank=True,
    )
    datasets = models.ManyToManyField(Dataset, verbose_name=_("datasets"), related_name="purchases")
    contract_number = models.CharField(_("contract number"), max_length=100, unique=True)
    contract_date = models.DateField(_("contract date"))
    price_krw = models.BigIntegerField(_("price (KRW, excl. VAT)"))
    vat_krw = models.BigIntegerField(_("VAT (KRW)"))
    total_krw = models.BigIntegerField(_("total paid (KRW, incl. VAT)"))
    access_from = models.DateField(_("access from"))
    access_until = models.DateField(_("access until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contract_date", "-id"]
        verbose_name = _("data purchase")
        verbose_name_plural = _("data purchases")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PurchaseKind.values), name="purchase_kind_known"),
            models.CheckConstraint(
                condition=Q(price_krw__gte=0) & Q(vat_krw__gte=0), name="purchase_money_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_krw=F("price_krw") + F("vat_krw")), name="purchase_total_is_price_plus_vat"
            ),
            models.CheckConstraint(
                condition=Q(access_until__gte=F("access_from")), name="purchase_access_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_number} {self.title}"


class ShareBasis(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    FIXED = "fixed", _("Fixed amount")


class PurchaseShare(models.Model):
    """One payer's part of a purchase: a team or an organisation, never both."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="shares")
    team = models.ForeignKey(
        "consortium.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="data_purchase_shares"
    )
    organisation = models.ForeignKey(
        "consortium.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="data_purchase_shares"
    )
    basis = models.CharField(_("basis"), max_length=16, choices=ShareBasis.choices)
    percent = models.DecimalField(_("percent"), max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_krw = models.BigIntegerField(_("fixed amount (KRW)"), null=True, blank=True)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))

    class Meta:
        ordering = ["purchase", "id"]
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False, organisation__isnull=True)
                | Q(team__isnull=True, organisation__isnull=False),
                name="share_one_holder",
            ),
            models.CheckConstraint(condition=Q(amount_krw__gte=0), name="share_amount_non_negative"),
            models.CheckConstraint(
                condition=(
                    Q(basis=ShareBasis.PERCENT, percent__gt=0, percent__lte=100, fixed_krw__isnull=True)
                    | Q(basis=ShareBasis.FIXED, fixed_krw__gte=0, percent__isnull=True, amount_krw=F("fixed_krw"))
                ),
                name="share_basis_consistent",
            ),
            models.UniqueConstraint(fields=["purchase", "team"], name="share_team_once"),
            models.UniqueConstraint(fields=["purchase", "organisation"], name="share_organisation_once"),
        ]

    @property
    def holder(self):
        return self.team or self.organisation

    def __str__(self) -> str:
        return f"{self.holder}: {self.amount_krw}"
