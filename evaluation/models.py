"""Benchmark suites, submitted checkpoints and evaluation runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation import protocol


class TaskCategory(models.TextChoices):
    NIA = "nia", _("NIA benchmark")
    GLOBAL_COMMON = "global_common", _("Global common")
    TEAM_CHOSEN = "team_chosen", _("Team-chosen")
    OTHER = "other", _("Other")


class Suite(models.Model):
    slug = models.SlugField(unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The version new runs use (suite_version_activate): the latest loaded, unless an admin chose
    # another (e.g. back to an earlier one). Null: the latest.
    active_version = models.ForeignKey(
        "SuiteVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("active version"),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("benchmark suite")
        verbose_name_plural = _("benchmark suites")

    def __str__(self) -> str:
        return self.slug


class SuiteVersion(models.Model):
    """One immutable version of a suite once a run has used it (editing makes a new version)."""

    suite = models.ForeignKey(Suite, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    digest = models.CharField(_("definition digest"), max_length=64)
    task_dirs = models.JSONField(_("task folders"), default=list)
    # Datasets its tasks read that had no imported snapshot when it was loaded: it cannot run.
    missing_data = models.JSONField(_("benchmark data not imported"), default=list, blank=True)
    protocol = models.JSONField(_("protocol"), default=dict, blank=True)  # the suite's block as written
    # A coding suite's sandbox limits (evaluation/sandbox/limits.py), part of the digest: every run
    # of this version ran its model's code under them. Null: the suite runs no model-written code.
    sandbox = models.JSONField(_("sandbox limits"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["suite__slug", "-number"]
        constraints = [models.UniqueConstraint(fields=["suite", "number"], name="suite_version_once")]

    def __str__(self) -> str:
        return f"{self.suite.slug} v{self.number}"

    @property
    def needs_chat_template(self) -> bool:
        return any(protocol.needs_chat_template(t.protocol) for t in self.tasks.all())


class SuiteTask(models.Model):
    suite_version = models.ForeignKey(SuiteVersion, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField()
    task = models.CharField(_("harness task"), max_length=200)
    n_shot = models.PositiveSmallIntegerField(default=0)
    metric = models.CharField(_("metric key"), max_length=100)
    higher_is_better = models.BooleanField(default=True)
    category = models.CharField(max_length=20, choices=TaskCategory.choices)
    weight = models.DecimalField(max_digits=8, decimal_places=3, default=1)
    random_baseline = models.FloatField(_("random baseline"))
    hidden = models.BooleanField(_("hidden samples"), default=False)  # teams never see its per-sample log
    # The whole effective protocol (evaluation/protocol.py): chat template, system instruction,
    # thinking, generation settings. Part of the suite digest, copied onto every run.
    protocol = models.JSONField(_("protocol"), default=dict, blank=True)
    # The benchmark data snapshot of each dataset each subtask reads: {subtask: {dataset: digest}},
    # pinned when the suite was loaded (part of the digest), copied onto every run.
    data = models.JSONField(_("pinned data"), default=dict, blank=True)
    # A task the harness does not ship (a private benchmark): its whole harness config, inline.
    definition = models.JSONField(_("task definition"), null=True, blank=True)

    class Meta:
        ordering = ["suite_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["suite_version", "task"], name="suite_task_once"),
            models.CheckConstraint(condition=Q(category__in=TaskCategory.values), name="suite_task_category_known"),
            models.CheckConstraint(
                condition=Q(random_baseline__gte=0) & Q(random_baseline__lt=1), name="suite_task_baseline_range"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="suite_task_weight_non_negative"),
        ]

    def __str__(self) -> str:
        return self.task


class CheckpointStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VALIDATING = "validating", _("Validating")
    READY = "ready", _("Ready")
    REJECTED = "rejected", _("Rejected")


class Precision(models.TextChoices):
    FLOAT32 = "float32", "float32"
    BFLOAT16 = "bfloat16", "bfloat16"
    FLOAT16 = "float16", "float16"


class Checkpoint(models.Model):
    team = models.ForeignKey("consortium.Team", on_delete=models.PROTECT, related_name="checkpoints")
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=500)
    # From the safetensors headers when validated, unless the submitter overrode it with a reason.
    precision = models.CharField(_("precision"), max_length=16, choices=Precision.choices, default=Precision.FLOAT32)
    precision_reason = models.TextField(_("reason for overriding the precision"), blank=True)
    has_chat_template = models.BooleanField(_("tokenizer has a chat template"), default=False)
    declared_target_model = models.CharField(_("declared target frontier model"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=CheckpointStatus.choices, default=CheckpointStatus.RECEIVED)
    rejection_reason = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of bytes hashed while validating
    resolved_path = models.CharField(max_length=1000, blank=True)
    architecture = models.CharField(max_length=200, blank=True)
    parameter_count = models.PositiveBigIntegerField(null=True, blank=True)
    dtypes = models.JSONField(default=dict, blank=True)  # dtype -> parameter count
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    manifest = models.JSONField(default=list, blank=True)  # [{path, size, sha256}]
    manifest_digest = models.CharField(max_length=64, blank=True, db_index=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validation_heartbeat_at = models.DateTimeField(null=True, blank=True)  # last sign of life while validating
    requested_suites = models.JSONField(default=list, blank=True)  # suite slugs to run once ready

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CheckpointStatus.values), name="checkpoint_status_known"),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(manifest_digest=""), name="checkpoint_ready_has_manifest"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="checkpoint_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.team.slug}/{self.name}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


TERMINAL_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Backend(models.TextChoices):
    HF = "hf", "hf (transformers)"
    VLLM = "vllm", "vllm"


class EvaluationRun(models.Model):
    """One checkpoint evaluated on one suite version. Every input that affects a score is stored."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="runs")
    suite_version = models.ForeignKey(SuiteVersion, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    forced = models.BooleanField(default=False)
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counts_against_quota = models.BooleanField(default=True)
    queue = models.CharField(max_length=32, default="eval-cpu")
    # Execution: planning and merging are attempts that hold the run's claim token (only they may
    # write the run); in between, each shard attempt holds its own (RunShard).
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    claim_token = models.UUIDField(null=True, blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    time_limit_s = models.PositiveIntegerField(default=3600)
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    current_task = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    log_tail = models.TextField(blank=True)
    # Inputs and environment of the score.
    backend = models.CharField(max_length=16, choices=Backend.choices, default=Backend.HF)
    device = models.CharField(max_length=32, default="cpu")
    dtype = models.CharField(max_length=16, default="float32")
    batch_size = models.PositiveSmallIntegerField(default=1)
    seeds = models.JSONField(default=dict, blank=True)
    manifest_digest = models.CharField(max_length=64, blank=True)
    # {task: effective protocol} as evaluated (the suite's, with a preview's limit).
    protocol = models.JSONField(default=dict, blank=True)
    # Scored on part of the items: shown as a preview, never on a leaderboard, snapshot or stage.
    preview = models.BooleanField(default=False)
    # {task: {subtask: {dataset: snapshot digest}}}: the data every score came from.
    data = models.JSONField(default=dict, blank=True)
    versions = models.JSONField(default=dict, blank=True)  # lm_eval, transformers, torch, python
    results = models.JSONField(null=True, blank=True)  # the harness's results, configs, versions, n-shot…
    samples_file = models.CharField(max_length=500, blank=True)
    # Suite-weighted mean normalised score, kept so a leaderboard picks each team's best run and
    # draws its history without reading task results.
    overall_score = models.FloatField(null=True, blank=True)
    # For a forced re-run: the earlier run it repeats and whether every score came out identical.
    reproduces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reproduced_exactly = models.BooleanField(null=True, blank=True)
    # GPU-seconds its shards' evaluation processes used (each shard's wall time × its GPUs):
    # what the team is charged. Lost shard attempts, waiting, copying and hashing are not in it.
    gpu_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="run_status_known"),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(results__isnull=False), name="run_succeeded_has_results"
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")), name="run_progress_within_total"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["suite_version", "status", "overall_score"]),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.checkpoint} × {self.suite_version})"

    @property
    def team(self):
        """The team the run belongs to (what team-scoped permissions ask about)."""
        return self.checkpoint.team

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_RUN_STATUSES

    @property
    def progress_percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class TaskResult(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="task_results")
    task = models.CharField(max_length=200)
    metric = models.CharField(max_length=100)
    value = models.FloatField()
    stderr = models.FloatField(null=True, blank=True)
    n_samples = models.PositiveIntegerField(null=True, blank=True)
    normalised_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "task", "metric"], name="task_result_once")]

    def __str__(self) -> str:
        return f"{self.task} {self.metric}={self.value}"


class ShardStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunShard(models.Model):
    """One piece of a run that any free worker on the run's queue executes: documents of one
    suite task (whole subtasks, or a range of one subtask's documents). Its per-sample metrics
    are kept when it finishes, so a lost worker costs only its unfinished shard, and the run's
    results are aggregated from all of them as the harness would (evaluation/sharding.py)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="shards")
    position = models.PositiveSmallIntegerField()
    task = models.CharField(max_length=200)  # the suite task
    # [{"subtask": leaf task, "start": first document, "end": past the last}] (start/end null: all)
    pieces = models.JSONField(default=list)
    documents = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ShardStatus.choices, default=ShardStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    process_id = models.PositiveIntegerField(null=True, blank=True)  # the evaluation process, while it runs
    gpus = models.PositiveSmallIntegerField(default=0)  # GPUs the attempt holds (0 on CPU)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the attempt's evaluation process
    finished_at = models.DateTimeField(null=True, blank=True)
    # {subtask: {"metric,filter": [per-document values, in document order]}} and what the harness
    # reported besides metrics (configs, versions, n-shot…), for the merge.
    raw_metrics = models.JSONField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    samples_artefact = models.CharField(max_length=300, blank=True)
    log_artefact = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_shard_once"),
            models.CheckConstraint(condition=Q(status__in=ShardStatus.values), name="run_shard_status_known"),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(raw_metrics__isnull=False), name="run_shard_succeeded_has_metrics"
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"run {self.run_id} shard {self.position} ({self.task})"


class Artefact(models.Model):
    """A file every host can read: per-sample logs and harness logs of run shards. The default
    artefact store (evaluation/artefacts.py); a deployment with object storage uses S3 instead."""

    name = models.CharField(max_length=300, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class BenchmarkSnapshot(models.Model):
    """A dataset's files as the platform holds them (under BENCHMARK_DATA_ROOT/<digest>/, read-only
    for workers), imported by an admin from a local folder. Runs read only pinned snapshots."""

    source = models.CharField(_("source"), max_length=200)  # the hub name the harness's tasks use
    config = models.CharField(_("config"), max_length=200, blank=True)
    revision = models.CharField(_("upstream revision"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=16)
    splits = models.JSONField(default=dict)  # {split: rows}
    columns = models.JSONField(default=dict)  # {split: [column]}
    files = models.JSONField(default=list)  # [{split, path, size, sha256}]
    licence = models.TextField(_("licence note"), blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "config", "-imported_at"]
        verbose_name = _("benchmark data snapshot")
        verbose_name_plural = _("benchmark data snapshots")

    def __str__(self) -> str:
        return f"{self.key} @ {self.digest[:12]}"

    @property
    def key(self) -> str:
        return f"{self.source}:{self.config}" if self.config else self.source

    @property
    def rows(self) -> int:
        return sum(self.splits.values())


class BenchmarkKind(models.TextChoices):
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    SHORT_ANSWER = "short_answer", _("Short answer")


class PrivateBenchmark(models.Model):
    """A benchmark the ministry writes without a developer. Its items are a benchmark data
    snapshot (never in the repository); published, it is a hidden task of the `nia-private`
    suite: teams see its aggregate score only."""

    slug = models.SlugField(unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=BenchmarkKind.choices)
    prompt_template = models.TextField(_("prompt template"))
    answer_pattern = models.CharField(_("answer extraction (regular expression)"), max_length=200, blank=True)
    snapshot = models.ForeignKey(BenchmarkSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    demo = models.BooleanField(default=False)  # seeded by `make run`: labelled as demo data

    class Meta:
        ordering = ["slug"]
        verbose_name = _("private benchmark")
        verbose_name_plural = _("private benchmarks")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BenchmarkKind.values), name="private_benchmark_kind_known"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(snapshot__isnull=False),
                name="private_benchmark_published_has_items",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def task(self) -> str:
        return f"nia_private_{self.slug.replace('-', '_')}"

    @property
    def source(self) -> str:
        return f"nia-private/{self.slug}"


class RunSample(models.Model):
    """One logged sample of a run, held so that the sample browser, the export and the stage's
    item scores never decompress a per-sample log (evaluation/sample_index.py fills it when a
    shard's log is stored). A sample is logged once per filter; `value` and `correct` are set
    only on the rows of the suite metric's own filter (the task's items)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="samples")
    shard = models.ForeignKey(RunShard, on_delete=models.CASCADE, null=True, blank=True, related_name="samples")
    # The order of the run's per-sample log: shard position × 10⁹ + the line in the shard's log.
    position = models.BigIntegerField()
    task = models.CharField(max_length=200)  # the suite task
    subtask = models.CharField(max_length=200, blank=True)  # the harness's leaf task
    doc_id = models.IntegerField(null=True, blank=True)
    filter = models.CharField(max_length=100, default="none")
    value = models.FloatField(null=True, blank=True)  # the suite metric's per-sample value
    correct = models.BooleanField(null=True, blank=True)  # that value at its best (1 or 0, as the metric goes)
    # What search reads (a trigram index on UPPER(search_text), the expression Django's icontains
    # compares, on PostgreSQL): the end of the prompt (the question; few-shot examples come first and
    # repeat on every item), the expected answer and the model's answer and output.
    search_text = models.TextField(blank=True)
    sample = models.JSONField()  # the harness's whole logged sample, for display and export

    class Meta:
        ordering = ["run_id", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="run_sample_once")]
        indexes = [
            models.Index(fields=["run", "task", "position"], name="run_sample_page"),
            models.Index(fields=["run", "task", "subtask", "position"], name="run_sample_subtask_page"),
            models.Index(fields=["run", "task", "correct", "position"], name="run_sample_outcome_page"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.task} #{self.doc_id} ({self.filter})"
