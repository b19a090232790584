"""Leaderboards over one suite version, frontier reference scores, and published snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.models import BilingualNamed


class RowRule(models.TextChoices):
    BEST = "best", _("Best run")
    LATEST = "latest", _("Latest run")
    NOMINATED = "nominated", _("Nominated checkpoint")


class Leaderboard(BilingualNamed):
    slug = models.SlugField(unique=True)
    suite_version = models.ForeignKey("evaluation.SuiteVersion", on_delete=models.PROTECT, related_name="leaderboards")
    rule = models.CharField(_("row rule"), max_length=16, choices=RowRule.choices, default=RowRule.BEST)
    # The stage whose nominations the "nominated" rule reads.
    stage = models.ForeignKey(
        "stages.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="leaderboards"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("leaderboard")
        verbose_name_plural = _("leaderboards")
        constraints = [
            models.CheckConstraint(condition=Q(rule__in=RowRule.values), name="leaderboard_rule_known"),
            models.CheckConstraint(
                condition=~Q(rule="nominated") | Q(stage__isnull=False), name="leaderboard_nominated_needs_stage"
            ),
        ]


class ReferenceModel(models.Model):
    """A frontier model's published scores (e.g. a team's declared target), entered by admins.
    Shown beside the teams, never ranked among them."""

    suite_version = models.ForeignKey("evaluation.SuiteVersion", on_delete=models.PROTECT, related_name="references")
    name = models.CharField(_("model name"), max_length=200)
    source = models.CharField(_("source of the scores"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reference model")
        verbose_name_plural = _("reference models")
        constraints = [models.UniqueConstraint(fields=["suite_version", "name"], name="reference_model_once")]

    def __str__(self) -> str:
        return self.name


class ReferenceScore(models.Model):
    reference = models.ForeignKey(ReferenceModel, on_delete=models.CASCADE, related_name="scores")
    task = models.CharField(max_length=200)
    value = models.FloatField()
    stderr = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["task"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "task"], name="reference_score_once"),
            models.CheckConstraint(
                condition=Q(stderr__isnull=True) | Q(stderr__gte=0), name="reference_stderr_non_negative"
            ),
        ]


class Snapshot(models.Model):
    """What the public and other teams see: the leaderboard's inputs frozen at publication.
    Immutable (a trigger on PostgreSQL); the table is recomputed from `inputs` by the same code."""

    leaderboard = models.ForeignKey(Leaderboard, on_delete=models.PROTECT, related_name="snapshots")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    inputs = models.JSONField()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("published snapshot")
        verbose_name_plural = _("published snapshots")

    def __str__(self) -> str:
        return f"{self.leaderboard.slug} @ {self.published_at:%Y-%m-%d %H:%M}"
