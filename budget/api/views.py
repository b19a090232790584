"""Budget API: reads are scoped like the pages (VIEW_TEAM_PRIVATE's rule); writes go
through the services, which check the permission again and answer bad input with 400."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from budget import selectors
from budget.models import Allocation, Rate, UsageImport
from budget.services.allocations import (
    allocation_grant,
    allocation_release_unspent,
    allocation_return,
    allocation_split,
)
from budget.services.imports import usage_import_create
from budget.services.requests import (
    reallocation_request_approve,
    reallocation_request_create,
    reallocation_request_refuse,
)
from budget.services.usage import usage_report
from core.idempotency import idempotent
from core.permissions import Action, can

from . import serializers as s


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SummaryViewSet(viewsets.ViewSet):
    """Envelope, allocated, used and remaining per team and member, and the burn-down."""

    read_action = Action.VIEW_REGISTRY  # the figures themselves are scoped to the caller's teams
    answers_one_object = True  # list() returns one summary, not a list (core.api.schema)

    @extend_schema(responses=s.SummarySerializer)
    def list(self, request):
        envelope = selectors.envelope_current()
        if envelope is None:
            raise Http404
        return Response(s.SummarySerializer(selectors.budget_summary(user=request.user, envelope=envelope)).data)


class AllocationViewSet(viewsets.GenericViewSet):
    """Admins allocate from the envelope; a team lead splits the team's allocation among members."""

    read_action = Action.VIEW_REGISTRY
    write_action = Action.VIEW_REGISTRY  # each service checks MANAGE_BUDGET or LEAD_TEAM itself
    queryset = Allocation.objects.none()
    # What each action reads (the OPTIONS answer describes it; without one, OPTIONS was a 500).
    serializer_classes = {
        "create": s.GrantSerializer,
        "split": s.SplitSerializer,
        "give_back": s.AmountReasonSerializer,
        "release_unspent": s.ReleaseSerializer,
    }

    def get_serializer_class(self):
        # OPTIONS runs as action "metadata" and asks once per write method, with request.method set to it
        return self.serializer_classes[self.action_map.get(self.request.method.lower(), self.action)]

    @extend_schema(request=s.GrantSerializer, responses={201: None})
    @idempotent
    def create(self, request):
        data = _validated(s.GrantSerializer, request.data)
        node = allocation_grant(
            actor=request.user,
            envelope=data["envelope"],
            team=data["team"],
            reason=data["reason"],
            amount_krw=data.get("amount_krw"),
            reservation=data.get("reservation"),
        )
        return Response({"allocation": node.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SplitSerializer, responses={201: None})
    @action(detail=False, methods=["post"])
    @idempotent
    def split(self, request):
        data = _validated(s.SplitSerializer, request.data)
        node = allocation_split(actor=request.user, **data)
        return Response({"allocation": node.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AmountReasonSerializer, responses={200: None})
    @action(detail=True, methods=["post"], url_path="return")
    @idempotent
    def give_back(self, request, pk=None):
        data = _validated(s.AmountReasonSerializer, request.data)
        node = Allocation.objects.select_related("team", "envelope").filter(pk=pk).first()
        if node is None:
            raise Http404
        allocation_return(actor=request.user, allocation=node, **data)
        return Response({"allocation": node.pk})

    @extend_schema(request=s.ReleaseSerializer, responses={200: None})
    @action(detail=False, methods=["post"], url_path="release-unspent")
    @idempotent
    def release_unspent(self, request):
        data = _validated(s.ReleaseSerializer, request.data)
        return Response({"released_krw": allocation_release_unspent(actor=request.user, **data)})


class UsageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Usage charges the caller may see; providers report finished jobs with POST."""

    read_action = Action.VIEW_REGISTRY
    write_action = Action.VIEW_REGISTRY  # usage_report checks REPORT_USAGE for the provider
    serializer_class = s.UsageEntrySerializer

    def get_queryset(self):
        filters = _validated(s.UsageFilterSerializer, self.request.query_params)
        return selectors.usage_visible_to(user=self.request.user, **filters)

    @extend_schema(request=s.UsageReportSerializer, responses={201: None})
    @idempotent
    def create(self, request):
        data = _validated(s.UsageReportSerializer, request.data)
        summary = usage_report(actor=request.user, provider=data["provider"], lines=data["lines"])
        return Response(summary, status=status.HTTP_201_CREATED)


class UsageImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upload an sacct --parsable2 file; follow `status` and `percent`, then read `summary` or `errors`."""

    read_action = Action.VIEW_REGISTRY
    write_action = Action.VIEW_REGISTRY  # usage_import_create checks REPORT_USAGE for the provider
    serializer_class = s.UsageImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return UsageImport.objects.none()
        imports = UsageImport.objects.select_related("provider")
        return (
            imports
            if can(user, Action.MANAGE_BUDGET)
            else imports.filter(provider__organisation_id=user.organisation_id)
        )

    @extend_schema(request=s.UsageImportCreateSerializer, responses={202: s.UsageImportSerializer})
    @idempotent
    def create(self, request):
        data = _validated(s.UsageImportCreateSerializer, request.data)
        usage_import = usage_import_create(actor=request.user, provider=data["provider"], uploaded_file=data["file"])
        return Response(s.UsageImportSerializer(usage_import).data, status=status.HTTP_202_ACCEPTED)


class RequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reallocation requests: a team lead asks, an admin approves or refuses."""

    read_action = Action.VIEW_REGISTRY
    write_action = Action.VIEW_REGISTRY  # the services check LEAD_TEAM and MANAGE_BUDGET
    serializer_class = s.RequestSerializer

    def get_queryset(self):
        return selectors.requests_visible_to(user=self.request.user)

    @idempotent
    def create(self, request):
        serializer = s.RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = reallocation_request_create(actor=request.user, **serializer.validated_data)
        return Response(s.RequestSerializer(created).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, pk, service):
        note = _validated(s.DecisionSerializer, request.data)["note"]
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(s.RequestSerializer(service(actor=request.user, request=found, note=note)).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.RequestSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        return self._decide(request, pk, reallocation_request_approve)

    @extend_schema(request=s.DecisionSerializer, responses=s.RequestSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def refuse(self, request, pk=None):
        return self._decide(request, pk, reallocation_request_refuse)


class RateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The rate card: KRW per GPU-hour by type and provider, with effective dates."""

    read_action = Action.VIEW_REGISTRY
    serializer_class = s.RateSerializer
    queryset = Rate.objects.select_related("gpu_type", "provider")
