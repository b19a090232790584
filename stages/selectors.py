"""Reads for stages. Who sees a stage's result, nominations and expert scores is decided here."""

from django.core.cache import cache

from core.permissions import Action, can, private_team_scope
from stages.inputs import inputs_digest, stage_inputs
from stages.models import (
    ExpertScore,
    ExpertSubmission,
    Nomination,
    OriginalityGateItem,
    PartKind,
    Stage,
    StageResult,
)
from stages.scoring import compute_outcome


def stages_all() -> list[Stage]:
    return list(Stage.objects.select_related("programme", "suite_version__suite").order_by("programme", "order"))


def stage_by_slug(slug: str) -> Stage | None:
    return Stage.objects.select_related("programme", "suite_version__suite").filter(slug=slug).first()


def sees_every_team(user) -> bool:
    return private_team_scope(user) is None


def stage_result_for(user, stage: Stage) -> tuple[dict, dict, bool] | None:
    """(inputs, outcome, final): the finalised result for everyone; before that, a live
    preview for reviewers and admins only; None for everyone else."""
    if stage.is_finalised:
        result = StageResult.objects.get(stage=stage)
        return result.inputs, result.outcome, True
    if not sees_every_team(user):
        return None
    inputs = stage_inputs(stage)
    # The outcome is a pure function of the inputs; its bootstrap takes most of a second.
    outcome = cache.get_or_set(f"stage-outcome:{inputs_digest(inputs)}", lambda: compute_outcome(inputs), 3600)
    return inputs, outcome, False


def nominations_visible(user, stage: Stage) -> list[Nomination]:
    nominations = Nomination.objects.filter(stage=stage).select_related("team", "checkpoint", "official_run")
    scope = private_team_scope(user)
    if scope is not None and not stage.is_finalised:
        nominations = nominations.filter(team_id__in=scope)
    return list(nominations.order_by("team__name_en"))


def expert_criteria(stage: Stage):
    from stages.models import Criterion

    return list(
        Criterion.objects.filter(part__stage=stage, part__kind=PartKind.EXPERT).order_by("part__position", "position")
    )


def has_submitted(user, stage: Stage) -> bool:
    return user.is_authenticated and ExpertSubmission.objects.filter(stage=stage, reviewer=user).exists()


def expert_scores_visible(user, stage: Stage) -> dict:
    """A reviewer's own scores always; the other reviewers' only once the reviewer has submitted.
    Admins see every reviewer's scores; nobody else sees any."""
    own = {}
    if can(user, Action.ENTER_EXPERT_SCORES):
        own = {
            (s.team_id, s.criterion.key): s.score
            for s in ExpertScore.objects.filter(stage=stage, reviewer=user).select_related("criterion")
        }
    see_others = can(user, Action.PUBLISH_RESULTS) or (
        can(user, Action.ENTER_EXPERT_SCORES) and has_submitted(user, stage)
    )
    others = []
    if see_others:
        others = list(
            ExpertScore.objects.filter(stage=stage)
            .exclude(reviewer=user)
            .select_related("reviewer", "team", "criterion")
            .order_by("reviewer__username", "team__name_en")
        )
    return {"own": own, "others": others, "sees_others": see_others}


def gate_items(stage: Stage) -> list[OriginalityGateItem]:
    """The stage's originality gate items, open and decided (reviewers and admins: the caller checks)."""
    return list(
        OriginalityGateItem.objects.filter(stage=stage)
        .select_related("nomination__team", "report__checkpoint", "decided_by")
        .order_by("opened_at")
    )
