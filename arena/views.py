"""Thin HTML views for the arena. The judging page's context comes from
selectors.pair_for_panel only: a panel member never sees which team wrote an answer."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arena import report, selectors
from arena.models import PromptSet, Verdict
from arena.services.campaigns import RESERVED_SLUGS, campaign_close, campaign_create, campaign_recompute_request
from arena.services.generation import generation_retry
from arena.services.judgments import judgment_next, judgment_submit
from arena.services.panel import panel_member_exclude, panel_member_invite
from arena.services.prompt_sets import prompt_set_create, prompts_from_csv
from core.inputs import whole_number
from core.permissions import Action, can, require
from core.uploads import upload_size_check
from stages.models import Stage


def _campaign(slug: str):
    campaign = selectors.campaign_by_slug(slug)
    if campaign is None:
        raise Http404
    return campaign


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


PROMPT_SET_MAX_BYTES = 20 * 1024 * 1024


@login_required
@require_http_methods(["GET", "HEAD"])
def campaign_list(request):
    require(request.user, Action.USE_ARENA)
    context = {
        "campaigns": selectors.campaigns_for(request.user),
        "sees_results": can(request.user, Action.VIEW_ARENA_RESULTS),
        "can_manage": can(request.user, Action.MANAGE_ARENA),
    }
    if context["can_manage"]:
        context.update(prompt_sets=selectors.prompt_sets_all(), stages=selectors.open_stages())
    return render(request, "arena/campaign_list.html", context)


def _back_to_list(request, write, success):
    try:
        outcome = write()
        messages.success(request, success(outcome))
    except ValidationError as error:
        _errors(request, error)
    return redirect("arena-list")


@login_required
@require_POST
def prompt_set_upload(request):
    """A CSV (key,category,text) as a new version of the prompt set `slug` (admins)."""
    require(request.user, Action.MANAGE_ARENA)  # before reading the upload
    upload = request.FILES.get("file")

    def write():
        if upload is None:
            raise ValidationError({"file": [_("Choose a CSV file.")]})
        upload_size_check(upload, limit=PROMPT_SET_MAX_BYTES)
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
        slug = request.POST.get("slug", "").strip()
        if not slug_re.fullmatch(slug):
            raise ValidationError({"slug": [_("Give a slug: letters, digits, - and _.")]})
        return prompt_set_create(
            actor=request.user, slug=slug, title=request.POST.get("title", ""), prompts=prompts_from_csv(text)
        )

    return _back_to_list(
        request,
        write,
        lambda prompt_set: (
            _("Prompt set %(set)s stored (%(n)s prompts).") % {"set": prompt_set, "n": prompt_set.prompts.count()}
        ),
    )


@login_required
@require_POST
def campaign_new(request):
    """A judging campaign for a stage: its nominated checkpoints answer the prompt set on the
    evaluation workers (admins)."""
    require(request.user, Action.MANAGE_ARENA)
    stage = Stage.objects.filter(pk=whole_number(request.POST.get("stage", "")) or 0).first()
    prompt_set = PromptSet.objects.filter(pk=whole_number(request.POST.get("prompt_set", "")) or 0).first()

    def write():
        if stage is None or prompt_set is None:
            raise ValidationError({"stage": [_("Choose a stage and a prompt set.")]})
        slug = request.POST.get("slug", "").strip()
        if not slug_re.fullmatch(slug) or slug in RESERVED_SLUGS:
            raise ValidationError({"slug": [_("Give a slug: letters, digits, - and _.")]})
        return campaign_create(
            actor=request.user,
            stage=stage,
            prompt_set=prompt_set,
            slug=slug,
            name_ko=request.POST.get("name_ko", "").strip(),
            name_en=request.POST.get("name_en", "").strip(),
            default_quota=whole_number(request.POST.get("quota", "")) or 50,
        )

    return _back_to_list(
        request,
        write,
        lambda campaign: (
            _("Campaign %(name)s created; the teams' answers are being generated.") % {"name": campaign.name}
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def judge(request, slug: str):
    campaign = _campaign(slug)
    require(request.user, Action.JUDGE_ARENA, campaign)
    if request.method == "POST":
        try:
            judgment_submit(
                actor=request.user,
                campaign=campaign,
                judgment_id=whole_number(request.POST.get("judgment", "")) or 0,
                verdict=request.POST.get("verdict", ""),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Thank you: your judgment is recorded."))
        except ValidationError as error:
            _errors(request, error)
        return redirect("arena-judge", slug=slug)
    pair = None
    if selectors.is_judging(campaign):
        judgment = judgment_next(actor=request.user, campaign=campaign)
        pair = None if judgment is None else selectors.pair_for_panel(judgment)
    return render(
        request,
        "arena/judge.html",
        {
            "campaign": campaign,
            "pair": pair,
            "seat": selectors.seat_of(request.user, campaign),
            "verdicts": Verdict.choices,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def result(request, slug: str):
    require(request.user, Action.VIEW_ARENA_RESULTS)
    campaign = _campaign(slug)
    found = selectors.result_of(campaign)
    context = {
        "campaign": campaign,
        "found": found,
        "panel": selectors.panel_with_flags(campaign, found),
        "can_manage": can(request.user, Action.MANAGE_ARENA),
        "generation": selectors.generation_status(campaign) if campaign.status == "generating" else [],
    }
    if found is not None:
        data = found.data
        context.update(
            rows=report.result_rows(data),
            matrix=report.win_rate_matrix(data),
            categories=report.category_rows(data),
            chart=report.strengths_chart(data),
            data=data,
        )
    return render(request, "arena/result.html", context)


def _post_back(request, slug: str, write, success):
    try:
        outcome = write()
        messages.success(request, success(outcome))
    except ValidationError as error:
        _errors(request, error)
    return redirect("arena-result", slug=slug)


@login_required
@require_POST
def close(request, slug: str):
    require(request.user, Action.MANAGE_ARENA)
    return _post_back(
        request,
        slug,
        lambda: campaign_close(actor=request.user, campaign=_campaign(slug)),
        lambda _r: _("The campaign is closed; the stage's user part is filled in."),
    )


@login_required
@require_POST
def recompute(request, slug: str):
    require(request.user, Action.VIEW_ARENA_RESULTS)
    return _post_back(
        request,
        slug,
        lambda: campaign_recompute_request(actor=request.user, campaign=_campaign(slug)),
        lambda _r: _("The result is being recomputed."),
    )


@login_required
@require_POST
def invite(request, slug: str):
    require(request.user, Action.MANAGE_ARENA)  # before reading the form
    campaign = _campaign(slug)
    user = get_user_model().objects.filter(username=request.POST.get("username", "").strip()).first()
    if user is None:
        messages.error(request, _("Unknown user."))
        return redirect("arena-result", slug=slug)
    quota = whole_number(request.POST.get("quota", "")) or None
    return _post_back(
        request,
        slug,
        lambda: panel_member_invite(actor=request.user, campaign=campaign, user=user, quota=quota),
        lambda seat: _("%(user)s joined the panel as %(code)s.") % {"user": user.get_username(), "code": seat.code},
    )


@login_required
@require_POST
def exclude(request, slug: str):
    require(request.user, Action.MANAGE_ARENA)
    campaign = _campaign(slug)
    seat = campaign.panel.filter(code=request.POST.get("member", "")[:16]).first()
    if seat is None:
        messages.error(request, _("Unknown panel member."))
        return redirect("arena-result", slug=slug)
    return _post_back(
        request,
        slug,
        lambda: panel_member_exclude(actor=request.user, seat=seat, reason=request.POST.get("reason", "")),
        lambda _s: _("%(code)s is excluded; their judgments no longer count.") % {"code": seat.code},
    )


@login_required
@require_POST
def retry_generation(request, slug: str):
    require(request.user, Action.MANAGE_ARENA)
    return _post_back(
        request,
        slug,
        lambda: generation_retry(actor=request.user, campaign=_campaign(slug)),
        lambda n: _("%(n)s answer generations queued again.") % {"n": n},
    )
