"""The user evaluation inside the platform: prompt sets, the teams' answers, blind pairwise
judgments by panel members, and the fitted result that fills a stage's user part."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from consortium.models import BilingualNamed


class PromptCategory(models.TextChoices):
    DAILY_LIFE = "daily_life", _("Daily life")
    PUBLIC_SERVICE = "public_service", _("Public service")
    LAW = "law", _("Law")
    CULTURE = "culture", _("Culture")
    CODING = "coding", _("Coding")


class PromptSet(models.Model):
    """A versioned, immutable snapshot of prompts; `digest` is SHA-256 of its canonical JSON."""

    slug = models.SlugField()
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        verbose_name = _("prompt set")
        verbose_name_plural = _("prompt sets")
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="prompt_set_version_once")]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"


class Prompt(models.Model):
    prompt_set = models.ForeignKey(PromptSet, on_delete=models.CASCADE, related_name="prompts")
    key = models.CharField(max_length=64)
    category = models.CharField(_("category"), max_length=20, choices=PromptCategory.choices)
    text = models.TextField(_("prompt"))

    class Meta:
        ordering = ["prompt_set", "key"]
        constraints = [
            models.UniqueConstraint(fields=["prompt_set", "key"], name="prompt_key_once"),
            models.CheckConstraint(condition=Q(category__in=PromptCategory.values), name="prompt_category_known"),
            models.CheckConstraint(condition=~Q(text=""), name="prompt_text_not_blank"),
        ]


class CampaignStatus(models.TextChoices):
    GENERATING = "generating", _("Generating answers")
    JUDGING = "judging", _("Judging")
    CLOSED = "closed", _("Closed")


class Mapping(models.TextChoices):
    """How the fitted result becomes the stage's user part (points = part points × fraction)."""

    EXPECTED_SCORE = "expected_score", _("Expected score against the other teams")
    RELATIVE_TO_BEST = "relative_to_best", _("Expected score relative to the best team")


class Campaign(BilingualNamed):
    stage = models.ForeignKey("stages.Stage", on_delete=models.PROTECT, related_name="arena_campaigns")
    part = models.ForeignKey(
        "stages.RubricPart",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user-evaluation part of the rubric"),
    )
    prompt_set = models.ForeignKey(PromptSet, on_delete=models.PROTECT, related_name="campaigns")
    slug = models.SlugField(unique=True)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.GENERATING)
    default_quota = models.PositiveIntegerField(_("judgments per panel member"), default=50)
    mapping = models.CharField(max_length=20, choices=Mapping.choices, default=Mapping.EXPECTED_SCORE)
    generation = models.JSONField(_("generation settings"), default=dict)  # the protocol every answer used
    # Integrity flags (configurable; an admin decides what to do about a flag).
    min_seconds = models.PositiveIntegerField(_("faster than this (seconds) is flagged"), default=8)
    same_side_share = models.DecimalField(
        _("same side at least this share is flagged"), max_digits=3, decimal_places=2, default=Decimal("0.90")
    )
    disagreement_share = models.DecimalField(
        _("disagreeing with the others at least this share is flagged"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.70"),
    )
    flag_minimum = models.PositiveIntegerField(_("judgments before a panel member can be flagged"), default=10)
    bootstrap_rounds = models.PositiveIntegerField(default=1000)
    bootstrap_seed = models.PositiveIntegerField(default=20251230)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("judging campaign")
        verbose_name_plural = _("judging campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values), name="campaign_status_known"),
            models.CheckConstraint(condition=Q(mapping__in=Mapping.values), name="campaign_mapping_known"),
            models.CheckConstraint(
                condition=Q(same_side_share__gt=0.5) & Q(same_side_share__lte=1), name="campaign_same_side_share_range"
            ),
            models.CheckConstraint(
                condition=Q(disagreement_share__gt=0) & Q(disagreement_share__lte=1),
                name="campaign_disagreement_share_range",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="campaign_closed_has_time",
            ),
        ]

    @property
    def is_closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED


class CampaignEntry(models.Model):
    """A team in the campaign, with the checkpoint whose answers are judged (its nomination)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey("evaluation.Checkpoint", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "team_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "team"], name="campaign_team_once")]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class GenerationJob(models.Model):
    """One checkpoint answering every prompt of the campaign's set, on an evaluation worker."""

    entry = models.ForeignKey(CampaignEntry, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    queue = models.CharField(max_length=20)
    settings = models.JSONField(default=dict)  # protocol, seeds, backend, dtype, device; versions once done
    answers_digest = models.CharField(max_length=64, blank=True)  # SHA-256 of the stored answers
    error = models.TextField(blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # its message last sent to a worker
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="generation_status_known"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="generation_failure_has_reason"),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status__in=["queued", "running"]), name="generation_one_in_flight"
            ),
        ]


class Answer(models.Model):
    entry = models.ForeignKey(CampaignEntry, on_delete=models.CASCADE, related_name="answers")
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="answers")
    job = models.ForeignKey(GenerationJob, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "prompt"], name="answer_once_per_prompt")]


class PanelMember(models.Model):
    """A panel member invited to one campaign, with their quota; an admin may exclude them (with a
    reason), which removes their judgments from the result."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    code = models.CharField(max_length=16)  # pseudonym shown in results and flags ("P07")
    quota = models.PositiveIntegerField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    excluded_reason = models.TextField(blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="panel_member_once"),
            models.UniqueConstraint(fields=["campaign", "code"], name="panel_code_once"),
            models.CheckConstraint(
                condition=Q(excluded_at__isnull=True, excluded_reason="")
                | (Q(excluded_at__isnull=False) & ~Q(excluded_reason="")),
                name="panel_exclusion_has_reason",
            ),
        ]

    @property
    def is_excluded(self) -> bool:
        return self.excluded_at is not None


class Verdict(models.TextChoices):
    LEFT = "left", _("A is better")
    RIGHT = "right", _("B is better")
    TIE = "tie", _("Tie")
    BOTH_BAD = "both_bad", _("Both are bad")


class Judgment(models.Model):
    """One pair shown to one panel member: assigned first (verdict empty), then judged once.
    `left` is answer A on the screen, `right` answer B; the teams are stored for the fit and
    never shown to the panel member before the campaign closes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="judgments")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="judgments")
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=PromptCategory.choices)
    left = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="+")
    left_team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    right_team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    comment = models.TextField(blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)  # from the pair being shown to the verdict

    class Meta:
        ordering = ["campaign", "assigned_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(left_team=F("right_team")), name="judgment_two_teams"),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values), name="judgment_verdict_known"
            ),
            models.CheckConstraint(
                condition=Q(verdict="", judged_at__isnull=True, seconds__isnull=True)
                | (~Q(verdict="") & Q(judged_at__isnull=False) & Q(seconds__gte=0)),
                name="judgment_judged_consistently",
            ),
            models.UniqueConstraint(fields=["member"], condition=Q(verdict=""), name="judgment_one_open_per_member"),
            models.UniqueConstraint(
                fields=["member", "prompt", "left_team", "right_team"], name="judgment_pair_once_per_member"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "verdict"], name="judgment_campaign_verdict")]


class CampaignResult(models.Model):
    """The fitted result as last computed (JSON), keyed by the digest of the judgments it used:
    the result page and API read it, never fit on a request."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result")
    judgments_digest = models.CharField(max_length=64)
    data = models.JSONField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField()  # how long the fit took
