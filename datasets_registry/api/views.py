"""Thin API views: permissions via core.permissions, reads via selectors, writes via services."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.idempotency import idempotent
from core.permissions import Action, can

from .. import selectors, services
from ..models import Licence, Provider
from .serializers import (
    ComplianceSerializer,
    DatasetSerializer,
    DeclarationInputSerializer,
    EntitlementSerializer,
    LicenceSerializer,
    ProviderSerializer,
    PurchaseCreateSerializer,
    PurchaseSerializer,
    RevokeSerializer,
)


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue is public, like the programme register; the admin edits it."""

    read_action = Action.VIEW_REGISTRY
    lookup_field = "slug"


class ProviderViewSet(CatalogueViewSet):
    serializer_class = ProviderSerializer
    queryset = Provider.objects.order_by("name_ko")


class LicenceViewSet(CatalogueViewSet):
    serializer_class = LicenceSerializer
    queryset = Licence.objects.order_by("slug")


class DatasetViewSet(CatalogueViewSet):
    """Filters: `q` (search), `provider` (slug), `modality`, `training`, `open_weight_release`."""

    serializer_class = DatasetSerializer

    def get_queryset(self):
        p = self.request.query_params
        return selectors.dataset_catalogue(
            q=p.get("q", ""),
            provider=p.get("provider", ""),
            modality=p.get("modality", ""),
            training=p.get("training", ""),
            open_weight_release=p.get("open_weight_release", ""),
        )


class PurchaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members see purchases their team pays a share of; reviewers and admins all. Admins record them."""

    read_action = Action.VIEW_REGISTRY  # the queryset holds only what the user may see
    write_action = Action.MANAGE_REGISTRY
    serializer_class = PurchaseSerializer

    def get_queryset(self):
        return selectors.purchases_visible_to(self.request.user)

    @extend_schema(request=PurchaseCreateSerializer, responses=PurchaseSerializer)
    @idempotent
    def create(self, request):
        serializer = PurchaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["shares"] = [dict(s) for s in data["shares"]]
        purchase = services.purchase_create(actor=request.user, **data)
        return Response(
            PurchaseSerializer(selectors.purchase_detail(user=request.user, pk=purchase.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class EntitlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    read_action = Action.VIEW_REGISTRY  # the queryset holds only what the user may see
    write_action = Action.MANAGE_REGISTRY
    serializer_class = EntitlementSerializer

    def get_queryset(self):
        entitlements = selectors.entitlements_visible_to(self.request.user)
        team = self.request.query_params.get("team")
        return entitlements.filter(team__slug=team) if team else entitlements

    @extend_schema(request=RevokeSerializer, responses=EntitlementSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        entitlement = self.get_object()
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entitlement = services.entitlement_revoke(
            actor=request.user, entitlement=entitlement, **serializer.validated_data
        )
        return Response(EntitlementSerializer(entitlement).data)


def _declaration_data(checkpoint) -> dict:
    declaration = selectors.training_declaration_of(checkpoint=checkpoint)
    compliance = selectors.compliance_for_checkpoints([checkpoint.pk])[checkpoint.pk]
    return {
        "checkpoint": checkpoint.pk,
        "releases_openly": declaration.releases_openly if declaration else None,
        "items": [
            {"dataset": i.dataset.slug, "trained_from": i.trained_from, "trained_until": i.trained_until}
            for i in (declaration.items.all() if declaration else [])
        ],
        "compliance": ComplianceSerializer(
            {
                "status": compliance.status.value,
                "label": compliance.label,
                "reasons": [str(r) for r in compliance.reasons],
            }
        ).data,
    }


class TrainingDeclarationViewSet(viewsets.GenericViewSet):
    """GET /api/training-declarations/<checkpoint id>/: the declaration and its compliance.
    POST: set (replace) a checkpoint's declaration; its team or an admin."""

    read_action = Action.VIEW_REGISTRY  # then VIEW_TEAM_PRIVATE on the checkpoint's team
    write_action = Action.USE_EVALUATION
    serializer_class = DeclarationInputSerializer

    def _checkpoint(self, pk):
        from evaluation.models import Checkpoint

        checkpoint = Checkpoint.objects.select_related("team").filter(pk=pk).first()
        # Another team's checkpoint is "not found", as on /api/checkpoints/: its id tells nothing.
        if checkpoint is None or not can(self.request.user, Action.VIEW_TEAM_PRIVATE, checkpoint):
            raise Http404
        return checkpoint

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="checkpoint id")],
        request=None,
        responses=None,
    )
    def retrieve(self, request, pk=None):
        return Response(_declaration_data(self._checkpoint(pk)))

    def create(self, request):
        serializer = DeclarationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checkpoint = self._checkpoint(data["checkpoint"].pk)
        services.training_declaration_set(
            actor=request.user,
            checkpoint=checkpoint,
            releases_openly=data["releases_openly"],
            items=[dict(i) for i in data["items"]],
        )
        return Response(_declaration_data(checkpoint), status=status.HTTP_201_CREATED)
