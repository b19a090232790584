"""Governance API: objections (file, list, answer) and conflicts of interest (list, declare). Every
write is checked again by its service."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consortium.models import Team
from core.idempotency import idempotent
from core.permissions import Action, can
from governance import selectors
from governance.models import ConflictOfInterest
from governance.services import conflict_declare, objection_answer, objection_file
from stages.models import Criterion, Stage

from .serializers import (
    ConflictDeclareSerializer,
    ConflictSerializer,
    ObjectionAnswerSerializer,
    ObjectionFileSerializer,
    ObjectionSerializer,
)


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Objections to finalised stage results: a team lead files one, reviewers and admins answer."""

    read_action = Action.VIEW_REGISTRY  # rows are scoped by governance.selectors
    serializer_class = ObjectionSerializer

    @property
    def write_action(self):
        # Filing: any signed-in person reaches the service, which checks that they lead the team.
        return Action.ANSWER_OBJECTION if self.action == "answer" else Action.VIEW_REGISTRY

    def get_queryset(self):
        objections = selectors.objections_visible_qs(self.request.user)
        stage = self.request.query_params.get("stage")
        return objections.filter(stage__slug=stage) if stage else objections

    @extend_schema(parameters=[OpenApiParameter("stage", str, description="a stage's slug")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ObjectionFileSerializer, responses={201: ObjectionSerializer})
    @idempotent
    def create(self, request):
        """File an objection to a finalised stage result for a team you lead, within the window."""
        data = _validated(ObjectionFileSerializer, request.data)
        stage = get_object_or_404(Stage, slug=data["stage"])
        team = Team.objects.filter(slug=data["team"]).first()
        if team is None:
            raise ValidationError({"team": ["Unknown team."]})
        criterion = None
        if data["criterion"]:
            criterion = (
                Criterion.objects.select_related("part").filter(part__stage=stage, key=data["criterion"]).first()
            )
            if criterion is None:
                raise ValidationError({"criterion": ["Unknown criterion."]})
        objection = objection_file(
            actor=request.user, stage=stage, team=team, text=data["text"], task=data["task"], criterion=criterion
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionAnswerSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, pk=None):
        """Answer an open objection: upheld or rejected, with the answer text (reviewers and admins)."""
        data = _validated(ObjectionAnswerSerializer, request.data)
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(ObjectionSerializer(objection_answer(actor=request.user, objection=found, **data)).data)


class ConflictViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Declared conflicts of interest: a reviewer's own; every reviewer's for admins."""

    read_action = Action.DECLARE_CONFLICT
    write_action = Action.DECLARE_CONFLICT
    serializer_class = ConflictSerializer

    def get_queryset(self):
        conflicts = ConflictOfInterest.objects.select_related("reviewer", "team", "declared_by")
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks without a user
            return conflicts.none()
        if not can(self.request.user, Action.MANAGE_STAGES):
            conflicts = conflicts.filter(reviewer=self.request.user)
        return conflicts.order_by("reviewer__username", "team__name_en")

    @extend_schema(request=ConflictDeclareSerializer, responses={201: ConflictSerializer})
    @idempotent
    def create(self, request):
        """Declare a conflict with a team: yours, or (admins) a reviewer's. You may no longer score that team."""
        data = _validated(ConflictDeclareSerializer, request.data)
        team = Team.objects.filter(slug=data["team"]).first()
        if team is None:
            raise ValidationError({"team": ["Unknown team."]})
        reviewer = request.user
        if data["reviewer"]:
            reviewer = get_user_model().objects.filter(username=data["reviewer"]).first()
            if reviewer is None:
                raise ValidationError({"reviewer": ["Unknown reviewer."]})
        conflict = conflict_declare(actor=request.user, reviewer=reviewer, team=team, reason=data["reason"])
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)
