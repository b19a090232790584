"""Originality API: reports are read by the checkpoint's team, reviewers and admins (keyed by
checkpoint id); references are listed and registered by programme admins."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.ids import IdFilter
from core.api.permissions import ActionPermission
from core.permissions import Action

from .. import selectors
from ..models import OriginalityReport, TensorMatch
from ..services import reference_register
from .serializers import (
    OriginalityReportDetailSerializer,
    OriginalityReportSerializer,
    ReferenceModelSerializer,
    ReferenceRegisterSerializer,
)


class ReportFilter(django_filters.FilterSet):
    # A plain number, not a choice list: the list of choices would name every team's checkpoints.
    checkpoint = IdFilter(field_name="checkpoint_id")

    class Meta:
        model = OriginalityReport
        fields = ["status", "verdict", "checkpoint"]


class OriginalityReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`/api/originality/<checkpoint id>/`: the verdict, its evidence and every tensor's best match."""

    permission_classes = [IsAuthenticated, ActionPermission]
    read_action = Action.VIEW_REGISTRY  # the list is scoped below; one report needs VIEW_TEAM_PRIVATE
    object_read_action = Action.VIEW_TEAM_PRIVATE
    lookup_field = "checkpoint_id"
    lookup_url_kwarg = "checkpoint"
    filterset_class = ReportFilter

    def get_queryset(self):
        reports = selectors.reports_visible_to(self.request.user).order_by("-checkpoint_id")
        if self.action == "retrieve":
            reports = reports.prefetch_related(
                Prefetch("matches", queryset=TensorMatch.objects.select_related("reference"))
            )
        return reports

    def get_serializer_class(self):
        return OriginalityReportDetailSerializer if self.action == "retrieve" else OriginalityReportSerializer


class ReferenceModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    read_action = Action.MANAGE_REGISTRY
    write_action = Action.MANAGE_REGISTRY
    serializer_class = ReferenceModelSerializer

    def get_queryset(self):
        return selectors.references_list()

    @extend_schema(request=ReferenceRegisterSerializer, responses={201: ReferenceModelSerializer})
    def create(self, request):
        """Fingerprint a local HF-format folder as a reference; every ready checkpoint is re-checked."""
        serializer = ReferenceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reference = reference_register(actor=request.user, **serializer.validated_data)
        return Response(ReferenceModelSerializer(reference).data, status=status.HTTP_201_CREATED)
