"""Arena API. Reads are filtered by arena.selectors; every write is checked again by its service.
A panel member's answers name no team (arena.selectors.pair_for_panel)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from arena import selectors
from arena.models import Campaign, PromptSet
from arena.services.campaigns import campaign_close, campaign_create
from arena.services.judgments import judgment_next, judgment_submit
from arena.services.panel import panel_member_exclude, panel_member_invite
from arena.services.prompt_sets import prompt_set_create
from core.idempotency import idempotent
from core.permissions import Action, can
from stages.models import RubricPart, Stage

from .serializers import (
    ArenaExclusionSerializer,
    ArenaInviteSerializer,
    ArenaPairAnswerSerializer,
    ArenaPanelRowSerializer,
    ArenaResultSerializer,
    ArenaVerdictSerializer,
    CampaignCreateSerializer,
    CampaignSerializer,
    PromptSetCreateSerializer,
    PromptSetSerializer,
)

READ_ACTIONS = {"result": Action.VIEW_ARENA_RESULTS, "panel": Action.VIEW_ARENA_RESULTS}
WRITE_ACTIONS = {
    "create": Action.MANAGE_ARENA,
    "close": Action.MANAGE_ARENA,
    "panel": Action.MANAGE_ARENA,
    "exclusions": Action.MANAGE_ARENA,
    "next": Action.JUDGE_ARENA,
    "judge": Action.JUDGE_ARENA,
}


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PromptSetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Prompt sets: never shown to teams before their answers are generated (admins, reviewers)."""

    read_action = Action.VIEW_ARENA_RESULTS
    write_action = Action.MANAGE_ARENA
    serializer_class = PromptSetSerializer

    def get_queryset(self):
        return PromptSet.objects.prefetch_related("prompts").order_by("slug", "-version")

    @extend_schema(request=PromptSetCreateSerializer, responses={201: PromptSetSerializer})
    def create(self, request):
        """Upload a prompt set; the same slug again makes a new version (admins)."""
        data = _validated(PromptSetCreateSerializer, request.data)
        prompt_set = prompt_set_create(
            actor=request.user, slug=data["slug"], title=data["title"], prompts=[dict(p) for p in data["prompts"]]
        )
        return Response(PromptSetSerializer(prompt_set).data, status=status.HTTP_201_CREATED)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CampaignSerializer
    lookup_field = "slug"

    @property
    def read_action(self):
        return READ_ACTIONS.get(self.action, Action.USE_ARENA)

    @property
    def object_read_action(self):
        if self.action in READ_ACTIONS:
            return READ_ACTIONS[self.action]
        return Action.USE_ARENA if can(self.request.user, Action.VIEW_ARENA_RESULTS) else Action.JUDGE_ARENA

    @property
    def write_action(self):
        return WRITE_ACTIONS.get(self.action)

    def get_queryset(self):
        queryset = Campaign.objects.select_related("stage", "part", "prompt_set").order_by("-created_at")
        if can(self.request.user, Action.VIEW_ARENA_RESULTS):
            return queryset
        return queryset.filter(panel__user=self.request.user) if self.request.user.is_authenticated else queryset.none()

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        """A judging campaign for a stage: its nominated checkpoints answer the prompt set on the
        evaluation workers, then panel members judge (admins)."""
        data = dict(_validated(CampaignCreateSerializer, request.data))
        data["stage"] = get_object_or_404(Stage, slug=data["stage"])
        data["prompt_set"] = get_object_or_404(PromptSet, pk=data["prompt_set"])
        if "part" in data:
            data["part"] = get_object_or_404(RubricPart, stage=data["stage"], key=data["part"])
        campaign = campaign_create(actor=request.user, **data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ArenaPairAnswerSerializer)
    @action(detail=True, methods=["post"])
    def next(self, request, slug=None):
        """Your open pair, or a new one (panel members): the prompt and answers A and B, no names."""
        campaign = self.get_object()
        judgment = judgment_next(actor=request.user, campaign=campaign)
        seat = selectors.seat_of(request.user, campaign)
        pair = None if judgment is None else selectors.pair_for_panel(judgment)
        return Response({"pair": pair, "judged": seat.judged, "quota": seat.quota})

    @extend_schema(request=ArenaVerdictSerializer, responses=ArenaPairAnswerSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def judge(self, request, slug=None):
        """Your verdict on your open pair: left (A), right (B), tie or both_bad, with a comment."""
        campaign = self.get_object()
        data = _validated(ArenaVerdictSerializer, request.data)
        judgment_submit(
            actor=request.user,
            campaign=campaign,
            judgment_id=data["judgment"],
            verdict=data["verdict"],
            comment=data.get("comment", ""),
        )
        seat = selectors.seat_of(request.user, campaign)
        return Response({"pair": None, "judged": seat.judged, "quota": seat.quota})

    @extend_schema(responses=ArenaResultSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request, slug=None):
        """The fitted result as last computed (reviewers and admins): strengths with intervals,
        expected scores, win rates, per category, and the mapping onto the stage's user part."""
        campaign = self.get_object()
        found = selectors.result_of(campaign)
        if found is None:
            raise NotFound("No result has been computed yet.")
        return Response(
            {
                "closed": campaign.is_closed,
                "computed_at": found.computed_at,
                "judgments_digest": found.judgments_digest,
                "result": found.data,
            }
        )

    @extend_schema(
        request=ArenaInviteSerializer, responses={200: ArenaPanelRowSerializer(many=True), 201: ArenaPanelRowSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def panel(self, request, slug=None):
        """The panel with integrity flags (GET, reviewers and admins); invite a person (POST, admins)."""
        campaign = self.get_object()
        if request.method in SAFE_METHODS:
            rows = selectors.panel_with_flags(campaign, selectors.result_of(campaign))
            return Response(ArenaPanelRowSerializer([_panel_row(r) for r in rows], many=True).data)
        data = _validated(ArenaInviteSerializer, request.data)
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise ValidationError({"username": ["Unknown user."]})
        seat = panel_member_invite(actor=request.user, campaign=campaign, user=user, quota=data.get("quota"))
        row = next(r for r in selectors.panel_with_flags(campaign) if r["seat"].pk == seat.pk)
        return Response(ArenaPanelRowSerializer(_panel_row(row)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ArenaExclusionSerializer, responses={201: ArenaPanelRowSerializer})
    @action(detail=True, methods=["post"])
    def exclusions(self, request, slug=None):
        """Exclude a panel member, with a reason: their judgments leave the result (admins)."""
        campaign = self.get_object()
        data = _validated(ArenaExclusionSerializer, request.data)
        seat = campaign.panel.filter(code=data["member"]).first()
        if seat is None:
            raise ValidationError({"member": ["Unknown panel member."]})
        panel_member_exclude(actor=request.user, seat=seat, reason=data["reason"])
        row = next(r for r in selectors.panel_with_flags(campaign) if r["seat"].pk == seat.pk)
        return Response(ArenaPanelRowSerializer(_panel_row(row)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ArenaResultSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, slug=None):
        """Close the campaign: the final fit fills the stage's user part (admins)."""
        campaign = self.get_object()
        found = campaign_close(actor=request.user, campaign=campaign)
        return Response(
            {
                "closed": True,
                "computed_at": found.computed_at,
                "judgments_digest": found.judgments_digest,
                "result": found.data,
            }
        )


def _panel_row(row: dict) -> dict:
    seat = row["seat"]
    return {
        "code": seat.code,
        "username": seat.user.get_username(),
        "quota": seat.quota,
        "judged": row["judged"],
        "same_side_share": row["same_side_share"],
        "median_seconds": row["median_seconds"],
        "disagreement_share": row["disagreement_share"],
        "flags": row["flags"],
        "excluded_reason": seat.excluded_reason,
    }
