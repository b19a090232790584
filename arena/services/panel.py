"""Panel members: invited by an admin to one campaign (which gives them the panel role), and
excluded by an admin with a reason (their judgments then leave the result)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arena.models import Campaign, CampaignStatus, PanelMember
from audit.services import audit_record
from core.permissions import Action, require
from core.roles import Role, role_of


@transaction.atomic
def panel_member_invite(*, actor, campaign: Campaign, user, quota: int | None = None) -> PanelMember:
    if actor is not None:
        require(actor, Action.MANAGE_ARENA)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"campaign": [_("This campaign is closed.")]})
    role = role_of(user)
    if role in (Role.ADMIN, Role.REVIEWER):
        # They see results and authorship; a judge must not.
        raise ValidationError({"user": [_("Programme admins and ministry reviewers cannot sit on a panel.")]})
    if campaign.panel.filter(user=user).exists():
        raise ValidationError({"user": [_("This person is already on the panel.")]})
    if role != Role.PANEL:
        from accounts.services import user_update

        user_update(actor=actor, user=user, role=Role.PANEL)
        user.__dict__.pop("_group_names_cache", None)  # the caller's object: its role changed
    quota = campaign.default_quota if quota is None else quota
    if quota < 1:
        raise ValidationError({"quota": [_("A quota is at least one judgment.")]})
    code = f"P{campaign.panel.count() + 1:02d}"
    seat = PanelMember.objects.create(
        campaign=campaign, user=user, code=code, quota=quota, invited_by=actor, invited_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="arena.panel.invite",
        target=seat,
        after={"campaign": campaign.slug, "user": user.get_username(), "code": code, "quota": quota},
    )
    return seat


@transaction.atomic
def panel_member_exclude(*, actor, seat: PanelMember, reason: str) -> PanelMember:
    require(actor, Action.MANAGE_ARENA)
    seat = PanelMember.objects.select_for_update().select_related("campaign").get(pk=seat.pk)
    if seat.campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"campaign": [_("This campaign is closed.")]})
    if seat.is_excluded:
        raise ValidationError({"member": [_("This panel member is already excluded.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the exclusion.")]})
    seat.excluded_reason, seat.excluded_by, seat.excluded_at = reason.strip(), actor, timezone.now()
    seat.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])
    seat.judgments.filter(verdict="").delete()
    audit_record(
        actor=actor,
        action="arena.panel.exclude",
        target=seat,
        after={"campaign": seat.campaign.slug, "code": seat.code, "reason": seat.excluded_reason},
    )
    return seat
