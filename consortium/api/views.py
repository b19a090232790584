"""Thin API views: permissions via core.permissions, reads via selectors,
writes via services (which validate and audit)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consortium import selectors, services
from consortium.models import Organisation, Team
from core.permissions import Action

from .filters import MembershipFilter, OrganisationFilter, TeamFilter
from .serializers import (
    MembershipSerializer,
    MembershipUpdateSerializer,
    OrganisationSerializer,
    TeamSerializer,
    TeamStatusSerializer,
    TeamUpdateSerializer,
)


class RegistryViewSet(viewsets.GenericViewSet):
    read_action = Action.VIEW_REGISTRY
    write_action = Action.MANAGE_REGISTRY
    lookup_field = "slug"

    def _validated(self, serializer_class, instance=None, partial=False):
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, instance, code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=code)


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name_en", "name_ko", "slug"]
    queryset = Organisation.objects.order_by("name_en")

    def create(self, request):
        data = self._validated(OrganisationSerializer)
        return self._respond(services.organisation_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationSerializer)
    def partial_update(self, request, slug=None):
        organisation = self.get_object()
        data = self._validated(OrganisationSerializer, organisation, partial=True)
        data.pop("slug", None)
        return self._respond(services.organisation_update(actor=request.user, organisation=organisation, **data))


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["joined_on", "slug"]
    queryset = Team.objects.select_related("programme", "lead_organisation").order_by("joined_on", "id")

    def create(self, request):
        data = self._validated(TeamSerializer)
        return self._respond(services.team_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=TeamUpdateSerializer)
    def partial_update(self, request, slug=None):
        team = self.get_object()
        data = self._validated(TeamUpdateSerializer, team, partial=True)
        return self._respond(services.team_update(actor=request.user, team=team, **data))

    @extend_schema(request=TeamStatusSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, slug=None):
        """Eliminate or withdraw a team, with the reason on record."""
        team = self.get_object()
        data = self._validated(TeamStatusSerializer)
        return self._respond(
            services.team_change_status(actor=request.user, team=team, to=data["status"], reason=data["reason"])
        )


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["joined_on", "left_on"]
    lookup_field = "pk"

    def get_queryset(self):
        return selectors.membership_list()

    def create(self, request):
        data = self._validated(MembershipSerializer)
        data["roles"] = data.pop("role_codes")
        return self._respond(services.membership_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=MembershipUpdateSerializer)
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        data = self._validated(MembershipUpdateSerializer, membership, partial=True)
        if "role_codes" in data:
            data["roles"] = data.pop("role_codes")
        membership = services.membership_update(actor=request.user, membership=membership, **data)
        return self._respond(selectors.membership_list().get(pk=membership.pk))

    def destroy(self, request, pk=None):
        services.membership_delete(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
