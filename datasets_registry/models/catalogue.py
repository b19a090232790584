"""The catalogue: who sells data, on which licence terms, and what they sell."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.models import BilingualNamed


class ProviderKind(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public body")
    BROADCASTER = "broadcaster", _("Broadcaster")
    COMPANY = "company", _("Company")
    INTERMEDIARY = "intermediary", _("Intermediary")


class Provider(BilingualNamed):
    """A public body or company that supplies data, or an intermediary (NIA, K-Data) that brokers it."""

    slug = models.SlugField(unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProviderKind.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("data provider")
        verbose_name_plural = _("data providers")
        constraints = [models.CheckConstraint(condition=Q(kind__in=ProviderKind.values), name="provider_kind_known")]


class TermStatus(models.TextChoices):
    PERMITTED = "permitted", _("Permitted")
    PROHIBITED = "prohibited", _("Prohibited")
    CONDITIONAL = "conditional", _("Conditional")


class PostTermination(models.TextChoices):
    """What happens to a team's access when it leaves the programme (eliminated or withdrawn)."""

    RETAIN = "retain", _("Access continues until the entitlement ends")
    END_ACCESS = "end_access", _("Access ends when the team leaves the programme")


# The typed terms every licence states, in display order: field prefix → label.
LICENCE_TERMS = {
    "training": _("Model training"),
    "commercial_use": _("Commercial use"),
    "redistribution": _("Redistribution of the data"),
    "open_weight_release": _("Open-source release of derived model weights"),
    "attribution": _("Attribution"),
}


def _term(label):
    return models.CharField(label, max_length=16, choices=TermStatus.choices)


def _clause(label):
    return models.TextField(label, blank=True)


class Licence(BilingualNamed):
    """A licence's terms: each permitted, prohibited or conditional, with its clause text."""

    slug = models.SlugField(unique=True)
    training = _term(_("model training"))
    training_clause = _clause(_("model training clause"))
    commercial_use = _term(_("commercial use"))
    commercial_use_clause = _clause(_("commercial use clause"))
    redistribution = _term(_("redistribution"))
    redistribution_clause = _clause(_("redistribution clause"))
    open_weight_release = _term(_("open-weight release"))
    open_weight_release_clause = _clause(_("open-weight release clause"))
    attribution = _term(_("attribution"))
    attribution_clause = _clause(_("attribution clause"))
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    post_termination = models.CharField(_("access after termination"), max_length=16, choices=PostTermination.choices)
    post_termination_clause = _clause(_("access after termination clause"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            *[
                models.CheckConstraint(condition=Q(**{f"{term}__in": TermStatus.values}), name=f"licence_{term}_known")
                for term in LICENCE_TERMS
            ],
            models.CheckConstraint(
                condition=Q(post_termination__in=PostTermination.values), name="licence_post_termination_known"
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=models.F("term_starts_on")),
                name="licence_term_ends_after_start",
            ),
        ]

    def terms(self) -> list[dict]:
        """[{code, label, status, status_label, clause}] in display order, for pages and exports."""
        return [
            {
                "code": code,
                "label": label,
                "status": getattr(self, code),
                "status_label": TermStatus(getattr(self, code)).label,
                "clause": getattr(self, f"{code}_clause"),
            }
            for code, label in LICENCE_TERMS.items()
        ]


class Modality(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    TABULAR = "tabular", _("Tabular")


class Dataset(BilingualNamed):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="datasets"
    )
    licence = models.ForeignKey(Licence, verbose_name=_("licence"), on_delete=models.PROTECT, related_name="datasets")
    slug = models.SlugField(unique=True)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices)
    size_records = models.PositiveBigIntegerField(_("records"), null=True, blank=True)
    size_tokens = models.PositiveBigIntegerField(_("tokens"), null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("bytes"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [models.CheckConstraint(condition=Q(modality__in=Modality.values), name="dataset_modality_known")]
