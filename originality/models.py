"""Reference models (their fingerprints, never their weights), checkpoint fingerprints,
and one originality report per checkpoint with its per-tensor matches."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReferenceModel(models.Model):
    """An open-weight model registered so that checkpoints derived from it are found."""

    name = models.CharField(_("name"), max_length=200, unique=True)  # e.g. "Qwen2.5-7B"
    family = models.CharField(_("family"), max_length=100, blank=True)  # e.g. "Qwen"
    source_path = models.CharField(_("registered from"), max_length=1000)
    notes = models.TextField(_("notes"), blank=True)
    tensor_count = models.PositiveIntegerField(default=0)
    parameter_count = models.PositiveBigIntegerField(default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reference model")
        verbose_name_plural = _("reference models")

    def __str__(self) -> str:
        return self.name


class TensorFingerprint(models.Model):
    """One tensor of a reference or of a checkpoint: exact digest and sampled values."""

    reference = models.ForeignKey(
        ReferenceModel, null=True, blank=True, on_delete=models.CASCADE, related_name="tensors"
    )
    checkpoint = models.ForeignKey(
        "evaluation.Checkpoint", null=True, blank=True, on_delete=models.CASCADE, related_name="tensor_fingerprints"
    )
    name = models.CharField(max_length=500)
    shape = models.JSONField(default=list)
    dtype = models.CharField(max_length=16)
    digest = models.BinaryField(max_length=32)  # SHA-256 of the tensor's bytes
    rows = models.BinaryField()  # uint32 little-endian: sampled row indices
    values = models.BinaryField()  # float32 little-endian: sampled values, row-major
    version = models.PositiveSmallIntegerField(default=1)  # fingerprint.SIGNATURE_VERSION

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference__isnull=True) ^ Q(checkpoint__isnull=True), name="tensor_fingerprint_one_owner"
            ),
            models.UniqueConstraint(
                fields=["reference", "name"],
                condition=Q(reference__isnull=False),
                name="tensor_fingerprint_once_per_reference",
            ),
            models.UniqueConstraint(
                fields=["checkpoint", "name"],
                condition=Q(checkpoint__isnull=False),
                name="tensor_fingerprint_once_per_checkpoint",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Checking")
    DONE = "done", _("Checked")
    FAILED = "failed", _("Check failed")


class Verdict(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COMPONENT_REUSE = "component_reuse", _("Component reuse")
    DERIVED = "derived", _("Derived")


class OriginalityReport(models.Model):
    checkpoint = models.OneToOneField("evaluation.Checkpoint", on_delete=models.CASCADE, related_name="originality")
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    matched_share = models.FloatField(default=0)  # of the checkpoint's informative parameters
    max_similarity = models.FloatField(null=True, blank=True)
    best_reference = models.ForeignKey(
        ReferenceModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    components = models.JSONField(default=list, blank=True)  # [{reference, prefix, tensors, parameters, ...}]
    evidence = models.JSONField(default=dict, blank=True)  # thresholds, shares per reference, counts
    references_checked = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("originality report")
        verbose_name_plural = _("originality reports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="originality_status_known"),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values), name="originality_verdict_known"
            ),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(verdict=""), name="originality_done_has_verdict"),
            models.CheckConstraint(
                condition=Q(matched_share__gte=0) & Q(matched_share__lte=1), name="originality_share_ratio"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}: {self.verdict or self.status}"

    @property
    def team(self):
        """What core.permissions' team rules read (VIEW_TEAM_PRIVATE)."""
        return self.checkpoint.team

    @property
    def matched_tensors(self) -> list["TensorMatch"]:
        return [m for m in self.matches.all() if m.matched]


class TensorMatch(models.Model):
    """The best-matching reference tensor for one informative tensor of the checkpoint."""

    report = models.ForeignKey(OriginalityReport, on_delete=models.CASCADE, related_name="matches")
    tensor = models.CharField(max_length=500)
    shape = models.JSONField(default=list)
    parameter_count = models.PositiveBigIntegerField()
    reference = models.ForeignKey(ReferenceModel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reference_tensor = models.CharField(max_length=500, blank=True)
    similarity = models.FloatField(null=True, blank=True)
    exact = models.BooleanField(default=False)
    rows_compared = models.PositiveIntegerField(default=0)
    matched_parameters = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-matched_parameters", "tensor"]
        constraints = [models.UniqueConstraint(fields=["report", "tensor"], name="tensor_match_once")]

    def __str__(self) -> str:
        return self.tensor

    @property
    def matched(self) -> bool:
        return self.matched_parameters > 0
