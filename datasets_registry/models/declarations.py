"""What a checkpoint was trained on, as its team declares it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .catalogue import Dataset


class TrainingDeclaration(models.Model):
    checkpoint = models.OneToOneField(
        "evaluation.Checkpoint", on_delete=models.PROTECT, related_name="training_declaration"
    )
    releases_openly = models.BooleanField(_("weights will be released as open source"), default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training-data declaration")
        verbose_name_plural = _("training-data declarations")

    def __str__(self) -> str:
        return f"{self.checkpoint_id}"


class TrainingDataItem(models.Model):
    declaration = models.ForeignKey(TrainingDeclaration, on_delete=models.CASCADE, related_name="items")
    dataset = models.ForeignKey(Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="+")
    trained_from = models.DateField(_("trained from"))
    trained_until = models.DateField(_("trained until"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "dataset"], name="training_item_dataset_once"),
            models.CheckConstraint(
                condition=Q(trained_until__gte=F("trained_from")), name="training_item_dates_ordered"
            ),
        ]
