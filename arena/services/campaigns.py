"""Judging campaigns: created for a stage (one entry per nominated team, answers generated on the
evaluation workers), judged, then closed — which fits the result and fills the stage's user part."""

import hashlib
import json
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arena import dispatch, results
from arena.models import (
    Campaign,
    CampaignEntry,
    CampaignResult,
    CampaignStatus,
    Mapping,
    PromptCategory,
    PromptSet,
)
from arena.selectors import flag_inputs, flags_of, result_inputs
from arena.services.generation import generation_queue
from audit.services import audit_record
from core.permissions import Action, require
from stages.models import Criterion, NominationStatus, PartKind, RubricPart, Stage, UserScore
from stages.services.stages import locked_open_stage

# What every answer is generated with, unless the campaign says otherwise (recorded on each job).
DEFAULT_GENERATION = {
    "system_instruction": "당신은 한국어 사용자를 돕는 AI 어시스턴트입니다. 질문에 정확하고 친절하게 답하세요.",
    "gen_kwargs": {"max_gen_toks": 256, "do_sample": False, "until": []},
}
RESERVED_SLUGS = {"new-campaign", "new-prompt-set"}  # pages of /arena/ itself
EVALUATOR_PREFIX = "arena:"  # UserScore.evaluator of the rows a closed campaign writes


def evaluator_code(campaign: Campaign) -> str:
    return f"{EVALUATOR_PREFIX}{campaign.slug}"[:100]


def _user_part(stage: Stage, part: RubricPart | None) -> RubricPart:
    if part is None:
        part = stage.rubric.filter(kind=PartKind.USER).order_by("position").first()
    if part is None or part.stage_id != stage.pk or part.kind != PartKind.USER:
        raise ValidationError({"part": [_("Choose a user-evaluation part of this stage's rubric.")]})
    if not part.criteria.exists():
        raise ValidationError({"part": [_("The user-evaluation part has no criteria to fill.")]})
    return part


@transaction.atomic
def campaign_create(
    *,
    actor,
    stage: Stage,
    prompt_set: PromptSet,
    slug: str,
    name_ko: str,
    name_en: str,
    part: RubricPart | None = None,
    default_quota: int = 50,
    mapping: str = Mapping.EXPECTED_SCORE,
    generation: dict | None = None,
    generate: bool = True,
    **options,
) -> Campaign:
    """A campaign over the stage's nominated checkpoints. With `generate`, one generation job per
    entry is queued on the evaluation workers; without, answers are stored by `answers_store`
    (seeding and benchmarks)."""
    if actor is not None:
        require(actor, Action.MANAGE_ARENA)
    stage = locked_open_stage(stage)
    part = _user_part(stage, part)
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": [_("This slug is reserved.")]})
    nominations = list(
        stage.nominations.exclude(status=NominationStatus.REJECTED)
        .exclude(team__stage_entries__stage=stage, team__stage_entries__excluded_at__isnull=False)
        .select_related("checkpoint")
        .order_by("team_id")
    )
    if len(nominations) < 2:
        raise ValidationError({"stage": [_("A campaign needs at least two nominated teams.")]})
    campaign = Campaign(
        stage=stage,
        part=part,
        prompt_set=prompt_set,
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        default_quota=default_quota,
        mapping=mapping,
        generation=generation if generation is not None else DEFAULT_GENERATION,
        **options,
    )
    campaign.full_clean()
    campaign.save()
    entries = CampaignEntry.objects.bulk_create(
        CampaignEntry(campaign=campaign, team_id=n.team_id, checkpoint=n.checkpoint) for n in nominations
    )
    audit_record(
        actor=actor,
        action="arena.campaign.create",
        target=campaign,
        after={
            "slug": slug,
            "stage": stage.slug,
            "part": part.key,
            "prompt_set": prompt_set.digest,
            "teams": [e.team_id for e in entries],
            "mapping": mapping,
            "generation": campaign.generation,
        },
    )
    if generate:
        for entry in entries:
            generation_queue(entry=entry)
    return campaign


def _rows_digest(inputs: dict) -> str:
    return hashlib.sha256(json.dumps([inputs["rows"], inputs["excluded"]], sort_keys=True).encode()).hexdigest()


def campaign_result_compute(*, campaign: Campaign) -> CampaignResult:
    """Fit the campaign's counted judgments, and the panel's integrity flags, and store them (not a
    decision: no audit row; closing records the final one). The pages read what is stored."""
    inputs = result_inputs(campaign)
    started = time.perf_counter()
    data = results.compute(
        teams=inputs["teams"],
        rows=inputs["rows"],
        categories=PromptCategory.values,
        mapping=campaign.mapping,
        part=inputs["part"],
        criteria=inputs["criteria"],
        rounds=campaign.bootstrap_rounds,
        seed=campaign.bootstrap_seed,
    )
    data["excluded_members"] = inputs["excluded"]
    data["panel_flags"] = {str(k): v for k, v in flags_of(campaign, flag_inputs(campaign)).items()}
    seconds = time.perf_counter() - started
    result, _created = CampaignResult.objects.update_or_create(
        campaign=campaign,
        defaults={
            "judgments_digest": _rows_digest(inputs),
            "data": data,
            "computed_at": timezone.now(),
            "seconds": seconds,
        },
    )
    return result


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> CampaignResult:
    """End the judging, fit the final result and write it into the stage's user part (one
    UserScore per team × criterion of the part, evaluator "arena:<slug>"). Irreversible."""
    require(actor, Action.MANAGE_ARENA)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.JUDGING:
        raise ValidationError({"status": [_("Only a campaign that is judging can be closed.")]})
    stage = locked_open_stage(campaign.stage)
    if UserScore.objects.filter(stage=stage).exclude(evaluator=evaluator_code(campaign)).exists():
        raise ValidationError(
            {
                "stage": [
                    _(
                        "This stage's user part already holds other scores (a CSV import or "
                        "another campaign); a stage's user part comes from one source."
                    )
                ]
            }
        )
    if not campaign.judgments.exclude(verdict="").filter(member__excluded_at__isnull=True).exists():
        raise ValidationError({"judgments": [_("Nothing has been judged yet.")]})
    campaign.judgments.filter(verdict="").delete()  # pairs shown but never judged
    campaign.status, campaign.closed_at, campaign.closed_by = CampaignStatus.CLOSED, timezone.now(), actor
    campaign.save(update_fields=["status", "closed_at", "closed_by"])
    result = campaign_result_compute(campaign=campaign)
    criteria = {c.key: c for c in Criterion.objects.filter(part=campaign.part)}
    UserScore.objects.filter(stage=stage, evaluator=evaluator_code(campaign)).delete()
    now = timezone.now()
    UserScore.objects.bulk_create(
        UserScore(
            stage=stage,
            evaluator=evaluator_code(campaign),
            team_id=row["team"],
            criterion=criteria[key],
            score=score,
            imported_at=now,
        )
        for row in result.data["mapping"]["teams"]
        for key, score in row["criterion_scores"].items()
    )
    audit_record(
        actor=actor,
        action="arena.campaign.close",
        target=campaign,
        after={
            "judgments": result.data["judgments"],
            "digest": result.judgments_digest,
            "excluded_members": result.data["excluded_members"],
            "mapping": {str(r["team"]): r["criterion_scores"] for r in result.data["mapping"]["teams"]},
        },
    )
    return result


def campaign_recompute_request(*, actor, campaign: Campaign) -> None:
    """Queue a fresh fit of the live result (the page shows when it was computed)."""
    require(actor, Action.VIEW_ARENA_RESULTS)
    dispatch.send_compute_result(campaign.pk)
