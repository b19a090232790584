"""Reads for the arena. What a panel member may see of a pair (never the teams) is decided here
and in the judging views' context, which take their fields from `pair_for_panel` only."""

from django.db.models import Count, Q

from arena.models import Campaign, CampaignResult, CampaignStatus, Judgment, PanelMember
from core.permissions import Action, can


def campaign_by_slug(slug: str) -> Campaign | None:
    return Campaign.objects.select_related("stage", "part", "prompt_set").filter(slug=slug).first()


def campaigns_for(user) -> list[Campaign]:
    """Staff see every campaign; a panel member the campaigns with their seat; others none."""
    if can(user, Action.VIEW_ARENA_RESULTS):
        return list(
            Campaign.objects.select_related("stage")
            .annotate(judged=Count("judgments", filter=~Q(judgments__verdict="")))
            .order_by("-created_at")
        )
    if can(user, Action.JUDGE_ARENA):
        seats = (
            PanelMember.objects.filter(user=user)
            .select_related("campaign__stage")
            .annotate(judged=Count("judgments", filter=~Q(judgments__verdict="")))
            .order_by("-campaign__created_at")
        )
        out = []
        for seat in seats:
            seat.campaign.seat, seat.campaign.judged = seat, seat.judged
            out.append(seat.campaign)
        return out
    return []


def prompt_sets_all() -> list:
    from arena.models import PromptSet

    return list(PromptSet.objects.annotate(size=Count("prompts")).order_by("slug", "-version"))


def open_stages() -> list:
    from stages.models import Stage, StageStatus

    return list(Stage.objects.exclude(status=StageStatus.FINALISED).order_by("programme", "order"))


def seat_of(user, campaign: Campaign) -> PanelMember | None:
    if not user.is_authenticated:
        return None
    return (
        PanelMember.objects.filter(campaign=campaign, user=user)
        .annotate(judged=Count("judgments", filter=~Q(judgments__verdict="")))
        .first()
    )


def pair_for_panel(judgment: Judgment) -> dict:
    """Everything a panel member is shown of a pair: the prompt and the two texts as A and B.
    No team, checkpoint or answer id — before and after the campaign closes."""
    return {
        "judgment": judgment.pk,
        "category": judgment.category,
        "prompt": judgment.prompt.text,
        "answer_a": judgment.left.text,
        "answer_b": judgment.right.text,
    }


def open_judgment_of(seat: PanelMember) -> Judgment | None:
    return Judgment.objects.filter(member=seat, verdict="").select_related("prompt", "left", "right").first()


def result_inputs(campaign: Campaign) -> dict:
    """What the fit uses: teams, counted judgments (excluded members left out), the user part."""
    teams = [
        {"id": e.team_id, "slug": e.team.slug, "name_ko": e.team.name_ko, "name_en": e.team.name_en}
        for e in campaign.entries.select_related("team").order_by("team_id")
    ]
    rows = [
        list(r)
        for r in Judgment.objects.filter(campaign=campaign, member__excluded_at__isnull=True)
        .exclude(verdict="")
        .order_by("pk")
        .values_list("left_team_id", "right_team_id", "verdict", "category")
    ]
    excluded = list(campaign.panel.filter(excluded_at__isnull=False).order_by("code").values_list("code", flat=True))
    part = campaign.part
    criteria = [{"key": c.key, "max_score": str(c.max_score)} for c in part.criteria.order_by("position", "key")]
    return {
        "teams": teams,
        "rows": rows,
        "excluded": excluded,
        "part": {"key": part.key, "points": str(part.points)},
        "criteria": criteria,
    }


def result_of(campaign: Campaign) -> CampaignResult | None:
    return CampaignResult.objects.filter(campaign=campaign).first()


def flag_inputs(campaign: Campaign) -> list[tuple]:
    return list(
        Judgment.objects.filter(campaign=campaign)
        .exclude(verdict="")
        .values_list("member_id", "left_team_id", "right_team_id", "verdict", "seconds")
    )


def flags_of(campaign: Campaign, rows: list[tuple]) -> dict[int, dict]:
    from arena.integrity import flags

    return flags(
        rows,
        minimum=campaign.flag_minimum,
        same_side_share=float(campaign.same_side_share),
        min_seconds=campaign.min_seconds,
        disagreement_share=float(campaign.disagreement_share),
    )


def panel_with_flags(campaign: Campaign, result: CampaignResult | None = None) -> list[dict]:
    """Every panel member with their counts and integrity flags (reviewers and admins only): as
    computed with the stored result when one is given, else from the judgments now."""
    seats = list(campaign.panel.select_related("user").order_by("code"))
    if result is not None and "panel_flags" in result.data:
        found = {int(k): v for k, v in result.data["panel_flags"].items()}
    else:
        found = flags_of(campaign, flag_inputs(campaign))
    empty = {"judged": 0, "same_side_share": 0.0, "median_seconds": None, "disagreement_share": 0.0, "flags": []}
    return [{"seat": seat, **found.get(seat.pk, empty)} for seat in seats]


def generation_status(campaign: Campaign) -> list[dict]:
    """Each entry's latest generation job (reviewers and admins: it names the team)."""
    from arena.models import GenerationJob

    latest: dict[int, GenerationJob] = {}
    for job in GenerationJob.objects.filter(entry__campaign=campaign).order_by("created_at", "pk"):
        latest[job.entry_id] = job
    return [
        {"team": entry.team, "job": latest.get(entry.pk)}
        for entry in campaign.entries.select_related("team").order_by("team_id")
    ]


def is_judging(campaign: Campaign) -> bool:
    return campaign.status == CampaignStatus.JUDGING
