from rest_framework import serializers

from consortium.models import Team
from evaluation import selectors
from evaluation.models import (
    BenchmarkSnapshot,
    Checkpoint,
    EvaluationRun,
    Precision,
    PrivateBenchmark,
    RunShard,
    SuiteTask,
    SuiteVersion,
    TaskResult,
)


class SuiteTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuiteTask
        fields = [
            "task",
            "n_shot",
            "metric",
            "higher_is_better",
            "category",
            "weight",
            "random_baseline",
            "hidden",
            "protocol",
            "data",
        ]


class SuiteVersionSerializer(serializers.ModelSerializer):
    suite = serializers.CharField(source="suite.slug")
    name_ko = serializers.CharField(source="suite.name_ko")
    name_en = serializers.CharField(source="suite.name_en")
    tasks = SuiteTaskSerializer(many=True)

    class Meta:
        model = SuiteVersion
        fields = ["suite", "number", "name_ko", "name_en", "digest", "missing_data", "protocol", "sandbox", "tasks"]


class CheckpointSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.slug")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None, allow_null=True)

    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "team",
            "name",
            "source",
            "precision",
            "precision_reason",
            "has_chat_template",
            "declared_target_model",
            "notes",
            "submitted_by",
            "submitted_at",
            "status",
            "rejection_reason",
            "progress",
            "architecture",
            "parameter_count",
            "dtypes",
            "size_bytes",
            "manifest_digest",
            "manifest",
            "validated_at",
            "requested_suites",
        ]


class CheckpointSubmitSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    name = serializers.CharField(max_length=200)
    source = serializers.CharField(
        max_length=500, help_text="A folder under CHECKPOINT_ROOT/<team-slug>/, or hf://org/name@<commit>"
    )
    precision = serializers.ChoiceField(
        choices=Precision.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Leave empty to evaluate in the precision of the weights (read from the safetensors headers)",
    )
    precision_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required when `precision` is set: why not the weights' own",
    )
    declared_target_model = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    suites = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="Suites to evaluate on once the checkpoint is ready",
    )


class TaskResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskResult
        fields = ["task", "metric", "value", "stderr", "n_samples", "normalised_score"]


class RunSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="checkpoint.team.slug")
    suite = serializers.CharField(source="suite_version.suite.slug")
    suite_version = serializers.IntegerField(source="suite_version.number")
    task_results = TaskResultSerializer(many=True)
    progress_percent = serializers.IntegerField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationRun
        fields = [
            "id",
            "checkpoint",
            "team",
            "suite",
            "suite_version",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "max_attempts",
            "worker_host",
            "heartbeat_at",
            "progress_done",
            "progress_total",
            "progress_percent",
            "current_task",
            "error",
            "forced",
            "reused_from",
            "reproduces",
            "reproduced_exactly",
            "preview",
            "protocol",
            "data",
            "backend",
            "device",
            "dtype",
            "batch_size",
            "seeds",
            "manifest_digest",
            "versions",
            "task_results",
        ]

    def get_error(self, run) -> str:
        return selectors.run_error_for(user=self.context["request"].user, run=run)


class RunShardSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunShard
        fields = [
            "position",
            "task",
            "pieces",
            "documents",
            "status",
            "attempts",
            "worker_host",
            "gpus",
            "started_at",
            "finished_at",
        ]


class RunDetailSerializer(RunSerializer):
    shards = RunShardSerializer(many=True, read_only=True)
    # A private benchmark's prompt template and log lines only for reviewers and admins.
    results = serializers.SerializerMethodField()
    log_tail = serializers.SerializerMethodField()
    # A coding suite's sandbox limits, as its version (and so this run) fixed them; null otherwise.
    sandbox = serializers.JSONField(source="suite_version.sandbox", read_only=True, allow_null=True)

    class Meta(RunSerializer.Meta):
        fields = RunSerializer.Meta.fields + ["gpu_seconds", "shards", "log_tail", "results", "sandbox"]

    def get_results(self, run) -> dict | None:
        return selectors.run_results_for(user=self.context["request"].user, run=run)

    def get_log_tail(self, run) -> str:
        return selectors.run_log_for(user=self.context["request"].user, run=run)


class RunRequestSerializer(serializers.Serializer):
    checkpoint = serializers.IntegerField()
    suite = serializers.SlugField()
    force = serializers.BooleanField(default=False)
    preview_limit = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=10_000,
        help_text="A preview: score only the first N items of each task (at most EVAL_PREVIEW_MAX_ITEMS). "
        "Labelled as a preview; never on a leaderboard, snapshot or stage",
    )


class BenchmarkSnapshotSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    imported_by = serializers.CharField(source="imported_by.username", default=None, read_only=True)

    class Meta:
        model = BenchmarkSnapshot
        fields = [
            "id",
            "key",
            "source",
            "config",
            "revision",
            "digest",
            "format",
            "splits",
            "columns",
            "files",
            "licence",
            "imported_by",
            "imported_at",
        ]


class BenchmarkImportSerializer(serializers.Serializer):
    folder = serializers.CharField(max_length=500, help_text="A folder under BENCHMARK_IMPORT_ROOT")
    source = serializers.CharField(max_length=200)
    config = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    revision = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    licence = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    tasks = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )


class PrivateBenchmarkSerializer(serializers.ModelSerializer):
    items = serializers.IntegerField(source="snapshot.rows", default=None, read_only=True)
    task = serializers.CharField(read_only=True)

    class Meta:
        model = PrivateBenchmark
        fields = [
            "slug",
            "name_ko",
            "name_en",
            "kind",
            "prompt_template",
            "answer_pattern",
            "task",
            "items",
            "published_at",
            "demo",
        ]


class PrivateBenchmarkWriteSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=["multiple_choice", "short_answer"])
    prompt_template = serializers.CharField(max_length=20000)
    answer_pattern = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    items = serializers.FileField(required=False, help_text="JSON Lines or CSV (multipart upload)")
