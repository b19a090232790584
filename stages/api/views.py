"""Stage API. Reads are filtered by stages.selectors; every write is checked again by its service."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from consortium.models import Programme, Team
from core.idempotency import idempotent
from core.permissions import Action, can
from evaluation.models import Checkpoint, SuiteVersion
from stages import selectors
from stages.blockers import stage_blockers
from stages.models import Stage
from stages.report import reviewers_per_team
from stages.services.gate import gate_item_decide
from stages.services.nominations import nomination_submit, nominations_freeze
from stages.services.official_runs import official_run_rerequest
from stages.services.rubric import rubric_of, rubric_replace
from stages.services.scores import expert_scores_save, user_scores_import
from stages.services.stages import stage_create, stage_finalise, team_exclude

from .serializers import (
    BlockersSerializer,
    CountSerializer,
    ExclusionSerializer,
    ExpertScoresSerializer,
    ExpertScoreViewSerializer,
    GateDecisionSerializer,
    NominateSerializer,
    NominationSerializer,
    RerunSerializer,
    ResultSerializer,
    RubricSerializer,
    StageCreateSerializer,
    StageSerializer,
    StageTeamSerializer,
    UserScoresSerializer,
)

WRITE_ACTIONS = {
    "create": Action.MANAGE_STAGES,
    "nominations": Action.USE_EVALUATION,  # the service checks that the caller leads the team
    "freeze": Action.MANAGE_STAGES,
    "exclusions": Action.PUBLISH_RESULTS,
    "finalise": Action.PUBLISH_RESULTS,
    "expert_scores": Action.ENTER_EXPERT_SCORES,
    "user_scores": Action.MANAGE_STAGES,
    "rubric": Action.MANAGE_STAGES,
    "official_runs": Action.MANAGE_STAGES,
    "originality_gate": Action.PUBLISH_RESULTS,
}
# Reads other than the public ones: what blocks finalisation names teams' runs and verdicts.
READ_ACTIONS = {"blockers": Action.PUBLISH_RESULTS}


class StageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = StageSerializer
    lookup_field = "slug"

    @property
    def read_action(self):
        return READ_ACTIONS.get(self.action, Action.VIEW_REGISTRY)

    @property
    def write_action(self):
        return WRITE_ACTIONS.get(self.action)

    def get_queryset(self):
        return (
            Stage.objects.select_related("suite_version__suite")
            .prefetch_related("rubric__parent", "rubric__criteria", "entries__team")
            .order_by("programme", "order")
        )

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=StageCreateSerializer, responses={201: StageSerializer})
    def create(self, request):
        """Define a stage with the default first-stage rubric (admins)."""
        data = dict(self._validated(StageCreateSerializer))
        data["programme"] = get_object_or_404(Programme, slug=data["programme"])
        data["suite_version"] = get_object_or_404(SuiteVersion, pk=data["suite_version"])
        if "teams" in data:
            teams = list(Team.objects.filter(slug__in=data["teams"]))
            unknown = sorted(set(data["teams"]) - {t.slug for t in teams})
            if unknown:
                raise ValidationError({"teams": [f"Unknown team: {', '.join(unknown)}"]})
            data["teams"] = teams
        stage = stage_create(actor=request.user, **data)
        return Response(StageSerializer(stage).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ResultSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request, slug=None):
        """The finalised result (public), or a live preview for reviewers and admins."""
        stage = self.get_object()
        found = selectors.stage_result_for(request.user, stage)
        if found is None:
            raise NotFound("No result is visible to you yet.")
        inputs, outcome, final = found
        digest = stage.result.inputs_digest if final else None
        counts = reviewers_per_team(inputs)
        reviewers = {t["slug"]: counts.get(t["id"], 0) for t in inputs["teams"]}
        return Response({"final": final, "inputs_digest": digest, "outcome": outcome, "reviewers": reviewers})

    @extend_schema(
        request=NominateSerializer, responses={200: NominationSerializer(many=True), 201: NominationSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # a plain list (and its schema says so)
    @idempotent
    def nominations(self, request, slug=None):
        """Nominations you may see (GET); nominate your team's ready checkpoint (POST, team leads)."""
        stage = self.get_object()
        if request.method in SAFE_METHODS:  # GET and HEAD (HEAD took the POST path: a 400, or a write)
            return Response(NominationSerializer(selectors.nominations_visible(request.user, stage), many=True).data)
        checkpoint = (
            Checkpoint.objects.select_related("team")
            .filter(pk=self._validated(NominateSerializer)["checkpoint"])
            .first()
        )
        if checkpoint is None or not can(request.user, Action.VIEW_TEAM_PRIVATE, checkpoint):  # another team's: unknown
            raise ValidationError({"checkpoint": ["Unknown checkpoint."]})
        nomination = nomination_submit(actor=request.user, stage=stage, checkpoint=checkpoint)
        return Response(NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def freeze(self, request, slug=None):
        """Freeze nominations now and queue the official runs (admins)."""
        return Response({"count": len(nominations_freeze(actor=request.user, stage=self.get_object()))})

    @extend_schema(request=ExclusionSerializer, responses={201: StageTeamSerializer})
    @action(detail=True, methods=["post"])
    def exclusions(self, request, slug=None):
        """The originality gate: exclude a team from advancing, with a written reason (admins)."""
        data = self._validated(ExclusionSerializer)
        team = get_object_or_404(Team, slug=data["team"])
        entry = team_exclude(actor=request.user, stage=self.get_object(), team=team, reason=data["reason"])
        return Response(StageTeamSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def finalise(self, request, slug=None):
        """Finalise the stage: an immutable record; eliminated teams are marked (admins)."""
        result = stage_finalise(actor=request.user, stage=self.get_object())
        counts = reviewers_per_team(result.inputs)
        return Response(
            {
                "final": True,
                "inputs_digest": result.inputs_digest,
                "outcome": result.outcome,
                "reviewers": {t["slug"]: counts.get(t["id"], 0) for t in result.inputs["teams"]},
            }
        )

    @extend_schema(
        request=ExpertScoresSerializer, responses={200: ExpertScoreViewSerializer(many=True), 201: CountSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="expert-scores", pagination_class=None)
    def expert_scores(self, request, slug=None):
        """Your scores, and the others' once you have submitted (GET); save or submit yours (POST, reviewers)."""
        stage = self.get_object()
        if request.method in SAFE_METHODS:  # GET and HEAD (HEAD took the POST path: a 400, or a write)
            visible = selectors.expert_scores_visible(request.user, stage)
            teams = dict(Team.objects.values_list("pk", "slug"))
            rows = [
                {"reviewer": request.user.get_username(), "team": teams[t], "criterion": c, "score": s}
                for (t, c), s in sorted(visible["own"].items())
            ]
            rows += [
                {
                    "reviewer": s.reviewer.get_username(),
                    "team": s.team.slug,
                    "criterion": s.criterion.key,
                    "score": s.score,
                }
                for s in visible["others"]
            ]
            return Response(ExpertScoreViewSerializer(rows, many=True).data)
        data = self._validated(ExpertScoresSerializer)
        teams = dict(Team.objects.filter(slug__in=[i["team"] for i in data["scores"]]).values_list("slug", "pk"))
        unknown = sorted({i["team"] for i in data["scores"]} - set(teams))
        if unknown:
            raise ValidationError({"scores": [f"Unknown team: {', '.join(unknown)}"]})
        count = expert_scores_save(
            actor=request.user,
            stage=stage,
            submit=data["submit"],
            scores={(teams[i["team"]], i["criterion"]): i["score"] for i in data["scores"]},
        )
        return Response({"count": count}, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserScoresSerializer, responses={201: CountSerializer})
    @action(detail=True, methods=["post"], url_path="user-scores")
    def user_scores(self, request, slug=None):
        """Import user-evaluation scores from CSV text; any bad row imports nothing (admins)."""
        count = user_scores_import(
            actor=request.user, stage=self.get_object(), text=self._validated(UserScoresSerializer)["csv"]
        )
        return Response({"count": count}, status=status.HTTP_201_CREATED)

    def _nomination(self, stage, team_slug: str):
        nomination = stage.nominations.select_related("team").filter(team__slug=team_slug).first()
        if nomination is None:
            raise ValidationError({"team": ["This team has no nomination in the stage."]})
        return nomination

    @extend_schema(request=RubricSerializer, responses=RubricSerializer)
    @action(detail=True, methods=["get", "put"])
    def rubric(self, request, slug=None):
        """The rubric tree (GET); replace it, validated as at creation, until the stage has scores (PUT, admins)."""
        stage = self.get_object()
        if request.method in SAFE_METHODS:
            return Response({"rubric": rubric_of(stage), "tie_break": stage.tie_break})
        data = self._validated(RubricSerializer)
        tree = rubric_replace(actor=request.user, stage=stage, rubric=data["rubric"], tie_break=data.get("tie_break"))
        stage.refresh_from_db(fields=["tie_break"])
        return Response({"rubric": tree, "tie_break": stage.tie_break})

    @extend_schema(responses=BlockersSerializer)
    @action(detail=True, methods=["get"])
    def blockers(self, request, slug=None):
        """What blocks finalisation (the list finalise refuses with), and the originality gate's items (admins)."""
        stage = self.get_object()
        return Response(
            BlockersSerializer({"blockers": stage_blockers(stage), "gate_items": selectors.gate_items(stage)}).data
        )

    @extend_schema(request=RerunSerializer, responses={201: NominationSerializer})
    @action(detail=True, methods=["post"], url_path="official-runs")
    @idempotent
    def official_runs(self, request, slug=None):
        """Request a failed or cancelled official run again, with a reason (admins; audited)."""
        stage = self.get_object()
        data = self._validated(RerunSerializer)
        nomination = official_run_rerequest(
            actor=request.user, stage=stage, nomination=self._nomination(stage, data["team"]), reason=data["reason"]
        )
        return Response(NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GateDecisionSerializer, responses={201: BlockersSerializer})
    @action(detail=True, methods=["post"], url_path="originality-gate")
    def originality_gate(self, request, slug=None):
        """Decide a nomination's "derived" or "component reuse" verdict: cleared or excluded, with a reason (admins)."""
        stage = self.get_object()
        data = self._validated(GateDecisionSerializer)
        gate_item_decide(
            actor=request.user,
            stage=stage,
            nomination=self._nomination(stage, data["team"]),
            decision=data["decision"],
            reason=data["reason"],
        )
        return Response(
            BlockersSerializer({"blockers": stage_blockers(stage), "gate_items": selectors.gate_items(stage)}).data,
            status=status.HTTP_201_CREATED,
        )
