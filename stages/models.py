"""A stage evaluation (the cut): teams in, rubric, nominations, expert and user scores, the result."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.models import BilingualNamed


class StageStatus(models.TextChoices):
    NOMINATING = "nominating", _("Taking nominations")
    SCORING = "scoring", _("Scoring")  # nominations frozen, official runs queued
    FINALISED = "finalised", _("Finalised")


class BenchmarkScoring(models.TextChoices):
    TARGET_RATIO = "target_ratio", _("Points × min(1, score ÷ target score)")
    NORMALISED = "normalised", _("Points × normalised score")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean")


class Stage(BilingualNamed):
    programme = models.ForeignKey("consortium.Programme", on_delete=models.PROTECT, related_name="stages")
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    advancing_count = models.PositiveSmallIntegerField(_("teams advancing"))
    suite_version = models.ForeignKey(
        "evaluation.SuiteVersion",
        on_delete=models.PROTECT,
        related_name="stages",
        verbose_name=_("official suite version"),
    )
    nomination_deadline = models.DateTimeField(_("nomination deadline"))
    status = models.CharField(max_length=16, choices=StageStatus.choices, default=StageStatus.NOMINATING)
    target_goal_percent = models.DecimalField(
        _("goal, in percent of the target model"), max_digits=5, decimal_places=1, default=95
    )
    benchmark_scoring = models.CharField(
        max_length=16, choices=BenchmarkScoring.choices, default=BenchmarkScoring.TARGET_RATIO
    )
    expert_aggregation = models.CharField(max_length=16, choices=Aggregation.choices, default=Aggregation.TRIMMED_MEAN)
    trim_fraction = models.DecimalField(
        _("trimmed at each end"), max_digits=3, decimal_places=2, default=Decimal("0.10")
    )
    tie_break = models.JSONField(_("tie-break order (rubric part keys)"), default=list)
    bootstrap_samples = models.PositiveIntegerField(default=1000)
    bootstrap_seed = models.PositiveIntegerField(default=20251230)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StageStatus.values), name="stage_status_known"),
            models.CheckConstraint(condition=Q(advancing_count__gte=1), name="stage_someone_advances"),
            models.CheckConstraint(
                condition=Q(trim_fraction__gte=0) & Q(trim_fraction__lt=0.5), name="stage_trim_fraction_range"
            ),
            models.CheckConstraint(
                condition=Q(benchmark_scoring__in=BenchmarkScoring.values), name="stage_benchmark_scoring_known"
            ),
            models.CheckConstraint(
                condition=Q(expert_aggregation__in=Aggregation.values), name="stage_aggregation_known"
            ),
        ]

    @property
    def is_finalised(self) -> bool:
        return self.status == StageStatus.FINALISED


class StageTeam(models.Model):
    """A team in the stage. An admin's originality exclusion overrides any score, with a reason."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entries")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="stage_entries")
    excluded_reason = models.TextField(_("reason for exclusion"), blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stage", "team__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "team"], name="stage_team_once"),
            models.CheckConstraint(
                condition=Q(excluded_at__isnull=True, excluded_reason="")
                | (Q(excluded_at__isnull=False) & ~Q(excluded_reason="")),
                name="stage_exclusion_has_reason",
            ),
        ]

    @property
    def is_excluded(self) -> bool:
        return self.excluded_at is not None


class PartKind(models.TextChoices):
    GROUP = "group", _("Group of parts")
    BENCHMARK = "benchmark", _("Benchmarks")
    EXPERT = "expert", _("Expert evaluation")
    USER = "user", _("User evaluation")


class RubricPart(BilingualNamed):
    """A node of the rubric tree: a group's points are its children's sum (checked by the service)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rubric")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    key = models.SlugField()
    kind = models.CharField(max_length=16, choices=PartKind.choices)
    category = models.CharField(max_length=20, blank=True)  # a suite task category, for benchmark parts
    points = models.DecimalField(max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="rubric_part_key_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="rubric_points_non_negative"),
            models.CheckConstraint(condition=Q(kind__in=PartKind.values), name="rubric_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind="benchmark") | ~Q(category=""), name="rubric_benchmark_has_category"
            ),
        ]


class Criterion(BilingualNamed):
    """What experts (or users) score, each from 0 to max_score."""

    part = models.ForeignKey(RubricPart, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField()
    max_score = models.DecimalField(max_digits=6, decimal_places=2, default=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["part", "position"]
        constraints = [
            models.UniqueConstraint(fields=["part", "key"], name="criterion_key_once"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted: official run requested")
    REJECTED = "rejected", _("Rejected")


class Nomination(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="nominations")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey("evaluation.Checkpoint", on_delete=models.PROTECT, related_name="nominations")
    manifest_digest = models.CharField(max_length=64)  # as nominated; re-checked when nominations freeze
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=NominationStatus.choices, default=NominationStatus.NOMINATED)
    rejection_reason = models.TextField(blank=True)
    official_run = models.ForeignKey(
        "evaluation.EvaluationRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When its verification was last sent to a worker (the freeze, or a re-send after a lost message).
    verification_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stage", "team__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "team"], name="one_nomination_per_team"),
            models.CheckConstraint(condition=Q(status__in=NominationStatus.values), name="nomination_status_known"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="nomination_rejection_has_reason"
            ),
        ]


class ExpertScore(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="expert_scores")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="expert_scores")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "team", "criterion"], name="expert_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="expert_score_non_negative"),
        ]


class ExpertSubmission(models.Model):
    """A reviewer's scores are final once submitted; only then do they see the others'."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="expert_submissions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "reviewer"], name="expert_submission_once")]


class UserScore(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="user_scores")
    evaluator = models.CharField(_("evaluator"), max_length=100)  # a pseudonymous code from the panel
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="user_scores")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "evaluator", "team", "criterion"], name="user_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="user_score_non_negative"),
        ]


class StageResult(models.Model):
    """The finalised cut: every input and the outcome, immutable (a trigger on PostgreSQL)."""

    stage = models.OneToOneField(Stage, on_delete=models.PROTECT, related_name="result")
    inputs = models.JSONField()
    inputs_digest = models.CharField(max_length=64)
    outcome = models.JSONField()
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField()


class GateStatus(models.TextChoices):
    OPEN = "open", _("Open: an admin must decide")
    CLEARED = "cleared", _("Cleared: the team may advance")
    EXCLUDED = "excluded", _("Excluded from advancing")


class OriginalityGateItem(models.Model):
    """A "derived" or "component reuse" verdict on a nominated checkpoint: an admin decides it, with
    a reason, before the stage can be finalised (stages/blockers.py). One item per verdict: a
    re-check that reaches another verdict opens a new one."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="gate_items")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="gate_items")
    report = models.ForeignKey("originality.OriginalityReport", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20)  # originality.models.Verdict, as it stood when opened
    status = models.CharField(max_length=16, choices=GateStatus.choices, default=GateStatus.OPEN)
    opened_at = models.DateTimeField()
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stage", "opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "report", "verdict"], name="gate_item_once_per_verdict"),
            models.CheckConstraint(condition=Q(status__in=GateStatus.values), name="gate_item_status_known"),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True, decided_by__isnull=True, reason="")
                | (~Q(status="open") & Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(reason="")),
                name="gate_item_decision_has_reason",
            ),
        ]
