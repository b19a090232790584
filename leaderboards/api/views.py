"""Leaderboard API. Every table, export and chart goes through selectors.leaderboard_inputs_for."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.api.ids import IdFilter
from core.permissions import Action
from evaluation.models import SuiteVersion
from leaderboards import nominations, selectors
from leaderboards.caching import cached
from leaderboards.charts import figures
from leaderboards.exports import table_records
from leaderboards.models import Leaderboard, ReferenceModel, Snapshot
from leaderboards.options import ViewOptions, apply
from leaderboards.services import leaderboard_create, reference_model_save, snapshot_publish
from leaderboards.table import compute_table

from .serializers import (
    ChartsSerializer,
    FlagsSerializer,
    FrontierReferenceSerializer,
    FrontierReferenceWriteSerializer,
    LeaderboardCreateSerializer,
    LeaderboardSerializer,
    PublishSerializer,
    SnapshotSerializer,
    TableSerializer,
    ViewQuerySerializer,
)

VIEW_PARAMETERS = [
    OpenApiParameter("scale", str, enum=["normalised", "raw"]),
    OpenApiParameter("category", str),
    OpenApiParameter("team", str),
    OpenApiParameter("sort", str, description="rank | team | overall | category:<key> | task:<name>"),
    OpenApiParameter("order", str, enum=["asc", "desc"]),
]


def _check_view_query(request) -> None:
    ViewQuerySerializer(data=request.query_params).is_valid(raise_exception=True)


def _table_data(request, inputs, source, snapshot) -> dict:
    options = ViewOptions.from_query(request.query_params)
    table = compute_table(inputs, scale=options.scale)
    return {
        "source": source,
        "snapshot": snapshot.pk if snapshot else None,
        "published_at": snapshot.published_at if snapshot else None,
        "scale": table.scale,
        "rows": table_records(table, options),
    }


class LeaderboardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    read_action = Action.VIEW_REGISTRY  # the table itself is filtered by the visibility rule
    write_action = Action.PUBLISH_RESULTS  # publishing; creating needs MANAGE_STAGES (checked by the service)
    serializer_class = LeaderboardSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Leaderboard.objects.select_related("suite_version__suite").order_by("-created_at")

    def _leaderboard(self, slug):
        return get_object_or_404(self.get_queryset(), slug=slug)

    @extend_schema(request=LeaderboardCreateSerializer, responses={201: LeaderboardSerializer})
    def create(self, request):
        """Define a leaderboard over a suite version (admins)."""
        serializer = LeaderboardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        data["suite_version"] = get_object_or_404(SuiteVersion, pk=data["suite_version"])
        stage_slug = data.pop("stage")
        if stage_slug:
            data["stage_id"] = nominations.source().stage_id_by_slug(stage_slug)
            if data["stage_id"] is None:
                raise NotFound()
        leaderboard = leaderboard_create(actor=request.user, **data)
        return Response(LeaderboardSerializer(leaderboard).data, status=status.HTTP_201_CREATED)

    def _viewed(self, slug):
        leaderboard = selectors.leaderboard_for_viewer(slug, self.request.user)
        if leaderboard is None:
            raise NotFound()
        return leaderboard

    @extend_schema(parameters=VIEW_PARAMETERS, responses=TableSerializer)
    def retrieve(self, request, slug=None):
        """The table this caller may see: live for reviewers and admins, else the latest published
        snapshot (with the caller's own team live)."""
        _check_view_query(request)
        leaderboard = self._viewed(slug)

        def build():
            return _table_data(request, *selectors.leaderboard_inputs_for(request.user, leaderboard))

        return Response(cached("api-table", leaderboard, request.query_params, build))

    @extend_schema(parameters=VIEW_PARAMETERS, responses=ChartsSerializer)
    @action(detail=True, methods=["get"])
    def charts(self, request, slug=None):
        """The Plotly figures of the page: overall bars with error bars, radar by category, best over time."""
        _check_view_query(request)
        leaderboard = self._viewed(slug)

        def build():
            inputs, _source, _snapshot = selectors.leaderboard_inputs_for(request.user, leaderboard)
            options = ViewOptions.from_query(request.query_params)
            table = compute_table(inputs, scale=options.scale)
            return figures(apply(table, options), table)

        return Response(cached("api-charts", leaderboard, request.query_params, build))

    @extend_schema(responses=FlagsSerializer)
    @action(detail=True, methods=["get"])
    def flags(self, request, slug=None):
        """Training-data compliance and originality of each row's checkpoint, keyed by checkpoint id:
        only for the rows whose team's private records the caller may see."""
        inputs, _source, _snapshot = selectors.leaderboard_inputs_for(request.user, self._viewed(slug))
        return Response(selectors.row_flags(request.user, inputs))

    @extend_schema(request=PublishSerializer, responses={200: SnapshotSerializer(many=True), 201: SnapshotSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # a plain list (and its schema says so)
    def snapshots(self, request, slug=None):
        """Published snapshots with their dates (GET); publish a new one (POST, admins)."""
        leaderboard = self._leaderboard(slug)
        if request.method in SAFE_METHODS:  # GET and HEAD (HEAD took the POST path: a 400, or a write)
            return Response(SnapshotSerializer(selectors.snapshots_of(leaderboard), many=True).data)
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        published = snapshot_publish(actor=request.user, leaderboard=leaderboard, **serializer.validated_data)
        return Response(SnapshotSerializer(published).data, status=status.HTTP_201_CREATED)


class SnapshotViewSet(viewsets.GenericViewSet):
    read_action = Action.VIEW_REGISTRY  # published: public
    serializer_class = SnapshotSerializer

    def get_queryset(self):
        return Snapshot.objects.select_related("leaderboard", "published_by")

    @extend_schema(parameters=VIEW_PARAMETERS, responses=TableSerializer)
    def retrieve(self, request, pk=None):
        """A published snapshot's table, exactly as published."""
        _check_view_query(request)
        snapshot = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(_table_data(request, snapshot.inputs, selectors.Source.SNAPSHOT, snapshot))


class ReferenceModelFilter(django_filters.FilterSet):
    # An id, not a choice list: an unknown suite version lists nothing (it was a 400 for a valid integer).
    suite_version = IdFilter(field_name="suite_version_id")

    class Meta:
        model = ReferenceModel
        fields = ["suite_version"]


class ReferenceModelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    read_action = Action.VIEW_REGISTRY
    write_action = Action.MANAGE_STAGES
    serializer_class = FrontierReferenceSerializer
    filterset_class = ReferenceModelFilter

    def get_queryset(self):
        return ReferenceModel.objects.prefetch_related("scores").order_by("suite_version", "name")

    @extend_schema(request=FrontierReferenceWriteSerializer, responses={201: FrontierReferenceSerializer})
    def create(self, request):
        """Enter (or replace) a frontier model's scores on a suite version."""
        serializer = FrontierReferenceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        suite_version = get_object_or_404(SuiteVersion, pk=data.pop("suite_version"))
        reference = reference_model_save(actor=request.user, suite_version=suite_version, **data)
        return Response(FrontierReferenceSerializer(reference).data, status=status.HTTP_201_CREATED)
