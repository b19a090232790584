"""Who may not score whom (conflicts of interest) and a team's objection to a finalised result."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConflictOfInterest(models.Model):
    """A declared conflict: the reviewer may not score the team, in any stage. Declared by the
    reviewer themself or recorded by an admin; kept for good (the audit log has who and when).
    Organisation memberships bar a reviewer too, without a row here (governance.selectors)."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts", verbose_name=_("reviewer")
    )
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("declared by")
    )

    class Meta:
        ordering = ["reviewer_id", "team_id"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "team"], name="conflict_once_per_team"),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ≠ {self.team}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("objection status", "Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    """A team lead's objection to a finalised stage result, and its one answer."""

    stage = models.ForeignKey(
        "stages.Stage", on_delete=models.PROTECT, related_name="objections", verbose_name=_("stage")
    )
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    text = models.TextField(_("objection"))
    task = models.CharField(_("task concerned"), max_length=200, blank=True)
    criterion = models.ForeignKey(
        "stages.Criterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion concerned"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"))
    status = models.CharField(_("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["stage_id", "filed_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ObjectionStatus.values), name="objection_status_known"),
            models.CheckConstraint(condition=~Q(text=""), name="objection_has_text"),
            # Open: no answer yet. Answered (upheld or rejected): an answer, who and when.
            models.CheckConstraint(
                condition=(
                    Q(status="open", answer="", answered_at__isnull=True, answered_by__isnull=True)
                    | (~Q(status="open") & ~Q(answer="") & Q(answered_at__isnull=False, answered_by__isnull=False))
                ),
                name="objection_answered_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.stage} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ObjectionStatus.OPEN
