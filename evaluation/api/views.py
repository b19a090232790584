"""Evaluation API: lists are scoped to what the caller may see; one object needs
VIEW_TEAM_PRIVATE on its team; writes are checked again by the services."""

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.ids import IdFilter
from core.idempotency import idempotent
from core.permissions import Action
from evaluation import selectors
from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkSnapshot, EvaluationRun, PrivateBenchmark
from evaluation.services.benchmark_data import import_folder_allowed, snapshot_import
from evaluation.services.checkpoints import checkpoint_submit
from evaluation.services.private_benchmarks import (
    private_benchmark_preview,
    private_benchmark_publish,
    private_benchmark_save,
)
from evaluation.services.runs import run_cancel, run_request

from .serializers import (
    BenchmarkImportSerializer,
    BenchmarkSnapshotSerializer,
    CheckpointSerializer,
    CheckpointSubmitSerializer,
    PrivateBenchmarkSerializer,
    PrivateBenchmarkWriteSerializer,
    RunDetailSerializer,
    RunRequestSerializer,
    RunSerializer,
    SuiteVersionSerializer,
)


def _page_number(value) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


class SuiteViewSet(viewsets.ViewSet):
    read_action = Action.VIEW_REGISTRY

    @extend_schema(responses=SuiteVersionSerializer(many=True))
    def list(self, request):
        """The current version of every benchmark suite, with its tasks."""
        return Response(SuiteVersionSerializer(selectors.suites_current(), many=True).data)


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    read_action = Action.VIEW_EVALUATION  # reviewers read as on the HTML pages (#18); rows are scoped by the selectors
    object_read_action = Action.VIEW_TEAM_PRIVATE
    write_action = Action.USE_EVALUATION

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class CheckpointViewSet(EvaluationViewSet):
    serializer_class = CheckpointSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.checkpoints_visible_to(self.request.user)

    @extend_schema(request=CheckpointSubmitSerializer, responses={201: CheckpointSerializer})
    @idempotent
    def create(self, request):
        """Submit a checkpoint of your team; validation starts at once (watch `status` and `progress`)."""
        checkpoint = checkpoint_submit(actor=request.user, **self._validated(CheckpointSubmitSerializer))
        return Response(CheckpointSerializer(checkpoint).data, status=status.HTTP_201_CREATED)


class RunFilter(django_filters.FilterSet):
    # A plain number, not a choice list: the list of choices would name every team's checkpoints.
    checkpoint = IdFilter(field_name="checkpoint_id")  # 1..10^18-1, else 400 (SQLite overflows past 2^63)

    class Meta:
        model = EvaluationRun
        fields = ["status", "checkpoint"]


class RunViewSet(EvaluationViewSet):
    filterset_class = RunFilter

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user).prefetch_related("task_results", "suite_version__tasks")

    def get_serializer_class(self):
        return RunDetailSerializer if self.action == "retrieve" else RunSerializer

    @extend_schema(request=RunRequestSerializer, responses={201: RunSerializer})
    @idempotent
    def create(self, request):
        """Evaluate a ready checkpoint on a suite's current version (admins may `force` a re-run; anyone who
        may submit may ask for a `preview_limit` preview)."""
        data = self._validated(RunRequestSerializer)
        checkpoint = selectors.checkpoints_visible_to(request.user).filter(pk=data["checkpoint"]).first()
        version = selectors.suite_version_current(slug=data["suite"])
        if checkpoint is None or version is None:
            raise ValidationError({"checkpoint" if checkpoint is None else "suite": ["Not found."]})
        run = run_request(
            actor=request.user,
            checkpoint=checkpoint,
            suite_version=version,
            force=data["force"],
            preview_limit=data["preview_limit"],
        )
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = run_cancel(actor=request.user, run=self.get_object())
        return Response(RunSerializer(run, context={"request": request}).data)

    @extend_schema(parameters=[OpenApiParameter("task", str), OpenApiParameter("page", int)], responses=dict)
    @action(detail=True, methods=["get"])
    def samples(self, request, pk=None):
        """The per-sample log of one task, 20 a page (hidden tasks only for reviewers and admins)."""
        run = self.get_object()
        tasks = selectors.sample_tasks_visible(user=request.user, run=run)
        task = request.query_params.get("task") or (tasks[0] if tasks else "")
        page = _page_number(request.query_params.get("page"))
        rows, total = selectors.run_samples(user=request.user, run=run, task=task, page=page)
        return Response({"task": task, "tasks": tasks, "page": page, "total": total, "samples": rows})


class BenchmarkDataViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Benchmark data snapshots the platform holds (programme admins)."""

    read_action = Action.MANAGE_REGISTRY
    write_action = Action.MANAGE_REGISTRY
    serializer_class = BenchmarkSnapshotSerializer
    queryset = BenchmarkSnapshot.objects.select_related("imported_by")

    @extend_schema(
        request=BenchmarkImportSerializer,
        responses={201: BenchmarkSnapshotSerializer, 200: BenchmarkSnapshotSerializer},
    )
    @idempotent
    def create(self, request):
        """Import a folder under BENCHMARK_IMPORT_ROOT as a snapshot; the same folder again answers 200
        with the snapshot already held."""
        data = BenchmarkImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            folder = import_folder_allowed(values.pop("folder"))
            snapshot, created = snapshot_import(
                actor=request.user, folder=folder, tasks=tuple(values.pop("tasks")), **values
            )
        except SnapshotError as exc:
            raise ValidationError({"folder": [str(exc)]}) from None
        return Response(
            BenchmarkSnapshotSerializer(snapshot).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PrivateBenchmarkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ministry's private benchmarks (benchmark authors only)."""

    read_action = Action.AUTHOR_BENCHMARK
    write_action = Action.AUTHOR_BENCHMARK
    serializer_class = PrivateBenchmarkSerializer
    queryset = PrivateBenchmark.objects.select_related("snapshot")
    lookup_field = "slug"

    @extend_schema(
        request={"multipart/form-data": PrivateBenchmarkWriteSerializer}, responses={201: PrivateBenchmarkSerializer}
    )
    @idempotent
    def create(self, request):
        """Create or change a benchmark; `items` (a file) replaces its items."""
        data = PrivateBenchmarkWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("items", None)
        benchmark = private_benchmark_save(
            actor=request.user, items_file=(upload.name, upload.read()) if upload else None, **values
        )
        return Response(PrivateBenchmarkSerializer(benchmark).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def preview(self, request, slug=None):
        """The first items rendered as the model is asked them, with their gold answers."""
        return Response({"items": private_benchmark_preview(actor=request.user, benchmark=self.get_object())})

    @extend_schema(request=None, responses={200: SuiteVersionSerializer})
    @idempotent
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        """Publish it as a hidden task of a new version of the nia-private suite."""
        version = private_benchmark_publish(actor=request.user, benchmark=self.get_object())
        return Response(SuiteVersionSerializer(version).data)
