"""Blind judging: the next pair for a panel member, and their verdict (audited)."""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from arena import dispatch, pairing
from arena.models import Answer, Campaign, CampaignStatus, Judgment, PanelMember, Prompt, Verdict
from audit.services import audit_record
from core.permissions import Action, require, team_ids_of

MAX_COMMENT = 2000
RECOMPUTE_EVERY = 50  # judgments between automatic refreshes of the stored result
_random = random.SystemRandom()  # a judge must not be able to predict the order


def _seat(actor, campaign: Campaign) -> PanelMember:
    require(actor, Action.JUDGE_ARENA, campaign)
    if campaign.status != CampaignStatus.JUDGING:
        raise ValidationError({"campaign": [_("This campaign is not open for judging.")]})
    return PanelMember.objects.select_for_update().get(campaign=campaign, user=actor)


@transaction.atomic
def judgment_next(*, actor, campaign: Campaign, rng: random.Random | None = None) -> Judgment | None:
    """The member's open pair, or a new one; None when their quota is reached or nothing is left.
    Teams the member's organisation belongs to are never in the pair."""
    seat = _seat(actor, campaign)
    existing = Judgment.objects.filter(member=seat, verdict="").first()
    if existing is not None:
        return existing
    if seat.judgments.count() >= seat.quota:
        return None
    own = team_ids_of(actor)
    teams = [t for t in campaign.entries.values_list("team_id", flat=True) if t not in own]
    prompts: dict[str, list[int]] = {}
    for pk, category in Prompt.objects.filter(prompt_set_id=campaign.prompt_set_id).values_list("pk", "category"):
        prompts.setdefault(category, []).append(pk)
    counts: dict[tuple, int] = {}
    for left, right, category, n in (
        Judgment.objects.filter(campaign=campaign)
        .values_list("left_team_id", "right_team_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (min(left, right), max(left, right), category)
        counts[key] = counts.get(key, 0) + n
    seen_pairs = {
        (p, min(a, b), max(a, b))
        for p, a, b in seat.judgments.values_list("prompt_id", "left_team_id", "right_team_id")
    }
    choice = pairing.choose(
        teams=teams,
        prompts_by_category=prompts,
        counts=counts,
        seen_prompts={p for p, _a, _b in seen_pairs},
        seen_pairs=seen_pairs,
        rng=rng or _random,
    )
    if choice is None:
        return None
    prompt_id, left_team, right_team = choice
    answers = {
        a.entry.team_id: a
        for a in Answer.objects.filter(
            entry__campaign=campaign, prompt_id=prompt_id, entry__team_id__in=[left_team, right_team]
        ).select_related("entry")
    }
    if len(answers) < 2:
        raise ValidationError({"campaign": [_("An answer is missing for this prompt.")]})
    prompt = Prompt.objects.get(pk=prompt_id)
    return Judgment.objects.create(
        campaign=campaign,
        member=seat,
        prompt=prompt,
        category=prompt.category,
        left=answers[left_team],
        right=answers[right_team],
        left_team_id=left_team,
        right_team_id=right_team,
        assigned_at=timezone.now(),
    )


@transaction.atomic
def judgment_submit(*, actor, campaign: Campaign, judgment_id: int, verdict: str, comment: str = "") -> Judgment:
    seat = _seat(actor, campaign)
    judgment = Judgment.objects.select_for_update().filter(pk=judgment_id, member=seat).first()
    if judgment is None:
        raise ValidationError({"judgment": [_("This pair is not yours to judge.")]})
    if judgment.verdict:
        raise ValidationError({"judgment": [_("This pair is already judged.")]})
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose A, B, tie or both bad.")]})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT or "\x00" in comment:
        raise ValidationError({"comment": [_("A comment has at most %(n)s characters.") % {"n": MAX_COMMENT}]})
    now = timezone.now()
    judgment.verdict, judgment.comment, judgment.judged_at = verdict, comment, now
    judgment.seconds = max(0.0, (now - judgment.assigned_at).total_seconds())
    judgment.save(update_fields=["verdict", "comment", "judged_at", "seconds"])
    audit_record(
        actor=actor,
        action="arena.judgment",
        target=judgment,
        after={
            "campaign": campaign.slug,
            "member": seat.code,
            "verdict": verdict,
            "comment": comment,
            "seconds": round(judgment.seconds, 3),
        },
    )
    if Judgment.objects.filter(campaign=campaign).exclude(verdict="").count() % RECOMPUTE_EVERY == 0:
        dispatch.send_compute_result(campaign.pk)
    return judgment
